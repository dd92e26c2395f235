import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { CloudWatchLogGroupCatalog } from '../../aws/cloudwatch-log-groups';
import { CloudWatchLogSearch } from '../../aws/cloudwatch-log-search';
import { cachedCatalog } from '../../commands/flows/log-groups';
import { runInvestigation } from '../../commands/jobs';
import { systemClock } from '../../commands/ports';
import { loadBotConfig } from '../config';
import { loadFlowEnvironment } from '../flow-config-file';
import { investigationScope } from '../investigation-scope';
import { createSlackSecretsLoader } from '../secrets';
import { createSlackWebClient } from '../slack-client';
import { postWeeklyCost } from '../weekly-cost';

const logger = new Logger({ serviceName: 'gumshoe-weekly-cost' });
const config = loadBotConfig();
const logsClient = new CloudWatchLogsClient({ region: config.region });
// A bad GUMSHOE_CONFIG fails the init, naming the file and the path: nothing half-loads.
const scope = investigationScope(
  config.investigation,
  loadFlowEnvironment(),
  cachedCatalog(new CloudWatchLogGroupCatalog(logsClient), Date.now),
);
const logs = new CloudWatchLogSearch(logsClient, {
  deadlineMs: 90_000,
});
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
let client: WebClient | undefined;

/** EventBridge Scheduler entry point: the weekly cost report, posted to the channel. */
export const handler = async (_event: unknown, context: Context): Promise<{ ts?: string }> => {
  client ??= createSlackWebClient((await secrets()).botToken, config);
  const ts = await postWeeklyCost({
    investigate: async (job) => runInvestigation(job, { logs, clock: systemClock }, await scope()),
    client,
    channelId: config.channelId,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
  });
  logger.info('weekly cost posted', { channel: config.channelId, ts });
  return ts ? { ts } : {};
};
