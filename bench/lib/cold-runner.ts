/**
 * Child process of the cold-init benchmark (bundled, run by a fresh `node`): imports one handler
 * bundle, then makes its first invocation, and prints the times as one JSON line: wall time since
 * process start, and the process's CPU time (all threads, user + system) at the same points.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { benchLambdaContext, signedSlashCommandEvent } from './slack-request';

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode: number; body?: string }>;

const bundlePath = process.argv[2];
if (!bundlePath) throw new Error('usage: cold-runner <bundle.mjs>');

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1_000;
};

// performance.now() counts from process start, so this is Node's boot plus this small runner.
const bootMs = performance.now();
const loaded = (await import(pathToFileURL(bundlePath).href)) as { handler?: Handler };
const importedAt = performance.now();
const cpuAtImportMs = cpuMs();

let firstInvokeMs: number | undefined;
let status: number | undefined;
let cpuAtResponseMs: number | undefined;
if (loaded.handler) {
  const event = signedSlashCommandEvent({
    // The deployed variant reads its secret from Secrets Manager, so the runner has its own copy.
    signingSecret: process.env.BENCH_SIGNING_SECRET ?? process.env.SLACK_SIGNING_SECRET ?? '',
    command: '/trace',
    text: '3f0c1f5e-8a47-4f53-9a4b-2a3c4d5e6f70',
  });
  const response = await loaded.handler(event, benchLambdaContext());
  firstInvokeMs = performance.now() - importedAt;
  cpuAtResponseMs = cpuMs();
  status = response.statusCode;
}

process.stdout.write(
  `${JSON.stringify({ bootMs, importMs: importedAt - bootMs, firstInvokeMs, status, cpuAtImportMs, cpuAtResponseMs })}\n`,
);
// Keep-alive sockets and Bolt's timers would hold the process open; the figures are out.
process.exit(0);
