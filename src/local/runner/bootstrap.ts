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

// Lambda's Node runtime prefixes console output with time, request id and level, and turns inner
// newlines into \r so one console call stays one CloudWatch event; JSON lines pass unprefixed.
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
      const text = format(...args);
      const line = isJsonLine(text)
        ? text
        : `${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${text}`;
      process.stdout.write(`${line.replaceAll('\n', '\r')}\n`);
    };
  }
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
    // The runtime logs the failure as one ERROR line, the error as JSON with the stack as an array.
    const { trace, ...rest } = outcome.error;
    console.error('Invoke Error \t%s', JSON.stringify({ ...rest, stack: trace }));
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
    send({ type: 'init-error', error: toLambdaError(error, 'Runtime.ImportModuleError') });
    return;
  }
  // One invocation at a time: the parent never sends the next before the result of the last.
  process.on('message', (message: InvokeMessage) => {
    if (message.type === 'invoke') void invoke(handler, message);
  });
  send({ type: 'ready' });
}

void main();
