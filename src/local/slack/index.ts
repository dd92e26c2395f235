export { InProcessJobDispatcher } from './in-process-dispatcher';
export { type ChannelFragments, renderChannelFragments, renderChannelPage } from './page';
export { type RateLimit, RateLimiter } from './rate-limiter';
export {
  type BlockActionOptions,
  buildBlockActionRequest,
  buildSlashCommandRequest,
  type SignedSlackRequest,
  type SlackSendResult,
  type SlashCommandOptions,
  sendBlockAction,
  sendSignedRequest,
  sendSlashCommand,
} from './sender';
export {
  type LocalMessage,
  type LocalSlack,
  type LocalSlackOptions,
  type MessageFilter,
  startLocalSlack,
} from './server';
export { signSlackRequest } from './signing';
export { LOCAL_SLACK_DEFAULTS, LOCAL_WORKSPACE } from './workspace';
