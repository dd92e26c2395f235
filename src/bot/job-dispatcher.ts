import * as z from 'zod';
import { InvestigationJob } from '../commands/jobs';
import { ReplyTarget } from './reply-target';

export { DispatchError, type JobDispatcher, LambdaJobDispatcher } from './lambda-job-dispatcher';
export { ReplyTarget } from './reply-target';

/**
 * The worker Lambda's input: the job and where to answer. Parsed by the worker on arrival; the
 * Slack handler imports the dispatcher from lambda-job-dispatcher.ts, so this schema stays off its ack path.
 */
export const WorkerInput = z.object({ job: InvestigationJob, reply: ReplyTarget });
export type WorkerInput = z.infer<typeof WorkerInput>;
