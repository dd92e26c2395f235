import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HandlerBundler } from './bundler';
import { billedDuration, formatReportLine, newLogStreamName } from './lambda-format';
import type { LogSink, RunnerLogEvent } from './log-sink';
import { type ChildMessage, END_MARKER, type InvokeMessage, type LambdaErrorPayload } from './protocol';

/** What one environment needs to start: the function's module, memory and final env vars. */
export interface ExecutionEnvironmentOptions {
  functionName: string;
  entry: string;
  exportName: string;
  memoryMb: number;
  timeoutMs: number;
  /** The function's env, already merged with the Lambda-set variables except the log stream. */
  env: Record<string, string>;
  logSink: LogSink;
  /** Loads a bundle with plain node when given; the TypeScript entry through tsx otherwise. */
  bundler?: HandlerBundler;
}

/** The outcome of one invocation in one environment, with the figures of its REPORT line. */
export interface EnvironmentInvokeResult {
  ok: boolean;
  payload?: unknown;
  error?: LambdaErrorPayload;
  durationMs: number;
  billedDurationMs: number;
  initDurationMs?: number;
  maxMemoryUsedMb: number;
  /** True when the environment cannot be reused (timeout, crash). */
  recycled: boolean;
}

const bootstrapPath = fileURLToPath(new URL('./bootstrap.ts', import.meta.url));
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The variables a Lambda sandbox inherits from the host: enough for node to run, nothing else. */
const hostVariables = ['PATH', 'HOME', 'LANG', 'TMPDIR', 'SYSTEMROOT'] as const;

interface Pending {
  requestId: string;
  result?: Extract<ChildMessage, { type: 'result' }>;
  markers: number;
  settle: (result: EnvironmentInvokeResult) => void;
  timer: NodeJS.Timeout;
  startedAt: number;
}

/** One Lambda execution environment: a child process running one invocation at a time. */
export class ExecutionEnvironment {
  readonly logGroupName: string;
  readonly logStreamName: string;
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private initDurationMs: number | undefined;
  private pending: Pending | undefined;
  private dead = false;
  // The last peak RSS reported, for the REPORT line of an invocation that never reported (timeout, crash).
  private lastMaxMemoryUsedMb = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: ExecutionEnvironmentOptions) {
    this.logGroupName = `/aws/lambda/${options.functionName}`;
    this.logStreamName = newLogStreamName();
  }

  /** False once the process exited or was killed; the pool then drops the environment. */
  get alive(): boolean {
    return !this.dead;
  }

  /** Starts the process and runs the init phase (module import); resolves when the handler is loaded. */
  start(): Promise<void> {
    this.ready ??= this.spawnChild();
    return this.ready;
  }

  private async spawnChild(): Promise<void> {
    // Bundling happens before the clock starts: in Lambda the bundle exists before the init phase.
    const args = await this.runtimeArguments();
    if (this.dead) throw new Error('execution environment was stopped before it started');
    const env: Record<string, string> = {};
    for (const name of hostVariables) {
      const value = process.env[name];
      if (value !== undefined) env[name] = value;
    }
    Object.assign(env, this.options.env, {
      AWS_LAMBDA_LOG_GROUP_NAME: this.logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: this.logStreamName,
    });
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    this.readLines(child.stdout, 'stdout');
    this.readLines(child.stderr, 'stderr');
    return new Promise((resolve, reject) => {
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') {
          this.initDurationMs = performance.now() - started;
          resolve();
        } else if (message.type === 'init-error') {
          reject(Object.assign(new Error(message.error.errorMessage), { lambdaError: message.error }));
          this.kill();
        } else if (message.type === 'result') {
          this.onResult(message);
        }
      };
      child.on('message', onMessage);
      child.on('exit', (code, signal) => {
        this.dead = true;
        reject(new Error(`Runtime exited before init finished: ${signal ?? `exit status ${code}`}`));
        this.onExit(code, signal);
      });
      child.on('error', (error) => {
        this.dead = true;
        reject(error);
      });
    });
  }

  private async runtimeArguments(): Promise<string[]> {
    const { bundler, entry, exportName } = this.options;
    if (bundler !== undefined) {
      const [bootstrap, handler] = await Promise.all([bundler.bootstrap(), bundler.bundle(entry)]);
      // Plain node loads the bundles; tsx would compile every TypeScript file again on each cold start.
      if (bootstrap.bundled && handler.bundled) return [bootstrap.path, handler.path, exportName];
    }
    return ['--import', tsxLoader, bootstrapPath, entry, exportName];
  }

  /** Runs one invocation; the environment must be started and idle. */
  async invoke(requestId: string, event: unknown, traceHeader: string): Promise<EnvironmentInvokeResult> {
    await this.start();
    const child = this.child;
    if (child === undefined || this.dead) throw new Error('execution environment is not running');
    const startedAt = performance.now();
    const deadline = Date.now() + this.options.timeoutMs;
    this.log(`START RequestId: ${requestId} Version: $LATEST`);
    const result = await new Promise<EnvironmentInvokeResult>((settle) => {
      const timer = setTimeout(() => this.onTimeout(), this.options.timeoutMs);
      this.pending = { requestId, markers: 0, settle, timer, startedAt };
      const message: InvokeMessage = { type: 'invoke', requestId, event, deadline, traceHeader };
      child.send(message);
    });
    await this.writes;
    return result;
  }

  /** Stops the process (the environment is recycled); an invocation in flight is left to its timeout path. */
  kill(): void {
    this.dead = true;
    this.child?.kill('SIGKILL');
  }

  private onResult(message: Extract<ChildMessage, { type: 'result' }>): void {
    if (this.pending?.requestId !== message.requestId) return;
    this.pending.result = message;
    this.tryFinish();
  }

  private onMarker(requestId: string): void {
    if (this.pending?.requestId !== requestId) return;
    this.pending.markers += 1;
    this.tryFinish();
  }

  // The result arrives over IPC and the logs over two pipes: END/REPORT wait for all three.
  private tryFinish(): void {
    const pending = this.pending;
    if (pending?.result === undefined || pending.markers < 2) return;
    const { result } = pending;
    this.lastMaxMemoryUsedMb = Math.ceil(result.maxRssKb / 1024);
    this.finish(pending, {
      ok: result.ok,
      payload: result.payload,
      error: result.error,
      durationMs: result.durationMs,
      maxMemoryUsedMb: this.lastMaxMemoryUsedMb,
      recycled: false,
    });
  }

  private onTimeout(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const seconds = (this.options.timeoutMs / 1000).toFixed(2);
    this.log(`${new Date().toISOString()} ${pending.requestId} Task timed out after ${seconds} seconds`);
    this.finish(pending, {
      ok: false,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds`,
        trace: [],
      },
      durationMs: this.options.timeoutMs,
      maxMemoryUsedMb: this.lastMaxMemoryUsedMb,
      recycled: true,
    });
    this.kill();
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const reason = signal === null ? `exit status ${code}` : `signal: ${signal}`;
    this.log(`${new Date().toISOString()} ${pending.requestId} Error: Runtime exited with error: ${reason}`);
    this.finish(pending, {
      ok: false,
      error: {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: ${reason}`,
        trace: [],
      },
      durationMs: performance.now() - pending.startedAt,
      maxMemoryUsedMb: this.lastMaxMemoryUsedMb,
      recycled: true,
    });
  }

  private finish(pending: Pending, partial: Omit<EnvironmentInvokeResult, 'billedDurationMs'>): void {
    clearTimeout(pending.timer);
    this.pending = undefined;
    // Init Duration shows (and is billed) on the first invocation of the environment only.
    const initDurationMs = this.initDurationMs;
    this.initDurationMs = undefined;
    const result: EnvironmentInvokeResult = {
      ...partial,
      billedDurationMs: billedDuration(partial.durationMs, initDurationMs),
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
    };
    this.log(`END RequestId: ${pending.requestId}`);
    this.log(
      formatReportLine({
        requestId: pending.requestId,
        durationMs: result.durationMs,
        billedDurationMs: result.billedDurationMs,
        memorySizeMb: this.options.memoryMb,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        initDurationMs,
      }),
    );
    pending.settle(result);
  }

  private readLines(stream: NodeJS.ReadableStream | null, _name: string): void {
    if (stream === null) return;
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        this.onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
    stream.on('end', () => {
      if (buffered.length > 0) this.onLine(buffered);
    });
  }

  private onLine(line: string): void {
    const marker = line.indexOf(END_MARKER);
    if (marker >= 0) {
      if (marker > 0) this.log(line.slice(0, marker));
      this.onMarker(line.slice(marker + END_MARKER.length));
      return;
    }
    if (line.length > 0) this.log(line.replaceAll('\r', '\n'));
  }

  private log(message: string): void {
    const event: RunnerLogEvent = { timestamp: Date.now(), message };
    const append = async (): Promise<void> => {
      await this.options.logSink.append(this.logGroupName, this.logStreamName, [event]);
    };
    // A failing sink must not break the invocation; it is reported on the host's stderr.
    this.writes = this.writes.then(append).catch((error: unknown) => {
      process.stderr.write(`local runner: could not write log event: ${String(error)}\n`);
    });
  }
}
