import { ErrorCode, WebClient } from '@slack/web-api';
import {
  type AlarmChat,
  AlarmChatError,
  type AlarmTimer,
  ChatFailure,
  type ChatMessage,
  type PostedMessage,
  type UncertainPost,
} from '../../commands/alarms/ports';
import type { BotConfig } from '../config';
import { SlackRateLimitedError } from '../errors';
import { slackClientOptions, withRateLimitBudget } from '../slack-client';

/** The metadata event type that marks Gumshoe's alarm posts, so a retry can find a post Slack made. */
export const ALARM_POST_EVENT = 'gumshoe_alarm_post';

/** Slack errors that no retry can fix: the target is gone or closed to the bot (aws-and-slack-facts). */
const GONE = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'thread_not_found',
  'message_not_found',
  'cant_update_message',
]);

/**
 * What the operator must do when Slack refuses the channel itself: a bot posts to a private
 * channel, replies in threads and uploads graphs only as a member (chat:write.public covers
 * top-level posts to public channels only), so the log line says how to fix it.
 */
export const CHANNEL_ACCESS_HINTS: Readonly<Record<string, string>> = {
  not_in_channel: 'Gumshoe is not a member of the channel: type `/invite @Gumshoe` in it (docs/deploy.md)',
  channel_not_found:
    'no channel with this id is visible to Gumshoe: check `-c channelId` (the channel id, not its name), or `/invite @Gumshoe` if it is private (docs/deploy.md)',
};

function classify(error: unknown): AlarmChatError {
  if (error instanceof AlarmChatError) return error;
  if (error instanceof SlackRateLimitedError)
    return new AlarmChatError(ChatFailure.rateLimited, 'ratelimited', {
      cause: error,
      retryAfterSeconds: error.retryAfterSeconds,
    });
  const e = error as { code?: unknown; data?: { error?: unknown }; statusCode?: unknown };
  if (e.code === ErrorCode.PlatformError) {
    const code = String(e.data?.error ?? 'unknown_error');
    const hint = CHANNEL_ACCESS_HINTS[code];
    return new AlarmChatError(GONE.has(code) ? ChatFailure.gone : ChatFailure.failed, code, {
      cause: error,
      ...(hint ? { hint } : {}),
    });
  }
  // An HTTP error (5xx) or a request that failed or timed out: Slack may still have made the post.
  if (e.code === ErrorCode.HTTPError || e.code === ErrorCode.RequestError)
    return new AlarmChatError(
      ChatFailure.unknown,
      `${String(e.code)}${e.statusCode ? ` ${String(e.statusCode)}` : ''}`,
      {
        cause: error,
      },
    );
  return new AlarmChatError(ChatFailure.failed, 'unexpected', { cause: error });
}

function slackArgs(message: ChatMessage) {
  return {
    text: message.text,
    ...(message.blocks ? { blocks: message.blocks as never } : {}),
    ...(message.attachments ? { attachments: message.attachments as never } : {}),
  };
}

/**
 * {@link AlarmChat} over the Slack Web API. Posts are never retried by the client (its own retries
 * would post a message Slack made but answered 500 for, three times); a post's 429 goes to the
 * pacer (it owns when posts go), any other call's is waited out while the invocation has time.
 */
export class SlackAlarmChat implements AlarmChat {
  constructor(
    private readonly client: WebClient,
    private readonly timer: AlarmTimer,
  ) {}

  /** A Web client for the alarm path: the bot's options, with the client's own retries off. */
  static clientFor(token: string, config: Pick<BotConfig, 'slackApiUrl' | 'slackTimeoutMs'>): WebClient {
    return new WebClient(token, { ...slackClientOptions(config), retryConfig: { retries: 0 } });
  }

  private async call<T>(run: () => Promise<T>, maxWaits?: number): Promise<T> {
    try {
      return await withRateLimitBudget(run, {
        remainingTimeMs: () => this.timer.remainingMs(),
        sleep: (ms) => this.timer.sleep(ms),
        ...(maxWaits === undefined ? {} : { maxWaits }),
      });
    } catch (error) {
      throw classify(error);
    }
  }

  async post(
    target: { readonly channel: string; readonly threadTs?: string },
    message: ChatMessage,
    key?: string,
  ): Promise<PostedMessage> {
    const res = await this.call(
      () =>
        this.client.chat.postMessage({
          channel: target.channel,
          ...(target.threadTs ? { thread_ts: target.threadTs } : {}),
          ...slackArgs(message),
          ...(key ? { metadata: { event_type: ALARM_POST_EVENT, event_payload: { key } } } : {}),
        }),
      // A post's 429 goes straight to the pacer, which retries it at a fresh shared slot.
      0,
    );
    if (!res.ts) throw new AlarmChatError(ChatFailure.failed, 'no_ts');
    return { channel: res.channel ?? target.channel, ts: res.ts };
  }

  async update(target: PostedMessage, message: ChatMessage): Promise<void> {
    await this.call(() =>
      this.client.chat.update({ channel: target.channel, ts: target.ts, ...slackArgs(message) }),
    );
  }

  async findPost(key: string, uncertain: UncertainPost): Promise<PostedMessage | undefined> {
    const oldest = (uncertain.since.getTime() / 1000).toFixed(6);
    const res = await this.call(() =>
      uncertain.threadTs
        ? this.client.conversations.replies({
            channel: uncertain.channel,
            ts: uncertain.threadTs,
            oldest,
            include_all_metadata: true,
            limit: 200,
          })
        : this.client.conversations.history({
            channel: uncertain.channel,
            oldest,
            include_all_metadata: true,
            limit: 200,
          }),
    );
    const hit = (res.messages ?? []).find((m) => {
      const meta = (m as { metadata?: { event_type?: string; event_payload?: { key?: unknown } } }).metadata;
      return meta?.event_type === ALARM_POST_EVENT && meta.event_payload?.key === key;
    });
    return hit?.ts ? { channel: uncertain.channel, ts: hit.ts } : undefined;
  }

  async uploadImage(
    target: PostedMessage,
    image: Uint8Array,
    file: { readonly name: string; readonly title: string },
  ): Promise<void> {
    await this.call(() =>
      this.client.files.uploadV2({
        channel_id: target.channel,
        thread_ts: target.ts,
        file: Buffer.from(image),
        filename: file.name,
        title: file.title,
      }),
    );
  }
}
