import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { HttpPartnerForwarder } from '../http/http-partner-forwarder';
import { ServiceLogger } from '../observability/logger';
import { forwardNewSessions } from '../sessions/fan-out';
import type { PartnerForwarder } from '../sessions/ports';
import { ForwardConfig, lazy, parseConfig } from './config';
import { readNewSessions } from './stream-records';

/** What the forwarding handler is built from. */
export interface ForwardHandlerDeps {
  forwarder: PartnerForwarder;
  logger: ServiceLogger;
  concurrency: number;
  timeoutMs: number;
}

type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** Builds the stream handler forwarding each new session to the partner; failures are reported by SequenceNumber. */
export function createForwardSessionHandler(deps: ForwardHandlerDeps): StreamHandler {
  return async (event, context) => {
    const log = deps.logger.forInvocation(context, FunctionNames.forwardSession);
    const batch = readNewSessions(event, log);
    const failed = await forwardNewSessions(batch.records, deps.forwarder, log, {
      concurrency: deps.concurrency,
      timeoutMs: deps.timeoutMs,
    });
    return {
      batchItemFailures: [...batch.unreadable, ...failed].map((itemIdentifier) => ({ itemIdentifier })),
    };
  };
}

const fromEnv = lazy(() => {
  const config = parseConfig(ForwardConfig, process.env);
  return createForwardSessionHandler({
    forwarder: new HttpPartnerForwarder(config.PARTNER_BASE_URL),
    logger: new ServiceLogger(),
    concurrency: config.FORWARD_CONCURRENCY,
    timeoutMs: config.FORWARD_TIMEOUT_MS,
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: StreamHandler = async (event, context) => fromEnv()(event, context);
