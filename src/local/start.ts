import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalStack } from './stack';

// `npm start [-- --fresh]`: the whole of Gumshoe and the service it watches, on loopback.
const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });
const dataDir = resolve(process.env.GUMSHOE_DATA_DIR ?? '.gumshoe');
const started = Date.now();

const stack = await startLocalStack({
  dataDir,
  fresh: values.fresh,
  ...(process.env.SLACK_SIGNING_SECRET ? { signingSecret: process.env.SLACK_SIGNING_SECRET } : {}),
  ...(process.env.SLACK_BOT_TOKEN ? { botToken: process.env.SLACK_BOT_TOKEN } : {}),
  ...(process.env.GUMSHOE_CHANNEL ? { channelId: process.env.GUMSHOE_CHANNEL } : {}),
});

const lines = [
  `Gumshoe local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data: ${dataDir}${values.fresh ? ', fresh' : ''})`,
  `  conference API      ${stack.conferenceApi.url}/sessions   (POST to create, GET to list)`,
  `  local AWS endpoint  ${stack.aws.url}   (Logs + Insights, DynamoDB + Streams, SQS, Lambda, X-Ray, CloudWatch, SNS)`,
  `  local Slack         ${stack.slack.url}/   (the #incidents channel; Web API under /api/)`,
  `  bot request URL     ${stack.botUrl}`,
  `  webhook + partner   ${stack.standIns.url}/_received   (what the Slack webhook and the partner got)`,
  '',
  `  export AWS_ENDPOINT_URL=${stack.aws.url} AWS_REGION=eu-west-1 AWS_DEFAULT_REGION=eu-west-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local`,
  'Ctrl-C stops everything.',
];
console.log(lines.join('\n'));

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping …');
    void stack.close().then(() => process.exit(0));
  });
}
