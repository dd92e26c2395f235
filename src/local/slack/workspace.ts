/** The one local workspace, as documented in the shared README's local defaults. */
export const LOCAL_WORKSPACE = {
  teamId: 'T0001',
  teamDomain: 'gumshoe-local',
  userId: 'U0001',
  userName: 'local-user',
  botUserId: 'U0BOT',
  botId: 'B0001',
  appId: 'A0001',
  channelId: 'C0001',
  channelName: 'incidents',
} as const;

/** Local-only credentials; never valid anywhere but on this machine. */
export const LOCAL_SLACK_DEFAULTS = {
  port: 3100,
  host: '127.0.0.1',
  signingSecret: 'local-signing-secret',
  botToken: 'xoxb-local-token',
  botUrl: 'http://127.0.0.1:3200/slack/events',
} as const;
