import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { AwsServiceError, unknownOperation } from './errors';
import type { JsonServiceDefinition, RawResponse, RequestContext, ServiceRegistry } from './registry';

/** AWS rejects bigger bodies too; a cap keeps a runaway client from filling memory. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Options of {@link createAwsHttpServer}. */
export interface AwsHttpServerOptions {
  readonly registry: ServiceRegistry;
  readonly defaultRegion: string;
  readonly accountId: string;
  /** Filled in once the server listens (the port may be random). */
  endpointUrl(): string;
}

const CREDENTIAL_SCOPE = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//;

/** The region a SigV4-signed request was signed for, if it was signed. */
export function regionFromAuthorization(header: string | undefined): string | undefined {
  return header ? CREDENTIAL_SCOPE.exec(header)?.[1] : undefined;
}

/** The node:http server that routes awsJson by `X-Amz-Target` and restJson by path. */
export function createAwsHttpServer(options: AwsHttpServerOptions): Server {
  return createServer((req, res) => {
    handle(options, req, res).catch((error: unknown) => {
      // Never crash on one bad request: log the stack, answer 500 like an AWS internal error.
      process.stderr.write(
        `local-aws: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      if (!res.headersSent)
        send(
          res,
          jsonError(new AwsServiceError('InternalFailure', 'Internal error', { status: 500 }), '1.1'),
        );
      else res.destroy();
    });
  });
}

async function handle(
  options: AwsHttpServerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const body = await readBody(req);
  const ctx: RequestContext = {
    region: regionFromAuthorization(req.headers.authorization) ?? options.defaultRegion,
    accountId: options.accountId,
    endpointUrl: options.endpointUrl(),
    headers: req.headers,
  };
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string' && target.length > 0) {
    send(res, await handleJson(options.registry, target, body, ctx));
    return;
  }
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  const rest = options.registry.restService(method, url.pathname);
  if (rest) {
    send(res, await rest.handle({ method, path: url.pathname, query: url.searchParams, body }, ctx));
    return;
  }
  send(res, jsonError(unknownOperation(`${method} ${url.pathname}`), '1.1'));
}

async function handleJson(
  registry: ServiceRegistry,
  target: string,
  body: Buffer,
  ctx: RequestContext,
): Promise<RawResponse> {
  const dot = target.lastIndexOf('.');
  const service = dot > 0 ? registry.jsonService(target.slice(0, dot)) : undefined;
  if (!service) return jsonError(unknownOperation(target), '1.1');
  const operationName = target.slice(dot + 1);
  try {
    if (service.forward) return await service.forward(operationName, body, ctx);
    const operation = Object.hasOwn(service.operations, operationName)
      ? service.operations[operationName]
      : undefined;
    if (!operation) throw unknownOperation(target);
    const input = parseJsonBody(body);
    const output = await operation(input, ctx);
    return {
      status: 200,
      headers: {
        'content-type': `application/x-amz-json-${service.jsonVersion}`,
        'x-amzn-requestid': randomUUID(),
      },
      body: JSON.stringify(output ?? {}),
    };
  } catch (error) {
    if (error instanceof AwsServiceError) return jsonError(error, service.jsonVersion, service);
    throw error;
  }
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  // An empty body is how some SDKs send an operation without input.
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new AwsServiceError(
      'SerializationException',
      'Start of structure or map found where not expected',
      { cause },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new AwsServiceError('SerializationException', 'Expected a JSON object as the request body');
  }
  return parsed as Record<string, unknown>;
}

/** The awsJson error response: `__type`, `message`, `x-amzn-ErrorType` (+ `x-amzn-query-error`). */
export function jsonError(
  error: AwsServiceError,
  jsonVersion: '1.0' | '1.1',
  service?: JsonServiceDefinition,
): RawResponse {
  const type = error.namespace ? `${error.namespace}#${error.code}` : error.code;
  const headers: Record<string, string> = {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': randomUUID(),
  };
  if (service?.queryCompatible && error.queryCode) {
    headers['x-amzn-query-error'] = `${error.queryCode};${error.status >= 500 ? 'Receiver' : 'Sender'}`;
  }
  return {
    status: error.status,
    headers,
    body: JSON.stringify({ __type: type, message: error.message, ...error.fields }),
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new AwsServiceError('SerializationException', 'Request body too large', { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: RawResponse): void {
  const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
  res.writeHead(response.status, { ...response.headers, 'content-length': String(body.length) });
  res.end(body);
}
