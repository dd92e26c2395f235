import { startLocalSlack } from './server';
import { LOCAL_SLACK_DEFAULTS } from './workspace';

// Runs the local Slack on its own: `npx tsx src/local/slack/main.ts`.
const botPort = process.env.BOT_PORT;
const slack = await startLocalSlack({
  port: Number(process.env.LOCAL_SLACK_PORT ?? LOCAL_SLACK_DEFAULTS.port),
  signingSecret: process.env.SLACK_SIGNING_SECRET ?? LOCAL_SLACK_DEFAULTS.signingSecret,
  botToken: process.env.SLACK_BOT_TOKEN ?? LOCAL_SLACK_DEFAULTS.botToken,
  botUrl: botPort ? `http://127.0.0.1:${botPort}/slack/events` : LOCAL_SLACK_DEFAULTS.botUrl,
  ...(process.env.LOCAL_SLACK_RATE_LIMIT === '1'
    ? { rateLimits: { 'chat.postMessage': { perSecond: 1, burst: 3 } } }
    : {}),
});
console.log(`local Slack: ${slack.url} (Web API ${slack.apiUrl})`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void slack.close());
