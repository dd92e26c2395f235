import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { createBotApp } from '../app';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { LambdaJobDispatcher } from '../lambda-job-dispatcher';
import type { SlackEventsHandler } from '../replay-guard';
import { createSlackSecretsLoader } from '../secrets';

const logger = new Logger({ serviceName: 'gumshoe-slack-events' });
const config = loadBotConfig();
const secrets = createSlackSecretsLoader(
  process.env,
  (sdk) => new sdk.SecretsManagerClient({ region: config.region }),
);

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
    log: (message, detail) => logger.error(message, detail),
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

/** The Function URL entry point: Bolt's two-argument Lambda handler behind a replay guard. */
export const handler: SlackEventsHandler = async (event, context) => {
  built ??= start();
  return (await built)(event, context);
};
