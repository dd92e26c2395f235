import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { GumshoeError } from '../commands/errors';
import { InvestigationJob } from '../commands/jobs';

/** Where the worker sends its answer. */
export const ReplyTarget = z.object({
  responseUrl: z.url().optional(),
  channelId: z.string().min(1),
  userId: z.string().min(1),
  share: z.boolean(),
  // Set when the answer belongs in a thread (an alarm's conversation), not the channel's top level.
  threadTs: z.string().min(1).optional(),
});
export type ReplyTarget = z.infer<typeof ReplyTarget>;

/** The worker Lambda's input: the job and where to answer. */
export const WorkerInput = z.object({ job: InvestigationJob, reply: ReplyTarget });
export type WorkerInput = z.infer<typeof WorkerInput>;

/** Hands an investigation to the worker without waiting for it. */
export interface JobDispatcher {
  dispatch(input: WorkerInput): Promise<void>;
}

/** The worker could not be started; the user is told to retry. */
export class DispatchError extends GumshoeError {
  override readonly name = 'DispatchError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe could not start the investigation; please try again.', options);
  }
}

/** Dispatches jobs with an asynchronous (`Event`) Lambda invoke of the worker function. */
export class LambdaJobDispatcher implements JobDispatcher {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async dispatch(input: WorkerInput): Promise<void> {
    let status: number | undefined;
    try {
      const result = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify(WorkerInput.parse(input))),
        }),
      );
      status = result.StatusCode;
    } catch (error) {
      throw new DispatchError(`could not invoke ${this.functionName}`, { cause: error });
    }
    // An accepted Event invoke answers 202.
    if (status !== 202) throw new DispatchError(`invoke of ${this.functionName} answered ${status}`);
  }
}
