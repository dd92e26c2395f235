import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { SlackWebhookNotifier } from '../http/slack-webhook-notifier';
import { ServiceLogger } from '../observability/logger';
import { notifyNewSessions } from '../sessions/fan-out';
import type { Notifier } from '../sessions/ports';
import { lazy, NotifyConfig, parseConfig } from './config';
import { readNewSessions } from './stream-records';
import { readWebhookUrlSecret } from './webhook-secret';

/** What the notification handler is built from. */
export interface NotifyHandlerDeps {
  notifier: Notifier;
  logger: ServiceLogger;
  concurrency: number;
  timeoutMs: number;
  latencyMs?: number;
}

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the stream handler announcing each new session in Slack; failed records are reported by SequenceNumber. */
export function createNotifyNewSessionHandler(deps: NotifyHandlerDeps): StreamHandler {
  return async (event, context) => {
    const log = deps.logger.forInvocation(context, FunctionNames.notifyNewSession);
    const batch = readNewSessions(event, log);
    const failed = await notifyNewSessions(batch.records, deps.notifier, log, {
      concurrency: deps.concurrency,
      timeoutMs: deps.timeoutMs,
      latencyMs: deps.latencyMs ?? 0,
    });
    return {
      batchItemFailures: [...batch.unreadable, ...failed].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

const fromEnv = lazy(async () => {
  const config = parseConfig(NotifyConfig, process.env);
  const webhookUrl =
    config.SLACK_WEBHOOK_URL ??
    (await readWebhookUrlSecret(new SecretsManagerClient({}), config.SLACK_WEBHOOK_SECRET_ARN ?? ''));
  return createNotifyNewSessionHandler({
    notifier: new SlackWebhookNotifier(webhookUrl),
    logger: new ServiceLogger(),
    concurrency: config.NOTIFY_CONCURRENCY,
    timeoutMs: config.NOTIFY_TIMEOUT_MS,
    latencyMs: config.FAULT_NOTIFY_LATENCY_MS,
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: StreamHandler = async (event, context) => (await fromEnv())(event, context);
