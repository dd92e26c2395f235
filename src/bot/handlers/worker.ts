import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { XRayClient } from '@aws-sdk/client-xray';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { CloudWatchLogGroupCatalog } from '../../aws/cloudwatch-log-groups';
import { CloudWatchLogSearch } from '../../aws/cloudwatch-log-search';
import { XRayClientTraceReader } from '../../aws/xray-trace-reader';
import { cachedFlowLearner } from '../../commands/flows/learned-flows';
import { cachedCatalog } from '../../commands/flows/log-groups';
import { runInvestigation } from '../../commands/jobs';
import { systemClock } from '../../commands/ports';
import { loadBotConfig } from '../config';
import { loadFlowEnvironment } from '../flow-config-file';
import { investigationScope } from '../investigation-scope';
import { WorkerInput } from '../job-dispatcher';
import { createSlackSecretsLoader } from '../secrets';
import { createSlackWebClient } from '../slack-client';
import { runWorker } from '../worker';

const logger = new Logger({ serviceName: 'gumshoe-worker' });
const config = loadBotConfig();
const logsClient = new CloudWatchLogsClient({ region: config.region });
// A bad GUMSHOE_CONFIG fails the init, naming the file and the path: nothing half-loads.
const scope = investigationScope(
  config.investigation,
  loadFlowEnvironment(),
  cachedCatalog(new CloudWatchLogGroupCatalog(logsClient), Date.now),
);
const logs = new CloudWatchLogSearch(logsClient, {
  deadlineMs: 60_000,
});
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
const xray = new XRayClientTraceReader(new XRayClient({ region: config.region }));
// Without a config /trace learns its flow from a day of logs: once per environment every 10 minutes.
const learner = cachedFlowLearner();
let client: WebClient | undefined;

/** The worker Lambda: runs one investigation handed off by the Slack listener and answers the user. */
export const handler = async (event: unknown, context: Context): Promise<{ outcome: string }> => {
  const parsed = WorkerInput.safeParse(event);
  if (!parsed.success) {
    // A malformed job never gets better: do not let Lambda's async retries run it twice more.
    logger.error('worker input refused', { issues: parsed.error.issues });
    return { outcome: 'rejected' };
  }
  const input = parsed.data;
  client ??= createSlackWebClient((await secrets()).botToken, config);
  const outcome = await runWorker(input, context.awsRequestId, {
    investigate: async (job) =>
      runInvestigation(job, { logs, xray, traceSummaries: xray, clock: systemClock, learner }, await scope()),
    client,
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    responseUrls: config.responseUrls,
    log: (level, message, detail) => logger[level](message, detail),
  });
  return { outcome };
};
