import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { FunctionInvoker } from './function-invoker';

/** A Lambda handler called in this process. */
export type InProcessHandler = (event: never, context: Context) => Promise<unknown>;

/**
 * Invokes handlers in this process (looked up by function name at each call), without the runner's child processes: for tests that drive a
 * handler through the same event sources (HTTP API, Function URL) as the local stack.
 */
export function inProcessInvoker(handlerOf: (name: string) => InProcessHandler | undefined): FunctionInvoker {
  return {
    async invoke(name, event) {
      const handler = handlerOf(name);
      if (handler === undefined) throw new Error(`no in-process handler for ${name}`);
      const requestId = randomUUID();
      const deadline = Date.now() + 30_000;
      const context = {
        callbackWaitsForEmptyEventLoop: true,
        functionName: name,
        functionVersion: '$LATEST',
        invokedFunctionArn: `arn:aws:lambda:eu-west-1:000000000000:function:${name}`,
        memoryLimitInMB: '128',
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${name}`,
        logStreamName: 'in-process',
        getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
        done: () => undefined,
        fail: () => undefined,
        succeed: () => undefined,
      } satisfies Context;
      try {
        return { requestId, statusCode: 200, payload: await handler(event as never, context) };
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        const payload = {
          errorType: err.name,
          errorMessage: err.message,
          trace: (err.stack ?? '').split('\n'),
        };
        return { requestId, statusCode: 200, payload, functionError: 'Unhandled', error: payload };
      }
    },
  };
}
