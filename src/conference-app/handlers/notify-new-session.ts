import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { SlackWebhookNotifier } from '../http/slack-webhook-notifier';
import { ServiceLogger } from '../observability/logger';
import { announceNewSessions } from '../sessions/fan-out';
import type { DeliveryLedger, Notifier } from '../sessions/ports';
import {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type RetryTimer,
  retryPolicyWithin,
  SYSTEM_TIMER,
} from '../sessions/retry';
import { DynamoDbDeliveryLedger } from '../store/dynamodb-delivery-ledger';
import { lazyAsync, NotifyConfig, parseConfig } from './config';
import { createDocumentClient } from './dynamodb-client';
import { readNewSessions } from './stream-records';
import { readWebhookUrlSecret } from './webhook-secret';

/** What the notification handler is built from. */
export interface NotifyHandlerDeps {
  notifier: Notifier;
  ledger: DeliveryLedger;
  logger: ServiceLogger;
  timeoutMs: number;
  maxPerMessage: number;
  retry?: RetryPolicy;
  timer?: RetryTimer;
  latencyMs?: number;
}

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the stream handler announcing the batch's new sessions in Slack; failed records are reported by SequenceNumber. */
export function createNotifyNewSessionHandler(deps: NotifyHandlerDeps): StreamHandler {
  const retry = deps.retry ?? DEFAULT_RETRY_POLICY;
  return async (event, context) => {
    const log = deps.logger.forInvocation(context, FunctionNames.notifyNewSession);
    const batch = readNewSessions(event, log);
    const timer = deps.timer ?? SYSTEM_TIMER;
    const failed = await announceNewSessions(
      batch.records,
      deps.notifier,
      { ledger: deps.ledger, log, timer },
      {
        timeoutMs: deps.timeoutMs,
        maxPerMessage: deps.maxPerMessage,
        // Retries stop in time for the last attempt and the report (the budget alone may not fit).
        retry: retryPolicyWithin(retry, timer, context.getRemainingTimeInMillis(), deps.timeoutMs),
        // A claim outlives every retry of this invocation, so no other one sends it meanwhile.
        leaseMs: retry.budgetMs + 2 * deps.timeoutMs,
        latencyMs: deps.latencyMs ?? 0,
      },
    );
    return {
      batchItemFailures: [...batch.unreadable, ...failed].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

// The webhook secret is read here: a failed read must not break every later invocation.
const fromEnv = lazyAsync(async () => {
  const config = parseConfig(NotifyConfig, process.env);
  const webhookUrl =
    config.SLACK_WEBHOOK_URL ??
    (await readWebhookUrlSecret(new SecretsManagerClient({}), config.SLACK_WEBHOOK_SECRET_ARN ?? ''));
  return createNotifyNewSessionHandler({
    notifier: new SlackWebhookNotifier(webhookUrl),
    ledger: new DynamoDbDeliveryLedger(createDocumentClient(), config.DELIVERIES_TABLE_NAME),
    logger: new ServiceLogger(),
    timeoutMs: config.NOTIFY_TIMEOUT_MS,
    maxPerMessage: config.NOTIFY_MAX_PER_MESSAGE,
    retry: { ...DEFAULT_RETRY_POLICY, budgetMs: config.RETRY_BUDGET_MS },
    latencyMs: config.FAULT_NOTIFY_LATENCY_MS,
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: StreamHandler = async (event, context) => (await fromEnv())(event, context);
