import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlowConfigError } from '../commands/flows/flow-set';
import { LOCAL_FLOW_CONFIG, startLocalStack } from './stack';

// `npm start [-- --fresh]`: the whole of Gumshoe and the service it watches, on loopback.
const { values } = parseArgs({ options: { fresh: { type: 'boolean', default: false } } });
const dataDir = resolve(process.env.GUMSHOE_DATA_DIR ?? '.gumshoe');
const started = Date.now();

// GUMSHOE_CONFIG: unset gives the conference example (the service this stack runs); set to a file
// gives that file; set empty gives no config at all (ids searched anywhere, flows learned).
const gumshoeConfig = process.env.GUMSHOE_CONFIG;
let stack: Awaited<ReturnType<typeof startLocalStack>>;
try {
  stack = await startLocalStack({
    ...(gumshoeConfig === undefined
      ? {}
      : { gumshoeConfig: gumshoeConfig.trim() === '' ? null : gumshoeConfig }),
    ...(process.env.GUMSHOE_LOG_GROUP_PREFIX ? { logGroupPrefix: process.env.GUMSHOE_LOG_GROUP_PREFIX } : {}),
    dataDir,
    fresh: values.fresh,
    ...(process.env.SLACK_SIGNING_SECRET ? { signingSecret: process.env.SLACK_SIGNING_SECRET } : {}),
    ...(process.env.SLACK_BOT_TOKEN ? { botToken: process.env.SLACK_BOT_TOKEN } : {}),
    ...(process.env.GUMSHOE_CHANNEL ? { channelId: process.env.GUMSHOE_CHANNEL } : {}),
  });
} catch (error) {
  // A bad config is the user's to fix: its message names the file, the path and the expected shape.
  if (error instanceof FlowConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const lines = [
  `Gumshoe local stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s (data: ${dataDir}${values.fresh ? ', fresh' : ''})`,
  `  conference API      ${stack.conferenceApi.url}/sessions   (POST to create, GET to list)`,
  `  local AWS endpoint  ${stack.aws.url}   (Logs + Insights, DynamoDB + Streams, SQS, Lambda, X-Ray, CloudWatch, SNS)`,
  `  local Slack         ${stack.slack.url}/   (the #incidents channel; Web API under /api/)`,
  `  bot request URL     ${stack.botUrl}`,
  `  webhook + partner   ${stack.standIns.url}/_received   (what the Slack webhook and the partner got)`,
  `  flows               ${gumshoeConfig === undefined ? LOCAL_FLOW_CONFIG : gumshoeConfig.trim() || 'none (learned from the logs)'}   (GUMSHOE_CONFIG)`,
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
