import { randomUUID } from 'node:crypto';
import { createHandlerBundler, type HandlerBundler } from './bundler';
import { FunctionNotFoundError, RunnerClosedError } from './errors';
import { ExecutionEnvironment } from './execution-environment';
import { newTraceHeader } from './lambda-format';
import type { LogSink } from './log-sink';
import type { LambdaLogFormat } from './platform-lines';
import type { LambdaErrorPayload } from './protocol';

/** One function the runner can invoke, as it would be deployed. */
export interface LocalFunctionSpec {
  name: string;
  /** Path of the handler module (TypeScript is fine: it is bundled with esbuild, or run through tsx). */
  entry: string;
  exportName?: string;
  memoryMb?: number;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** How many environments may run at once; further invocations wait for one to free up. */
  maxConcurrency?: number;
  /**
   * Active tracing (Lambda's TracingConfig): spans go to the local X-Ray. Part of the function's
   * configuration, not of its variables, so an UpdateFunctionConfiguration that replaces the
   * variables keeps it, as in AWS.
   */
  tracing?: boolean;
  /** Lambda's `LoggingConfig.LogFormat`: what the platform and the console write (default Text). */
  logFormat?: LambdaLogFormat;
  /** How long the init phase may take before Lambda stops it (default 10 s, Lambda's limit). */
  initTimeoutMs?: number;
}

/** How the runner is set up. */
export interface LambdaRunnerOptions {
  functions: LocalFunctionSpec[];
  logSink: LogSink;
  /** The local AWS endpoint the functions' SDK clients talk to (AWS_ENDPOINT_URL). */
  awsEndpointUrl: string;
  region?: string;
  /**
   * Bundle each entry with esbuild once and load the bundle with plain node, as Lambda runs a
   * bundle (default true); false loads the TypeScript entry through tsx on every cold start.
   */
  bundle?: boolean;
  /** Where bundles go; `<os tmpdir>/gumshoe-build` when undefined. */
  buildDir?: string;
}

/** Lambda's two invocation types we support. */
export type InvocationType = 'RequestResponse' | 'Event';

/** Per-invocation options. */
export interface InvokeOptions {
  invocationType?: InvocationType;
  /** An X-Ray trace header to pass on (`_X_AMZN_TRACE_ID`); a new one otherwise. */
  traceHeader?: string;
}

/** The outcome of an invocation, as Lambda's Invoke API would report it plus the REPORT figures. */
export interface LocalInvokeResult {
  requestId: string;
  /** 200 for RequestResponse, 202 for Event. */
  statusCode: 200 | 202;
  /** The handler's return value, or Lambda's error JSON when it failed. */
  payload: unknown;
  functionError?: 'Unhandled';
  error?: LambdaErrorPayload;
  durationMs?: number;
  billedDurationMs?: number;
  initDurationMs?: number;
  maxMemoryUsedMb?: number;
}

/** Runs local functions like Lambda: one child process per execution environment, pooled per function. */
export interface LambdaRunner {
  invoke(name: string, event: unknown, options?: InvokeOptions): Promise<LocalInvokeResult>;
  /** Merges env vars into a function's config and recycles its environments (UpdateFunctionConfiguration). */
  setEnvironment(name: string, envPatch: Record<string, string | undefined>): void;
  /** Resolves once the handler bundles are built (at once without bundling), so cold starts measure init only. */
  ready(): Promise<void>;
  /** The function names the runner knows. */
  functionNames(): string[];
  /** Kills every environment; waiting invocations fail. */
  close(): Promise<void>;
}

interface Pool {
  spec: Required<Omit<LocalFunctionSpec, 'env' | 'maxConcurrency' | 'tracing' | 'initTimeoutMs'>> & {
    initTimeoutMs?: number;
    tracing: boolean;
    env: Record<string, string>;
    maxConcurrency: number;
  };
  idle: ExecutionEnvironment[];
  busy: Set<ExecutionEnvironment>;
  waiting: { resolve: (env: ExecutionEnvironment) => void; reject: (error: Error) => void }[];
  generation: number;
  environmentGeneration: WeakMap<ExecutionEnvironment, number>;
}

/** Default concurrency of one function's pool. */
export const DEFAULT_MAX_CONCURRENCY = 5;

/** Creates a runner for the given functions; environments start on first use (cold start). */
export function createLambdaRunner(options: LambdaRunnerOptions): LambdaRunner {
  const region = options.region ?? 'us-east-1';
  const pools = new Map<string, Pool>();
  const inFlight = new Set<Promise<unknown>>();
  let closed = false;
  const bundler: HandlerBundler | undefined =
    options.bundle === false
      ? undefined
      : createHandlerBundler({
          entries: options.functions.map((fn) => fn.entry),
          ...(options.buildDir === undefined ? {} : { outDir: options.buildDir }),
          onFallback: (entry, reason) => {
            process.stderr.write(
              `local runner: could not bundle ${entry} (${reason}); loading it with tsx\n`,
            );
          },
        });
  for (const fn of options.functions) {
    pools.set(fn.name, {
      spec: {
        name: fn.name,
        entry: fn.entry,
        exportName: fn.exportName ?? 'handler',
        memoryMb: fn.memoryMb ?? 128,
        timeoutMs: fn.timeoutMs ?? 30_000,
        env: { ...fn.env },
        maxConcurrency: fn.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY,
        tracing: fn.tracing === true,
        logFormat: fn.logFormat ?? 'Text',
        ...(fn.initTimeoutMs === undefined ? {} : { initTimeoutMs: fn.initTimeoutMs }),
      },
      idle: [],
      busy: new Set(),
      waiting: [],
      generation: 0,
      environmentGeneration: new WeakMap(),
    });
  }
  // Build at start, so the first cold start finds its bundle ready.
  void bundler?.bootstrap();

  function lambdaEnv(pool: Pool): Record<string, string> {
    const { spec } = pool;
    return {
      ...spec.env,
      // Set by the runtime, like _X_AMZN_TRACE_ID: the bootstrap loads the local tracing preload.
      ...(spec.tracing ? { GUMSHOE_LOCAL_TRACING: '1' } : {}),
      AWS_LAMBDA_FUNCTION_NAME: spec.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_ENDPOINT_URL: options.awsEndpointUrl,
      // Dummy credentials: the local endpoint accepts any signature, and real keys must never leak in.
      AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
      AWS_SECRET_ACCESS_KEY: 'local-secret',
      AWS_SESSION_TOKEN: 'local-session',
      TZ: ':UTC',
    };
  }

  function acquire(pool: Pool): Promise<ExecutionEnvironment> {
    if (closed) return Promise.reject(new RunnerClosedError('the local runner is closed'));
    const idle = pool.idle.pop();
    if (idle !== undefined) {
      pool.busy.add(idle);
      return Promise.resolve(idle);
    }
    if (pool.busy.size < pool.spec.maxConcurrency) {
      const env = new ExecutionEnvironment({
        functionName: pool.spec.name,
        entry: pool.spec.entry,
        exportName: pool.spec.exportName,
        memoryMb: pool.spec.memoryMb,
        timeoutMs: pool.spec.timeoutMs,
        env: lambdaEnv(pool),
        logSink: options.logSink,
        logFormat: pool.spec.logFormat,
        ...(pool.spec.initTimeoutMs === undefined ? {} : { initTimeoutMs: pool.spec.initTimeoutMs }),
        ...(bundler === undefined ? {} : { bundler }),
      });
      pool.environmentGeneration.set(env, pool.generation);
      pool.busy.add(env);
      return Promise.resolve(env);
    }
    return new Promise((resolve, reject) => pool.waiting.push({ resolve, reject }));
  }

  function release(pool: Pool, env: ExecutionEnvironment): void {
    pool.busy.delete(env);
    const stale = pool.environmentGeneration.get(env) !== pool.generation;
    if (stale || !env.alive || closed) {
      env.kill();
      const next = pool.waiting.shift();
      if (next !== undefined) acquire(pool).then(next.resolve, next.reject);
      return;
    }
    const next = pool.waiting.shift();
    if (next !== undefined) {
      pool.busy.add(env);
      next.resolve(env);
    } else {
      pool.idle.push(env);
    }
  }

  async function run(
    pool: Pool,
    event: unknown,
    requestId: string,
    traceHeader: string,
  ): Promise<LocalInvokeResult> {
    const env = await acquire(pool);
    try {
      const result = await env.invoke(requestId, event, traceHeader);
      const figures = {
        durationMs: result.durationMs,
        billedDurationMs: result.billedDurationMs,
        maxMemoryUsedMb: result.maxMemoryUsedMb,
        ...(result.initDurationMs === undefined ? {} : { initDurationMs: result.initDurationMs }),
      };
      if (result.ok) return { requestId, statusCode: 200, payload: result.payload ?? null, ...figures };
      const error = result.error ?? { errorType: 'Error', errorMessage: 'unknown error', trace: [] };
      return { requestId, statusCode: 200, payload: error, functionError: 'Unhandled', error, ...figures };
    } catch (cause) {
      // The init phase failed (import error, missing export): Lambda reports it as the invocation's error.
      const lambdaError = (cause as { lambdaError?: LambdaErrorPayload }).lambdaError ?? {
        errorType: 'Runtime.Unknown',
        errorMessage: cause instanceof Error ? cause.message : String(cause),
        trace: [],
      };
      env.kill();
      return {
        requestId,
        statusCode: 200,
        payload: lambdaError,
        functionError: 'Unhandled',
        error: lambdaError,
      };
    } finally {
      release(pool, env);
    }
  }

  return {
    invoke(name, event, invokeOptions = {}) {
      const pool = pools.get(name);
      if (pool === undefined) return Promise.reject(new FunctionNotFoundError(name));
      const requestId = randomUUID();
      const traceHeader = invokeOptions.traceHeader ?? newTraceHeader();
      const running = run(pool, event, requestId, traceHeader);
      inFlight.add(running);
      void running.finally(() => inFlight.delete(running)).catch(() => undefined);
      if (invokeOptions.invocationType === 'Event') {
        // Async invocation: Lambda queues the event and answers 202 at once; failures only show in the logs.
        running.catch(() => undefined);
        return Promise.resolve({ requestId, statusCode: 202, payload: null });
      }
      return running;
    },
    setEnvironment(name, envPatch) {
      const pool = pools.get(name);
      if (pool === undefined) throw new FunctionNotFoundError(name);
      for (const [key, value] of Object.entries(envPatch)) {
        if (value === undefined) delete pool.spec.env[key];
        else pool.spec.env[key] = value;
      }
      // New environments get the new config; busy ones are recycled when they finish.
      pool.generation += 1;
      for (const env of pool.idle.splice(0)) env.kill();
    },
    async ready() {
      await bundler?.bootstrap();
    },
    functionNames() {
      return [...pools.keys()];
    },
    async close() {
      closed = true;
      for (const pool of pools.values()) {
        for (const waiter of pool.waiting.splice(0))
          waiter.reject(new RunnerClosedError('the local runner closed'));
        for (const env of pool.idle.splice(0)) env.kill();
        for (const env of pool.busy) env.kill();
      }
      await Promise.allSettled([...inFlight]);
      await bundler?.dispose();
    },
  };
}
