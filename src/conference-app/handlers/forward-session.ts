import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { HttpPartnerForwarder } from '../http/http-partner-forwarder';
import { ServiceLogger } from '../observability/logger';
import { forwardNewSessions } from '../sessions/fan-out';
import type { DeliveryLedger, PartnerForwarder } from '../sessions/ports';
import {
  DEFAULT_RETRY_POLICY,
  type RetryPolicy,
  type RetryTimer,
  retryPolicyWithin,
  SYSTEM_TIMER,
} from '../sessions/retry';
import { DynamoDbDeliveryLedger } from '../store/dynamodb-delivery-ledger';
import { ForwardConfig, lazy, parseConfig } from './config';
import { createDocumentClient } from './dynamodb-client';
import { readNewSessions } from './stream-records';

/** What the forwarding handler is built from. */
export interface ForwardHandlerDeps {
  forwarder: PartnerForwarder;
  ledger: DeliveryLedger;
  logger: ServiceLogger;
  concurrency: number;
  timeoutMs: number;
  retry?: RetryPolicy;
  timer?: RetryTimer;
}

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the stream handler forwarding each new session to the partner once; failures are reported by SequenceNumber. */
export function createForwardSessionHandler(deps: ForwardHandlerDeps): StreamHandler {
  const retry = deps.retry ?? DEFAULT_RETRY_POLICY;
  return async (event, context) => {
    const log = deps.logger.forInvocation(context, FunctionNames.forwardSession);
    const batch = readNewSessions(event, log);
    const timer = deps.timer ?? SYSTEM_TIMER;
    const failed = await forwardNewSessions(
      batch.records,
      deps.forwarder,
      { ledger: deps.ledger, log, timer },
      {
        concurrency: deps.concurrency,
        timeoutMs: deps.timeoutMs,
        // Retries stop in time for the last attempt and the report (the budget alone may not fit).
        retry: retryPolicyWithin(retry, timer, context.getRemainingTimeInMillis(), deps.timeoutMs),
        leaseMs: retry.budgetMs + 2 * deps.timeoutMs,
      },
    );
    return {
      batchItemFailures: [...batch.unreadable, ...failed].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

const fromEnv = lazy(() => {
  const config = parseConfig(ForwardConfig, process.env);
  return createForwardSessionHandler({
    forwarder: new HttpPartnerForwarder(config.PARTNER_BASE_URL),
    ledger: new DynamoDbDeliveryLedger(createDocumentClient(), config.DELIVERIES_TABLE_NAME),
    logger: new ServiceLogger(),
    concurrency: config.FORWARD_CONCURRENCY,
    timeoutMs: config.FORWARD_TIMEOUT_MS,
    retry: { ...DEFAULT_RETRY_POLICY, budgetMs: config.RETRY_BUDGET_MS },
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: StreamHandler = async (event, context) => fromEnv()(event, context);
