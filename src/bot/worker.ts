import type { WebClient } from '@slack/web-api';
import { GumshoeError } from '../commands/errors';
import type { InvestigationJob } from '../commands/jobs';
import { type SlackMessage, section } from '../commands/slack/block-kit';
import { validateMessage } from '../commands/slack/validate-message';
import { ResponseUrlRefusedError } from './errors';
import type { WorkerInput } from './job-dispatcher';
import { deliverReply } from './reply';
import type { ResponseUrlPolicy } from './response-url';

/** What one worker run needs; the handler builds it once per environment. */
export interface WorkerDeps {
  investigate: (job: InvestigationJob) => Promise<SlackMessage>;
  client: WebClient;
  remainingTimeMs: () => number;
  responseUrls: ResponseUrlPolicy;
  log: (level: 'info' | 'error', message: string, detail: Record<string, unknown>) => void;
  fetch?: typeof fetch;
}

/** The apology a user sees for an unexpected failure: a request id to quote, never a stack. */
export function apologyMessage(requestId: string): SlackMessage {
  return plainMessage(
    `Sorry, Gumshoe hit an unexpected error. Quote request id \`${requestId}\` to its maintainers.`,
  );
}

/** One section of mrkdwn, within Slack's limits (section() cuts the text to 3000 characters). */
function plainMessage(text: string): SlackMessage {
  return validateMessage([section(text)], text.slice(0, 3000));
}

/**
 * Runs one investigation and answers the user: the result, an expected error's user message
 * (always ephemeral), or an apology with the request id (the stack goes to the log only).
 */
export async function runWorker(
  input: WorkerInput,
  requestId: string,
  deps: WorkerDeps,
): Promise<'answered' | 'failed'> {
  let message: SlackMessage;
  let target = input.reply;
  let outcome: 'answered' | 'failed' = 'answered';
  try {
    message = await deps.investigate(input.job);
  } catch (error) {
    outcome = 'failed';
    // A failure is for the asker only, even when the result would have been shared.
    target = { ...input.reply, share: false };
    if (error instanceof GumshoeError) {
      deps.log('info', 'investigation ended with an expected error', { requestId, job: input.job, error });
      message = plainMessage(error.userMessage);
    } else {
      deps.log('error', 'investigation failed', { requestId, job: input.job, error });
      message = apologyMessage(requestId);
    }
  }
  try {
    await deliverReply(target, message, {
      client: deps.client,
      remainingTimeMs: deps.remainingTimeMs,
      responseUrls: deps.responseUrls,
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    });
  } catch (error) {
    // A refused response_url never becomes acceptable: no retry, nothing sent, the log says why.
    if (!(error instanceof ResponseUrlRefusedError)) throw error;
    deps.log('error', 'answer not sent: response_url refused', { requestId, job: input.job, error });
    return 'failed';
  }
  return outcome;
}
