import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { FunctionNotFoundError } from './errors';
import type { LambdaRunner } from './lambda-runner';

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** One Invoke request, transport aside. */
export interface InvokeApiRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP answer to an Invoke request. */
export interface InvokeApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** True for `POST /2015-03-31/functions/{FunctionName}/invocations`. */
export function isInvokeRequest(method: string, path: string): boolean {
  return method.toUpperCase() === 'POST' && invokePath.test(path);
}

/** Lambda's `Invoke` operation (restJson1) over the runner: status, headers and payload as AWS answers. */
export async function handleInvokeRequest(
  runner: LambdaRunner,
  request: InvokeApiRequest,
  region = 'us-east-1',
): Promise<InvokeApiResponse> {
  const name = invokePath.exec(request.path)?.[1];
  if (name === undefined) return errorResponse(404, 'UnknownOperationException', 'Unknown operation');
  const functionName = toFunctionName(decodeURIComponent(name));
  let event: unknown = null;
  try {
    event = request.body.length === 0 ? null : JSON.parse(request.body.toString('utf8'));
  } catch {
    return errorResponse(400, 'InvalidRequestContentException', 'Could not parse request body into json');
  }
  const invocationType =
    headerValue(request.headers['x-amz-invocation-type']) === 'Event' ? 'Event' : 'RequestResponse';
  const traceHeader = headerValue(request.headers['x-amzn-trace-id']);
  try {
    const result = await runner.invoke(functionName, event, {
      invocationType,
      ...(traceHeader === undefined ? {} : { traceHeader }),
    });
    const headers: Record<string, string> = {
      'x-amzn-requestid': result.requestId,
      'x-amz-executed-version': '$LATEST',
    };
    if (result.statusCode === 202) return { status: 202, headers, body: '' };
    if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
    return {
      status: 200,
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(result.payload ?? null),
    };
  } catch (error) {
    if (error instanceof FunctionNotFoundError) {
      const arn = `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
      return errorResponse(404, 'ResourceNotFoundException', `Function not found: ${arn}`);
    }
    return errorResponse(500, 'ServiceException', error instanceof Error ? error.message : String(error));
  }
}

/** A restJson service for the local AWS endpoint's `registerRestService`, serving Lambda Invoke. */
export function createLambdaInvokeService(runner: LambdaRunner) {
  return {
    name: 'lambda',
    matches: isInvokeRequest,
    async handle(
      request: { method: string; path: string; body: Buffer },
      ctx: { region: string; headers: IncomingHttpHeaders },
    ) {
      const response = await handleInvokeRequest(runner, { ...request, headers: ctx.headers }, ctx.region);
      return { status: response.status, headers: response.headers, body: response.body };
    },
  };
}

/** Answers Lambda's Invoke API on a node:http server; resolves false (writing nothing) for other requests. */
export type LambdaInvokeRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

/** The Invoke API as a node:http request handler, for a standalone server. */
export function createLambdaInvokeHandler(
  runner: LambdaRunner,
  region = 'us-east-1',
): LambdaInvokeRequestHandler {
  return async (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (!isInvokeRequest(request.method ?? 'GET', path)) return false;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await handleInvokeRequest(
      runner,
      { method: request.method ?? 'POST', path, headers: request.headers, body: Buffer.concat(chunks) },
      region,
    );
    response.writeHead(answer.status, answer.headers).end(answer.body);
    return true;
  };
}

// Invoke accepts a name, a full ARN or a partial ARN (`123456789012:function:name`); qualifiers are ignored.
function toFunctionName(identifier: string): string {
  const parts = identifier.split(':');
  const index = parts.indexOf('function');
  return index >= 0 ? (parts[index + 1] ?? identifier) : identifier;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function errorResponse(status: number, type: string, message: string): InvokeApiResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': type },
    body: JSON.stringify({ Type: 'User', message }),
  };
}
