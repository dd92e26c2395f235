/** Runs a bundled benchmark child with plain `node` and reads the JSON line it prints last. */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** Runs `node script args…` and resolves with its stdout; rejects with its stderr when it fails. */
export function runNode(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  // Asynchronous on purpose: the stand-ins the child calls live in this process's event loop.
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [script, ...args],
      { env, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${script} failed: ${stderr || error.message}`, { cause: error }));
        else resolve(stdout);
      },
    );
  });
}

/** The last line of a child's stdout, parsed as JSON. */
export function lastJsonLine<T>(stdout: string): T {
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as T;
}

/** What one run of the cold runner (bench/lib/cold-runner.ts) reports, plus the parent's wall time. */
export interface ColdSample {
  bootMs: number;
  importMs: number;
  firstInvokeMs?: number;
  status?: number;
  wallMs: number;
}

/** One cold start at full CPU: a fresh node imports `bundle` and makes its first invocation. */
export async function coldRun(runner: string, bundle: string, env: NodeJS.ProcessEnv): Promise<ColdSample> {
  const started = performance.now();
  const stdout = await runNode(runner, [bundle], env);
  const sample = { ...lastJsonLine<Omit<ColdSample, 'wallMs'>>(stdout), wallMs: performance.now() - started };
  if (sample.status !== undefined && sample.status !== 200) {
    throw new Error(`cold run of ${bundle} answered ${sample.status}`);
  }
  return sample;
}
