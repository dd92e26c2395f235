import type { WebClient } from '@slack/web-api';
import type { SlackMessage } from '../commands/slack/block-kit';
import { ResponseUrlError, ResponseUrlRefusedError } from './errors';
import type { ReplyTarget } from './job-dispatcher';
import { isAllowedResponseUrl, type ResponseUrlPolicy } from './response-url';
import { withRateLimitBudget } from './slack-client';

/** What delivering an answer needs. */
export interface ReplyDeps {
  client: WebClient;
  remainingTimeMs: () => number;
  /** Where a response_url may point; anything else is refused without a request. */
  responseUrls: ResponseUrlPolicy;
  fetch?: typeof fetch;
}

/**
 * Delivers a message: through the response_url when there is one (ephemeral unless shared), else
 * chat.postMessage when shared or chat.postEphemeral to the asker (a private answer stays private),
 * in the target's thread when it names one.
 */
export async function deliverReply(
  target: ReplyTarget,
  message: SlackMessage,
  deps: ReplyDeps,
): Promise<void> {
  if (target.responseUrl) {
    // Checked again here, the one place that POSTs: the worker's input may not come from the edge.
    if (!isAllowedResponseUrl(target.responseUrl, deps.responseUrls)) throw new ResponseUrlRefusedError();
    const response = await (deps.fetch ?? fetch)(target.responseUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({
        response_type: target.share ? 'in_channel' : 'ephemeral',
        replace_original: false,
        text: message.text,
        blocks: message.blocks,
      }),
      signal: AbortSignal.timeout(Math.max(1000, Math.min(10_000, deps.remainingTimeMs() - 1000))),
    });
    if (!response.ok) throw new ResponseUrlError(response.status);
    return;
  }
  const budget = { remainingTimeMs: deps.remainingTimeMs };
  const thread = target.threadTs ? { thread_ts: target.threadTs } : {};
  if (target.share) {
    await withRateLimitBudget(
      () =>
        deps.client.chat.postMessage({
          channel: target.channelId,
          ...thread,
          text: message.text,
          blocks: message.blocks as never,
        }),
      budget,
    );
    return;
  }
  await withRateLimitBudget(
    () =>
      deps.client.chat.postEphemeral({
        channel: target.channelId,
        user: target.userId,
        ...thread,
        text: message.text,
        blocks: message.blocks as never,
      }),
    budget,
  );
}
