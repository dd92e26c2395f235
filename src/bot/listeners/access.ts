import type { BotConfig } from '../config';

/** The refusal shown when a command comes from outside the allow-lists. */
export const NOT_ALLOWED_TEXT =
  'Gumshoe is not enabled here. Ask its maintainers to add this channel or user.';

/** Whether the allow-lists (empty = everyone) let this channel and user run commands. */
export function isAllowed(
  config: Pick<BotConfig, 'allowedChannelIds' | 'allowedUserIds'>,
  channelId: string | undefined,
  userId: string | undefined,
): boolean {
  const channelOk =
    config.allowedChannelIds.length === 0 || (!!channelId && config.allowedChannelIds.includes(channelId));
  const userOk = config.allowedUserIds.length === 0 || (!!userId && config.allowedUserIds.includes(userId));
  return channelOk && userOk;
}
