import { Logger } from '@aws-lambda-powertools/logger';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createBotApp } from '../app';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { LambdaJobDispatcher } from '../job-dispatcher';
import type { SlackEventsHandler } from '../replay-guard';
import { createSlackSecretsLoader } from '../secrets';

const logger = new Logger({ serviceName: 'gumshoe-slack-events' });
const config = loadBotConfig();
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
let built: Promise<SlackEventsHandler> | undefined;

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

/** The Function URL entry point: Bolt's two-argument Lambda handler behind a replay guard. */
export const handler: SlackEventsHandler = async (event, context) => {
  built ??= build().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return (await built)(event, context);
};
