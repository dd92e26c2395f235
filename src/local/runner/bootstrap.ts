/**
 * The process an execution environment runs: imports one handler module (the init phase), then
 * runs invocations received over IPC one at a time, as Lambda's Node runtime does.
 */
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import type { Context } from 'aws-lambda';
import { type ChildMessage, END_MARKER, type InvokeMessage, type LambdaErrorPayload } from './protocol';

type Handler = (event: unknown, context: Context) => unknown;

let currentRequestId: string | undefined;

function send(message: ChildMessage): void {
  process.send?.(message);
}

function toLambdaError(error: unknown, fallbackType = 'Error'): LambdaErrorPayload {
  if (error instanceof Error) {
    return {
      errorType: error.name || fallbackType,
      errorMessage: error.message,
      trace: (error.stack ?? '').split('\n').filter((line) => line.length > 0),
    };
  }
  return { errorType: fallbackType, errorMessage: String(error), trace: [] };
}

const jsonFormat = process.env.AWS_LAMBDA_LOG_FORMAT === 'JSON';

// Lambda's Node runtime prefixes console output with time, request id and level, and turns inner
// newlines into \r so one console call stays one CloudWatch event; JSON lines pass unprefixed. With
// the JSON log format each call becomes one object: timestamp, level, requestId, message (an Error
// argument adds errorType, errorMessage, stackTrace), as the runtime's formatter writes it.
function patchConsole(): void {
  const levels = {
    log: 'INFO',
    info: 'INFO',
    warn: 'WARN',
    error: 'ERROR',
    debug: 'DEBUG',
    trace: 'TRACE',
  } as const;
  for (const [method, level] of Object.entries(levels)) {
    (console as unknown as Record<string, (...args: unknown[]) => void>)[method] = (...args: unknown[]) => {
      const line = jsonFormat ? jsonLine(level, args) : textLine(level, args);
      process.stdout.write(`${line.replaceAll('\n', '\r')}\n`);
    };
  }
}

function textLine(level: string, args: unknown[]): string {
  const text = format(...args);
  if (isJsonLine(text)) return text;
  return `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text}`;
}

function jsonLine(level: string, [message, ...params]: unknown[]): string {
  const line: Record<string, unknown> = {
    timestamp: new Date().toISOString(),
    level,
    requestId: currentRequestId ?? '',
  };
  if (params.length === 0) {
    line.message = message instanceof Error ? errorFields(message) : message;
    try {
      return JSON.stringify(line);
    } catch {
      return JSON.stringify({ ...line, message: format(message) });
    }
  }
  line.message = format(message, ...params);
  const error = params.find((param) => param instanceof Error);
  return JSON.stringify(error instanceof Error ? { ...line, ...errorFields(error) } : line);
}

function errorFields(error: Error): Record<string, unknown> {
  return {
    errorType: error.name,
    errorMessage: error.message,
    stackTrace: (error.stack ?? '').split('\n'),
  };
}

// The runtime's own error lines: `Invoke Error`, `Uncaught Exception`, `Unhandled Promise Rejection`;
// in text the error as JSON after a tab, its stack as an array; in JSON the error object itself.
function logRuntimeError(label: string, error: LambdaErrorPayload): void {
  if (jsonFormat) {
    console.error({ errorType: error.errorType, errorMessage: error.errorMessage, stackTrace: error.trace });
    return;
  }
  const { trace, ...rest } = error;
  console.error(`${label} \t%s`, JSON.stringify({ ...rest, stack: trace }));
}

function isJsonLine(text: string): boolean {
  if (!text.startsWith('{') || !text.endsWith('}') || text.includes('\n')) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function writeMarker(stream: NodeJS.WriteStream, requestId: string): Promise<void> {
  return new Promise((resolve) => stream.write(`${END_MARKER}${requestId}\n`, () => resolve()));
}

function buildContext(message: InvokeMessage): Context {
  const env = process.env;
  const name = env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown';
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: name,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${env.AWS_REGION ?? 'us-east-1'}:000000000000:function:${name}`,
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128',
    awsRequestId: message.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${name}`,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  process.env._X_AMZN_TRACE_ID = message.traceHeader;
  const started = performance.now();
  let outcome: { ok: true; payload: unknown } | { ok: false; error: LambdaErrorPayload };
  try {
    outcome = { ok: true, payload: await handler(message.event, buildContext(message)) };
  } catch (error) {
    outcome = { ok: false, error: toLambdaError(error) };
    logRuntimeError('Invoke Error', outcome.error);
  }
  const durationMs = performance.now() - started;
  await Promise.all([
    writeMarker(process.stdout, message.requestId),
    writeMarker(process.stderr, message.requestId),
  ]);
  currentRequestId = undefined;
  const maxRssKb = process.resourceUsage().maxRSS;
  send(
    outcome.ok
      ? {
          type: 'result',
          requestId: message.requestId,
          ok: true,
          payload: outcome.payload,
          durationMs,
          maxRssKb,
        }
      : {
          type: 'result',
          requestId: message.requestId,
          ok: false,
          error: outcome.error,
          durationMs,
          maxRssKb,
        },
  );
}

/**
 * The functions stand for the nodejs22.x runtime, where the AWS SDK has nothing to warn about. On
 * the Node 20 host its NodeVersionSupportWarning would land in the function's log as an ERROR line
 * in the first invocation of each environment, which the local Errors metric would count.
 */
function dropNodeVersionWarning(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: unknown, ...rest: unknown[]) => {
    const text = warning instanceof Error ? warning.message : String(warning);
    if (text.startsWith('NodeVersionSupportWarning')) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}

// A module that cannot be found or loaded is Runtime.ImportModuleError; an error the module's own
// top-level code throws keeps its type, as in Lambda's Node runtime.
function importError(error: unknown): LambdaErrorPayload {
  const code = (error as { code?: unknown }).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const inner = toLambdaError(error);
    return { ...inner, errorType: 'Runtime.ImportModuleError', errorMessage: `Error: ${inner.errorMessage}` };
  }
  return toLambdaError(error);
}

function flushed(): Promise<void> {
  return new Promise((resolve) => process.stdout.write('', () => resolve()));
}

// As the Node runtime does: log the error, report it, and exit (128 for a rejection, 129 otherwise).
function catchFatalErrors(): void {
  const die = async (label: string, error: LambdaErrorPayload, code: number): Promise<void> => {
    logRuntimeError(label, error);
    send({ type: 'fatal', error });
    await flushed();
    process.exit(code);
  };
  process.on('uncaughtException', (error) => {
    void die('Uncaught Exception', toLambdaError(error), 129);
  });
  process.on('unhandledRejection', (reason) => {
    const errorMessage = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const error = new Error(errorMessage);
    error.name = 'Runtime.UnhandledPromiseRejection';
    void die('Unhandled Promise Rejection', toLambdaError(error), 128);
  });
}

async function main(): Promise<void> {
  const [entry, exportName = 'handler'] = process.argv.slice(2);
  dropNodeVersionWarning();
  // Local X-Ray (src/local/tracing): the preload must run before the handler module loads.
  if (process.env.GUMSHOE_LOCAL_TRACING === '1') await import('../tracing/register');
  patchConsole();
  let handler: Handler;
  try {
    if (entry === undefined) throw new Error('bootstrap needs the handler module path');
    const module = (await import(pathToFileURL(entry).href)) as Record<string, unknown>;
    const candidate = module[exportName];
    if (typeof candidate !== 'function') {
      throw Object.assign(new Error(`${entry} does not export a function named ${exportName}`), {
        name: 'Runtime.HandlerNotFound',
      });
    }
    handler = candidate as Handler;
  } catch (error) {
    const lambdaError = importError(error);
    logRuntimeError('Uncaught Exception', lambdaError);
    send({ type: 'init-error', error: lambdaError });
    await flushed();
    process.exit(129);
  }
  catchFatalErrors();
  // One invocation at a time: the parent never sends the next before the result of the last.
  process.on('message', (message: InvokeMessage) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready' });
}

void main();
