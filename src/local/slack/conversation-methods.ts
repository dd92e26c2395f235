import { knownChannel, type MessageStore, toApiMessage } from './message-store';
import { apiError, type WebApiMethod } from './web-api-method';

/** conversations.history (newest first, threads summarised) and conversations.replies. */
export function conversationMethods(store: MessageStore): Record<string, WebApiMethod> {
  return {
    'conversations.history': (args) => {
      const channel = knownChannel(args.channel);
      if (!channel) return apiError('channel_not_found');
      const limit = Math.min(Number(args.limit ?? 100) || 100, 1000);
      const all = store.channelMessages(channel);
      const top = all
        .filter((m) => !m.threadTs)
        .reverse()
        .slice(0, limit)
        .map((m) => {
          const replies = all.filter((r) => r.threadTs === m.ts);
          return replies.length > 0
            ? {
                ...toApiMessage(m),
                thread_ts: m.ts,
                reply_count: replies.length,
                latest_reply: replies.at(-1)?.ts,
              }
            : toApiMessage(m);
        });
      return { body: { ok: true, messages: top, has_more: false, response_metadata: { next_cursor: '' } } };
    },
    'conversations.replies': (args) => {
      const channel = knownChannel(args.channel);
      if (!channel) return apiError('channel_not_found');
      const all = store.channelMessages(channel);
      const parent = all.find((m) => m.ts === args.ts && !m.threadTs);
      if (!parent) return apiError('thread_not_found');
      const replies = all.filter((m) => m.threadTs === parent.ts);
      return {
        body: {
          ok: true,
          messages: [
            { ...toApiMessage(parent), thread_ts: parent.ts, reply_count: replies.length },
            ...replies.map(toApiMessage),
          ],
          has_more: false,
        },
      };
    },
  };
}
