import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDbClaimStore } from '../../aws/dynamodb-claim-store';
import { createBotApp } from '../app';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { LambdaJobDispatcher } from '../lambda-job-dispatcher';
import { ReplayGuard, type SlackEventsHandler } from '../replay-guard';
import { createSlackSecretsLoader } from '../secrets';

const logger = new Logger({ serviceName: 'gumshoe-slack-events' });
const config = loadBotConfig();
const secrets = createSlackSecretsLoader(
  process.env,
  (sdk) => new sdk.SecretsManagerClient({ region: config.region }),
);
// One guard per environment, its claims shared through the alarm-state table: a signed request runs
// once however many environments it is sent to.
const replayGuard = new ReplayGuard(
  config.replayTable
    ? new DynamoDbClaimStore(new DynamoDBClient({ region: config.region }), config.replayTable)
    : undefined,
);
if (!config.replayTable) {
  logger.warn('GUMSHOE_ALARM_TABLE is not set: replays are refused per execution environment only');
}

async function build(): Promise<SlackEventsHandler> {
  if (!config.workerFunctionName) throw new BotConfigError('GUMSHOE_WORKER_FUNCTION is not set');
  const { botToken, signingSecret } = await secrets();
  const dispatcher = new LambdaJobDispatcher(
    new LambdaClient({ region: config.region }),
    config.workerFunctionName,
  );
  return createBotApp({
    config,
    botToken,
    signingSecret,
    dispatcher,
    replayGuard,
    log: (message, detail) => logger.error(message, detail),
    warn: (message, detail) => logger.warn(message, detail),
  }).handler;
}

function start(): Promise<SlackEventsHandler> {
  const building = build();
  // Kept for the first event; a failure is retried there, not reported as an unhandled rejection.
  building.catch(() => {
    if (built === building) built = undefined;
  });
  return building;
}

// Built at module load, as the plain Bolt app is: Lambda runs this in the init phase, before the
// first event, instead of charging it to the first request.
let built: Promise<SlackEventsHandler> | undefined = start();

/** The Function URL entry point: Bolt's two-argument Lambda handler behind the Slack edge (slack-edge.ts). */
export const handler: SlackEventsHandler = async (event, context) => {
  built ??= start();
  return (await built)(event, context);
};
