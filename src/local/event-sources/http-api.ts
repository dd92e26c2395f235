import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { FunctionInvoker } from './function-invoker';

/** How the API Gateway HTTP API (or Function URL) stand-in is set up. */
export interface HttpApiOptions {
  invoker: FunctionInvoker;
  /** `'METHOD /path'` (path may hold `{param}`) or `'$default'` → function name. */
  routes: Record<string, string>;
  port?: number;
  host?: string;
  /** API Gateway's integration timeout is 30 s, after which the client gets 503. */
  integrationTimeoutMs?: number;
  stage?: string;
}

/** A running HTTP API stand-in. */
export interface HttpApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

interface Route {
  key: string;
  method: string;
  pattern: RegExp | undefined;
  paramNames: string[];
  functionName: string;
}

// API Gateway hands text bodies over as is and base64-encodes everything else.
const textContentType =
  /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/** Starts a node:http server turning requests into payload v2 events, as an HTTP API or a Lambda Function URL does. */
export async function startHttpApi(options: HttpApiOptions): Promise<HttpApiServer> {
  const routes = compileRoutes(options.routes);
  const server = createServer((request, response) => {
    handleRequest(options, routes, request, response).catch((error: unknown) => {
      process.stderr.write(`local http api: ${String(error)}\n`);
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
    });
  });
  await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () => closeServer(server),
  };
}

function compileRoutes(routes: Record<string, string>): Route[] {
  return Object.entries(routes).map(([key, functionName]) => {
    if (key === '$default') return { key, method: 'ANY', pattern: undefined, paramNames: [], functionName };
    const [method = 'ANY', path = '/'] = key.split(' ');
    const paramNames: string[] = [];
    const source = path
      .split('/')
      .map((segment) => {
        const param = /^\{(\w+)\+?\}$/.exec(segment);
        if (param?.[1] === undefined) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        paramNames.push(param[1]);
        return segment.endsWith('+}') ? '(.+)' : '([^/]+)';
      })
      .join('/');
    return {
      key,
      method: method.toUpperCase(),
      pattern: new RegExp(`^${source}$`),
      paramNames,
      functionName,
    };
  });
}

function matchRoute(routes: Route[], method: string, path: string) {
  for (const route of routes) {
    if (route.pattern === undefined) continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (match === null) continue;
    const params = Object.fromEntries(
      route.paramNames.map((name, i) => [name, decodeURIComponent(match[i + 1] ?? '')]),
    );
    return { route, params };
  }
  const fallback = routes.find((route) => route.key === '$default');
  return fallback === undefined ? undefined : { route: fallback, params: {} };
}

async function handleRequest(
  options: HttpApiOptions,
  routes: Route[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = (request.method ?? 'GET').toUpperCase();
  const body = await readBody(request);
  if (body === undefined) {
    sendJson(response, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const matched = matchRoute(routes, method, url.pathname);
  if (matched === undefined) {
    sendJson(response, 404, { message: 'Not Found' });
    return;
  }
  const event = toEvent(request, url, body, matched.route.key, matched.params, options.stage ?? '$default');
  // Lambda takes a synchronous payload of at most 6 MB: a bigger event never reaches the function.
  if (Buffer.byteLength(JSON.stringify(event)) > MAX_INVOKE_PAYLOAD_BYTES) {
    sendJson(response, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const timeoutMs = options.integrationTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const invocation = options.invoker.invoke(matched.route.functionName, event);
  // The function keeps running after the integration gives up, as it does in AWS.
  invocation.catch(() => undefined);
  const outcome = await Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
  if (outcome === 'timeout') {
    sendJson(response, 503, { message: 'Service Unavailable' });
    return;
  }
  if (outcome.functionError !== undefined) {
    sendJson(response, 500, { message: 'Internal Server Error' });
    return;
  }
  writeResult(response, outcome.payload, outcome.requestId);
}

/** Builds the payload v2 event API Gateway sends for one request. */
export function toEvent(
  request: IncomingMessage,
  url: URL,
  body: Buffer,
  routeKey: string,
  pathParameters: Record<string, string>,
  stage: string,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const cookies = (request.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  const now = new Date();
  const isText = body.length === 0 || textContentType.test(headers['content-type'] ?? 'text/plain');
  const method = (request.method ?? 'GET').toUpperCase();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.startsWith('?') ? url.search.slice(1) : '',
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: (headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage,
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

// API Gateway's requestContext.time: `24/Nov/2026:15:04:05 +0000`.
function formatRequestTime(date: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

// Payload v2: a result with statusCode is a response; anything else is a 200 JSON body.
function writeResult(response: ServerResponse, payload: unknown, requestId: string): void {
  const base = { 'apigw-requestid': requestId };
  if (typeof payload !== 'object' || payload === null || !('statusCode' in payload)) {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    response.writeHead(200, { ...base, 'content-type': 'application/json' }).end(body);
    return;
  }
  const result = payload as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string | string[]> = { ...base };
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (result.cookies !== undefined && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : result.body;
  response
    .writeHead(result.statusCode ?? 200, headers)
    .end(result.isBase64Encoded === true ? Buffer.from(body, 'base64') : body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Lambda's limit on a synchronous invocation's payload (6 MB). */
export const MAX_INVOKE_PAYLOAD_BYTES = 6_291_456;

// The body, or undefined past what the function could ever take (the rest is drained, not kept).
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_INVOKE_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_INVOKE_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Listens on host:port (0 = a free port). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Closes a server, dropping idle keep-alive connections so close does not hang. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
