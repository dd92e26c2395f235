import type { IncomingMessage, ServerResponse } from 'node:http';
import { FunctionNotFoundError } from './errors';
import type { LambdaRunner } from './lambda-runner';

const invokePath = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** Answers Lambda's Invoke API; returns false (and writes nothing) when the request is not an Invoke call. */
export type LambdaInvokeRequestHandler = (
  request: IncomingMessage,
  response: ServerResponse,
) => Promise<boolean>;

/**
 * The Lambda `Invoke` operation (restJson1) over the runner, for mounting in the local AWS endpoint so
 * `@aws-sdk/client-lambda` InvokeCommand works unchanged.
 */
export function createLambdaInvokeHandler(
  runner: LambdaRunner,
  region = 'us-east-1',
): LambdaInvokeRequestHandler {
  return async (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    const match = invokePath.exec(path);
    if (request.method !== 'POST' || match?.[1] === undefined) return false;
    const functionName = toFunctionName(decodeURIComponent(match[1]));
    const body = await readBody(request);
    let event: unknown = null;
    try {
      event = body.length === 0 ? null : JSON.parse(body.toString('utf8'));
    } catch {
      sendError(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
      return true;
    }
    const invocationType = request.headers['x-amz-invocation-type'] === 'Event' ? 'Event' : 'RequestResponse';
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
      if (result.statusCode === 202) {
        response.writeHead(202, headers).end();
        return true;
      }
      if (result.functionError !== undefined) headers['x-amz-function-error'] = result.functionError;
      response
        .writeHead(200, { ...headers, 'content-type': 'application/json' })
        .end(JSON.stringify(result.payload ?? null));
    } catch (error) {
      if (error instanceof FunctionNotFoundError) {
        const arn = `arn:aws:lambda:${region}:000000000000:function:${functionName}`;
        sendError(response, 404, 'ResourceNotFoundException', `Function not found: ${arn}`);
      } else {
        sendError(response, 500, 'ServiceException', error instanceof Error ? error.message : String(error));
      }
    }
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

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': type })
    .end(JSON.stringify({ Type: 'User', message }));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
