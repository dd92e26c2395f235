import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { OrderMessage } from '../order-flow';

const lambda = new LambdaClient({});

/** Hands the order to the next function asynchronously (Lambda's Event invocation), as a step function would. */
export async function nextStep(functionName: string, order: OrderMessage): Promise<void> {
  await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      InvocationType: 'Event',
      Payload: JSON.stringify(order),
    }),
  );
}
