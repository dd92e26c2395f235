import { z } from 'zod';
import { knownChannel, type MessageStore, toApiMessage } from './message-store';
import { type ApiResult, apiError, type WebApiMethod } from './web-api-method';
import { LOCAL_WORKSPACE } from './workspace';

const MessageArgs = z.object({
  channel: z.string(),
  text: z.string().optional(),
  blocks: z.array(z.unknown()).optional(),
  attachments: z.array(z.unknown()).optional(),
  thread_ts: z.string().optional(),
  ts: z.string().optional(),
  user: z.string().optional(),
  metadata: z.object({ event_type: z.string(), event_payload: z.record(z.string(), z.unknown()) }).optional(),
});

/** chat.postMessage, chat.update and chat.postEphemeral, with the errors Slack answers them with. */
export function chatMethods(store: MessageStore): Record<string, WebApiMethod> {
  return {
    'chat.postMessage': (args) => postMessage(store, args),
    'chat.update': (args) => {
      const parsed = MessageArgs.safeParse(args);
      if (!parsed.success || !parsed.data.ts) return apiError('invalid_arguments');
      const channel = knownChannel(parsed.data.channel);
      if (!channel) return apiError('channel_not_found');
      const message = store.channelMessages(channel).find((m) => m.ts === parsed.data.ts);
      if (!message) return apiError('message_not_found');
      store.edit(message, parsed.data);
      return {
        body: { ok: true, channel, ts: message.ts, text: message.text, message: toApiMessage(message) },
      };
    },
    'chat.postEphemeral': (args) => {
      const parsed = MessageArgs.safeParse(args);
      if (!parsed.success || !parsed.data.user) return apiError('invalid_arguments');
      const channel = knownChannel(parsed.data.channel);
      if (!channel) return apiError('channel_not_found');
      if (parsed.data.user !== LOCAL_WORKSPACE.userId) return apiError('user_not_in_channel');
      const message = store.add({
        kind: 'ephemeral',
        via: 'chat.postEphemeral',
        channel,
        user: parsed.data.user,
        text: parsed.data.text ?? '',
        blocks: parsed.data.blocks ?? [],
        // Slack shows an ephemeral posted with thread_ts inside that thread.
        ...(parsed.data.thread_ts ? { threadTs: parsed.data.thread_ts } : {}),
      });
      return { body: { ok: true, message_ts: message.ts } };
    },
  };
}

function postMessage(store: MessageStore, args: Record<string, unknown>): ApiResult {
  const parsed = MessageArgs.safeParse(args);
  if (!parsed.success) return apiError('invalid_arguments');
  const channel = knownChannel(parsed.data.channel);
  if (!channel) return apiError('channel_not_found');
  if (!parsed.data.text && !parsed.data.blocks && !parsed.data.attachments) return apiError('no_text');
  const thread = parsed.data.thread_ts;
  if (thread && !store.channelMessages(channel).some((m) => m.ts === thread && !m.threadTs)) {
    return apiError('thread_not_found');
  }
  const message = store.add({
    kind: 'channel',
    via: 'chat.postMessage',
    channel,
    text: parsed.data.text ?? '',
    blocks: parsed.data.blocks ?? [],
    ...(parsed.data.attachments ? { attachments: parsed.data.attachments } : {}),
    ...(thread ? { threadTs: thread } : {}),
    ...(parsed.data.metadata ? { metadata: parsed.data.metadata } : {}),
  });
  return { body: { ok: true, channel, ts: message.ts, message: toApiMessage(message) } };
}
