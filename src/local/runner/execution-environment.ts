import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { HandlerBundler } from './bundler';
import { billedDuration, newLogStreamName } from './lambda-format';
import { readLines } from './line-reader';
import type { LogSink, RunnerLogEvent } from './log-sink';
import { type MemoryMonitor, watchMemory } from './memory-monitor';
import {
  exitReason,
  type InitReport,
  type LambdaLogFormat,
  type PlatformLines,
  type PlatformStatus,
  platformLines,
} from './platform-lines';
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
  /** The function's log format (`LoggingConfig.LogFormat`); Text when undefined. */
  logFormat?: LambdaLogFormat;
  /** How long the init phase may take (Lambda: 10 s for on-demand functions). */
  initTimeoutMs?: number;
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
  /** How the invocation ended, as the REPORT line / platform.report says it. */
  status: PlatformStatus;
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

/** Lambda's limit on an on-demand function's init phase. */
export const DEFAULT_INIT_TIMEOUT_MS = 10_000;

type Outcome = Omit<EnvironmentInvokeResult, 'billedDurationMs'>;

interface InitFailure extends InitReport {
  error: LambdaErrorPayload;
}

/** One Lambda execution environment: a child process running one invocation at a time. */
export class ExecutionEnvironment {
  readonly logGroupName: string;
  readonly logStreamName: string;
  private readonly lines: PlatformLines;
  private child: ChildProcess | undefined;
  private ready: Promise<void> | undefined;
  private initDurationMs: number | undefined;
  private initFailure: InitFailure | undefined;
  private pending: Pending | undefined;
  private dead = false;
  private outOfMemory = false;
  private fatal: LambdaErrorPayload | undefined;
  private memory: MemoryMonitor | undefined;
  private closed: Promise<void> = Promise.resolve();
  // The last peak RSS reported, for the REPORT line of an invocation that never reported (timeout, crash).
  private lastMaxMemoryUsedMb = 0;
  private writes: Promise<void> = Promise.resolve();

  constructor(private readonly options: ExecutionEnvironmentOptions) {
    this.logGroupName = `/aws/lambda/${options.functionName}`;
    this.logStreamName = newLogStreamName();
    this.lines = platformLines(options.logFormat ?? 'Text');
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
      AWS_LAMBDA_LOG_FORMAT: this.options.logFormat ?? 'Text',
    });
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    this.closed = new Promise((resolve) => child.on('close', () => resolve()));
    if (child.pid !== undefined) {
      // Lambda's sandbox kills a function that goes over its memory size (SIGKILL, no chance to log).
      this.memory = watchMemory(child.pid, this.options.memoryMb, () => {
        this.outOfMemory = true;
        child.kill('SIGKILL');
      });
    }
    readLines(child.stdout, (line) => this.onLine(line));
    readLines(child.stderr, (line) => this.onLine(line));
    const initTimeoutMs = this.options.initTimeoutMs ?? DEFAULT_INIT_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      let initDone = false;
      const fail = (failure: Omit<InitFailure, 'durationMs' | 'phase'>): void => {
        if (initDone) return;
        initDone = true;
        clearTimeout(initTimer);
        this.initFailure ??= { ...failure, phase: 'init', durationMs: performance.now() - started };
        reject(Object.assign(new Error(failure.error.errorMessage), { lambdaError: failure.error }));
      };
      const initTimer = setTimeout(() => {
        const seconds = (initTimeoutMs / 1000).toFixed(2);
        const errorMessage = `INIT timed out after ${seconds} seconds`;
        fail({ status: 'timeout', error: { errorType: 'Sandbox.Timedout', errorMessage, trace: [] } });
        this.kill();
      }, initTimeoutMs);
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          initDone = true;
          clearTimeout(initTimer);
          this.initDurationMs = performance.now() - started;
          this.logAll(
            this.lines.initReport({ durationMs: this.initDurationMs, phase: 'init', status: 'success' }),
          );
          resolve();
        } else if (message.type === 'init-error') {
          fail({ status: 'error', errorType: message.error.errorType, error: message.error });
        } else if (message.type === 'fatal') {
          this.fatal = message.error;
        } else if (message.type === 'result') {
          this.onResult(message);
        }
      });
      child.on('exit', (code, signal) => {
        this.dead = true;
        this.memory?.stop();
        const reason = this.exitReason(code, signal);
        const errorMessage = `Runtime exited with error: ${reason}`;
        fail({
          status: 'error',
          errorType: 'Runtime.ExitError',
          error: { errorType: 'Runtime.ExitError', errorMessage, trace: [] },
        });
        // The pipes may still hold the last lines the runtime wrote: log the exit after them.
        void this.closed.then(() => this.onExit(reason));
      });
      child.on('error', (error) => {
        this.dead = true;
        reject(error);
      });
    });
  }

  private exitReason(code: number | null, signal: NodeJS.Signals | null): string {
    return exitReason(code, this.outOfMemory ? 'SIGKILL' : signal);
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

  /** Runs one invocation; the environment must be idle. A failed init is reported as the invocation's error. */
  async invoke(requestId: string, event: unknown, traceHeader: string): Promise<EnvironmentInvokeResult> {
    try {
      await this.start();
    } catch (cause) {
      if (this.initFailure === undefined) throw cause;
      return this.failedInit(requestId, this.initFailure);
    }
    const child = this.child;
    if (child === undefined || this.dead) throw new Error('execution environment is not running');
    const startedAt = performance.now();
    const deadline = Date.now() + this.options.timeoutMs;
    this.logAll(this.lines.start(requestId));
    const result = await new Promise<EnvironmentInvokeResult>((settle) => {
      const timer = setTimeout(() => this.onTimeout(), this.options.timeoutMs);
      this.pending = { requestId, markers: 0, settle, timer, startedAt };
      const message: InvokeMessage = { type: 'invoke', requestId, event, deadline, traceHeader };
      child.send(message);
    });
    await this.writes;
    return result;
  }

  // Lambda logs the init failure (INIT_REPORT) and fails the invocation that met it; the environment goes.
  private async failedInit(requestId: string, failure: InitFailure): Promise<EnvironmentInvokeResult> {
    this.kill();
    await this.closed;
    this.logAll(this.lines.initReport(failure));
    this.logAll(this.lines.start(requestId));
    const startedAt = performance.now();
    const result = this.report(requestId, {
      ok: false,
      error: failure.error,
      durationMs: performance.now() - startedAt,
      maxMemoryUsedMb: this.memory?.peakMb ?? 0,
      recycled: true,
      status: failure.status,
    });
    await this.writes;
    return result;
  }

  /** Stops the process (the environment is recycled); an invocation in flight is left to its timeout path. */
  kill(): void {
    this.dead = true;
    this.memory?.stop();
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
    this.lastMaxMemoryUsedMb = Math.max(Math.ceil(result.maxRssKb / 1024), this.memory?.peakMb ?? 0);
    this.finish(pending, {
      ok: result.ok,
      payload: result.payload,
      error: result.error,
      durationMs: result.durationMs,
      maxMemoryUsedMb: Math.min(this.lastMaxMemoryUsedMb, this.options.memoryMb),
      recycled: false,
      status: result.ok ? 'success' : 'error',
    });
  }

  private onTimeout(): void {
    const pending = this.pending;
    if (pending === undefined) return;
    const seconds = (this.options.timeoutMs / 1000).toFixed(2);
    this.logAll(this.lines.timedOut(pending.requestId, this.options.timeoutMs));
    this.finish(pending, {
      ok: false,
      error: {
        errorType: 'Sandbox.Timedout',
        errorMessage: `RequestId: ${pending.requestId} Error: Task timed out after ${seconds} seconds`,
        trace: [],
      },
      durationMs: this.options.timeoutMs,
      maxMemoryUsedMb: Math.max(this.lastMaxMemoryUsedMb, this.memory?.peakMb ?? 0),
      recycled: true,
      status: 'timeout',
    });
    this.kill();
  }

  private onExit(reason: string): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.logAll(this.lines.runtimeExited(pending.requestId, reason));
    const exitError: LambdaErrorPayload = {
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${pending.requestId} Error: Runtime exited with error: ${reason}`,
      trace: [],
    };
    this.finish(pending, {
      ok: false,
      // An uncaught exception or unhandled rejection was reported by the runtime before it exited.
      error: this.fatal ?? exitError,
      durationMs: performance.now() - pending.startedAt,
      // Killed for memory: Lambda reports the whole memory size as used.
      maxMemoryUsedMb: this.outOfMemory
        ? this.options.memoryMb
        : Math.max(this.lastMaxMemoryUsedMb, this.memory?.peakMb ?? 0),
      recycled: true,
      status: 'error',
    });
  }

  private finish(pending: Pending, outcome: Outcome): void {
    clearTimeout(pending.timer);
    this.pending = undefined;
    const errorType =
      outcome.status === 'error' && this.dead ? 'Runtime.ExitError' : outcome.error?.errorType;
    pending.settle(this.report(pending.requestId, outcome, errorType));
  }

  // END (runtimeDone) and REPORT, with Init Duration on the first invocation of the environment only.
  private report(
    requestId: string,
    outcome: Outcome,
    errorType = outcome.error?.errorType,
  ): EnvironmentInvokeResult {
    const initDurationMs = this.initDurationMs;
    this.initDurationMs = undefined;
    const result: EnvironmentInvokeResult = {
      ...outcome,
      billedDurationMs: billedDuration(outcome.durationMs, initDurationMs),
      ...(initDurationMs === undefined ? {} : { initDurationMs }),
    };
    const report = {
      requestId,
      durationMs: result.durationMs,
      billedDurationMs: result.billedDurationMs,
      memorySizeMb: this.options.memoryMb,
      maxMemoryUsedMb: result.maxMemoryUsedMb,
      initDurationMs,
      status: outcome.status,
      errorType: outcome.status === 'timeout' ? undefined : errorType,
      handlerError: outcome.status === 'error' && !outcome.recycled,
    };
    this.logAll(this.lines.runtimeDone(report));
    this.logAll(this.lines.report(report));
    return result;
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

  private logAll(messages: string[]): void {
    for (const message of messages) this.log(message);
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
