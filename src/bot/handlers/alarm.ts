import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { WebClient } from '@slack/web-api';
import type { Context } from 'aws-lambda';
import { DynamoDbAlarmStateStore } from '../../aws/alarm-state-store';
import { CloudWatchAlarmControl } from '../../aws/cloudwatch-alarms';
import { CloudWatchLogSearch } from '../../aws/cloudwatch-log-search';
import { isSqsEvent, parseQueuedNotifications } from '../../commands/alarms/alarm-queue';
import { loadAlarmConfig } from '../alarms/alarm-config';
import { logSearchEnrichment } from '../alarms/error-lines';
import {
  type AlarmBatchResult,
  type AlarmPostingDeps,
  postAlarmNotifications,
  postQueuedAlarmNotifications,
  type QueuedAlarmBatchResult,
} from '../alarms/post-alarms';
import { returnDeferredSooner } from '../alarms/retry-sooner';
import { loadBotConfig } from '../config';
import { BotConfigError } from '../errors';
import { createSlackSecretsLoader } from '../secrets';
import { createSlackWebClient } from '../slack-client';

const logger = new Logger({ serviceName: 'gumshoe-alarm' });
const config = loadBotConfig();
const alarms = loadAlarmConfig();
if (!alarms.tableName) throw new BotConfigError('invalid alarm environment: GUMSHOE_ALARM_TABLE is required');
const store = DynamoDbAlarmStateStore.forTable(alarms.tableName, config.region);
const control = new CloudWatchAlarmControl(new CloudWatchClient({ region: config.region }));
// The error lines are a bonus: a short deadline keeps the alarm message prompt.
const logs = new CloudWatchLogSearch(new CloudWatchLogsClient({ region: config.region }), {
  deadlineMs: 8000,
});
const secrets = createSlackSecretsLoader(
  process.env,
  () => new SecretsManagerClient({ region: config.region }),
);
const sqs = alarms.queueUrl ? new SQSClient({ region: config.region }) : undefined;
let client: WebClient | undefined;

/**
 * The alarm Lambda. From the alarm queue (SQS event source: SNS envelopes, many per batch) it posts
 * a storm as one summary with a thread per alarm and returns `batchItemFailures` naming every record
 * not posted, so only those come back; invoked by SNS or directly by an alarm action it throws
 * instead, so Lambda's asynchronous retry (then the on-failure destination) takes over.
 */
export const handler = async (
  event: unknown,
  context: Context,
): Promise<AlarmBatchResult | QueuedAlarmBatchResult> => {
  client ??= createSlackWebClient((await secrets()).botToken, config);
  const deps: AlarmPostingDeps = {
    store,
    client,
    channelId: config.channelId,
    settings: alarms,
    now: () => new Date(),
    remainingTimeMs: () => context.getRemainingTimeInMillis(),
    log: (level, message, detail) => logger[level](message, detail),
    metricImage: (alarm) => control.metricImage(alarm),
    enrich: logSearchEnrichment(logs),
  };
  const queued = isSqsEvent(event) ? parseQueuedNotifications(event) : undefined;
  if (!queued) {
    const result = await postAlarmNotifications(event, deps);
    logger.info('alarm notifications handled', { ...result });
    return result;
  }
  const result = await postQueuedAlarmNotifications(queued, deps);
  logger.info('alarm notifications handled', { ...result });
  // Deferred records need no 12-minute wait: only failures should ride out an outage that long.
  if (sqs && alarms.queueUrl && result.deferredItems.length > 0) {
    await returnDeferredSooner(sqs, {
      queueUrl: alarms.queueUrl,
      event,
      itemIdentifiers: result.deferredItems,
      delaySeconds: alarms.retryDelaySeconds,
      log: (level, message, detail) => logger[level](message, detail),
    });
  }
  return result;
};
