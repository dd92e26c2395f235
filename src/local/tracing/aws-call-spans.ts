import { ClientRequest, type IncomingMessage } from 'node:http';
import { SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';

const PATCHED = Symbol.for('gumshoe.tracing.awsCallsPatched');

/** The X-Ray service name of an awsJson target prefix (`DynamoDB_20120810` → `DynamoDB`). */
export function serviceOfTarget(prefix: string): string {
  const known: Record<string, string> = {
    AmazonSQS: 'SQS',
    Logs_20140328: 'CloudWatchLogs',
    GraniteServiceVersion20100801: 'CloudWatch',
  };
  return known[prefix] ?? prefix.replace(/_?\d{8}$/, '');
}

function tableNameOf(body: unknown): string | undefined {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return undefined;
  try {
    const parsed = JSON.parse(String(body)) as { TableName?: unknown; QueueUrl?: unknown };
    return typeof parsed.TableName === 'string' ? parsed.TableName : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Records every awsJson AWS call (those carrying `X-Amz-Target`, e.g. DynamoDB PutItem) as a
 * CLIENT span with `aws.service`, `aws.operation`, `aws.table_name` and `http.status_code`.
 * It wraps the built-in `ClientRequest.prototype.end` rather than the SDK's Client class because
 * esbuild bundles give each function its own copy of the SDK while node:http stays shared.
 * Returns an undo function.
 */
export function instrumentAwsCalls(tracer: Tracer): () => void {
  const proto = ClientRequest.prototype as ClientRequest & { [PATCHED]?: boolean };
  if (proto[PATCHED]) return () => undefined;
  const original = proto.end;
  proto[PATCHED] = true;
  proto.end = function end(this: ClientRequest, ...args: unknown[]) {
    const target = this.getHeader('x-amz-target');
    if (typeof target !== 'string' || !target.includes('.'))
      return (original as (...a: unknown[]) => ClientRequest).apply(this, args);
    const dot = target.lastIndexOf('.');
    const service = serviceOfTarget(target.slice(0, dot));
    const table = tableNameOf(typeof args[0] === 'function' ? undefined : args[0]);
    const span = tracer.startSpan(service, {
      kind: SpanKind.CLIENT,
      attributes: {
        'aws.service': service,
        'aws.operation': target.slice(dot + 1),
        ...(table ? { 'aws.table_name': table } : {}),
      },
    });
    let ended = false;
    const finish = (status: number | undefined, error?: Error): void => {
      if (ended) return;
      ended = true;
      if (status !== undefined) span.setAttribute('http.status_code', status);
      if (error || (status !== undefined && status >= 400)) {
        if (error) span.recordException(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: error?.message ?? `HTTP ${status}` });
      }
      span.end();
    };
    this.once('response', (response: IncomingMessage) => {
      const requestId = response.headers['x-amzn-requestid'];
      if (typeof requestId === 'string') span.setAttribute('aws.request_id', requestId);
      response.once('end', () => finish(response.statusCode));
      response.once('close', () => finish(response.statusCode));
    });
    this.once('error', (error: Error) => finish(undefined, error));
    return (original as (...a: unknown[]) => ClientRequest).apply(this, args);
  } as typeof proto.end;
  return () => {
    proto.end = original;
    proto[PATCHED] = false;
  };
}
