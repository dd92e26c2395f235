import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The slice of a Lambda Function URL (payload v2) event our Slack handler reads. */
export interface FunctionUrlEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  requestContext: { http: { method: string; path: string } };
  body: string;
  isBase64Encoded: boolean;
}

/** A Lambda handler answering a Function URL request. */
export type FunctionUrlHandler = (
  event: FunctionUrlEvent,
  context: unknown,
) => Promise<{ statusCode: number; body?: string; headers?: Record<string, unknown> }>;

/** A running Function URL stand-in. */
export interface FunctionUrlServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Options of {@link startFunctionUrlServer}; the local default is the bot's 127.0.0.1:3200. */
export interface FunctionUrlServerOptions {
  port?: number;
  host?: string;
  path?: string;
}

/** Builds the event a Function URL sends: headers lowercased, a form body base64-encoded as AWS does. */
export function toFunctionUrlEvent(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
): FunctionUrlEvent {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) flat[key.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const isBase64Encoded = !(flat['content-type'] ?? '').startsWith('application/json');
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: flat,
    requestContext: { http: { method, path } },
    body: isBase64Encoded ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded,
  };
}

/** Serves a Lambda handler over HTTP the way a Function URL does, so the local Slack can call the bot. */
export async function startFunctionUrlServer(
  handler: FunctionUrlHandler,
  options: FunctionUrlServerOptions = {},
): Promise<FunctionUrlServer> {
  const path = options.path ?? '/slack/events';
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const event = toFunctionUrlEvent(
        request.method ?? 'POST',
        request.url ?? path,
        request.headers,
        Buffer.concat(chunks),
      );
      handler(event, { getRemainingTimeInMillis: () => 10_000, awsRequestId: 'local' })
        .then((result) => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(result.headers ?? {})) headers[key] = String(value);
          response.writeHead(result.statusCode, headers);
          response.end(result.body ?? '');
        })
        .catch(() => {
          response.writeHead(502, { 'content-type': 'text/plain' });
          response.end('the handler threw; see its log');
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3200, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}${path}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
