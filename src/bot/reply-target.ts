// zod/mini: the Slack handler checks every reply target before the worker hand-off, on the ack path,
// where zod classic's load time counted against the cold start.
import * as z from 'zod/mini';

/** Where the worker sends its answer. */
export const ReplyTarget = z.object({
  responseUrl: z.optional(z.url()),
  channelId: z.string().check(z.minLength(1)),
  userId: z.string().check(z.minLength(1)),
  share: z.boolean(),
  // Set when the answer belongs in a thread (an alarm's conversation), not the channel's top level.
  threadTs: z.optional(z.string().check(z.minLength(1))),
});
export type ReplyTarget = z.infer<typeof ReplyTarget>;
