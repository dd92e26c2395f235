import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { GumshoeError } from '../commands/errors';
import type { InvestigationJob } from '../commands/jobs';
import { ReplyTarget } from './reply-target';

/** Hands an investigation to the worker without waiting for it. */
export interface JobDispatcher {
  dispatch(input: { job: InvestigationJob; reply: ReplyTarget }): Promise<void>;
}

/** The worker could not be started; the user is told to retry. */
export class DispatchError extends GumshoeError {
  override readonly name = 'DispatchError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe could not start the investigation; please try again.', options);
  }
}

/**
 * Dispatches jobs with an asynchronous (`Event`) Lambda invoke of the worker function. The reply
 * target (read from Slack's payload) is checked here; the job is built by our listeners from
 * already-parsed input and is parsed in full by the worker on arrival (`WorkerInput`), which keeps
 * the job schema, and every investigation it names, out of the Slack handler's cold start.
 */
export class LambdaJobDispatcher implements JobDispatcher {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async dispatch(input: { job: InvestigationJob; reply: ReplyTarget }): Promise<void> {
    const reply = ReplyTarget.safeParse(input.reply);
    if (!reply.success) throw new DispatchError('invalid reply target', { cause: reply.error });
    let status: number | undefined;
    try {
      const result = await this.client.send(
        new InvokeCommand({
          FunctionName: this.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(JSON.stringify({ job: input.job, reply: reply.data })),
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
