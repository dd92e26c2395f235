import { type Tracer, trace } from '@opentelemetry/api';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { ServiceLogger, UNKNOWN_TRACE_ID } from '../observability/logger';
import { createLambdaTracing } from '../observability/tracing/lambda-tracing';
import type { FaultSettings, Random } from '../sessions/fault-injection';
import type { SessionCache, SessionStore } from '../sessions/ports';
import { saveSession } from '../sessions/save-session';
import { Session } from '../sessions/session';
import { DynamoDbSessionCache, DynamoDbSessionStore } from '../store/dynamodb-session-store';
import { lazy, parseConfig, SaveSessionConfig } from './config';
import { createDocumentClient } from './dynamodb-client';

/** What the save-session handler is built from. */
export interface SaveSessionHandlerDeps {
  cache: SessionCache;
  store: SessionStore;
  logger: ServiceLogger;
  tracer?: Tracer;
  faults?: Pick<FaultSettings, 'saveDelayMs' | 'saveErrorRate'>;
  random?: Random;
}

type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

function parseMessage(body: string): Session | Error {
  try {
    const parsed = Session.safeParse(JSON.parse(body));
    return parsed.success ? parsed.data : parsed.error;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Builds the SQS handler that saves each queued session once and reports only the failed messages
 * (the event source mapping needs ReportBatchItemFailures).
 */
export function createSaveSessionHandler(deps: SaveSessionHandlerDeps): SqsHandler {
  const useCaseDeps = {
    cache: deps.cache,
    store: deps.store,
    tracer: deps.tracer ?? trace.getTracer('conference-app'),
    faults: deps.faults ?? { saveDelayMs: 0, saveErrorRate: 0 },
    random: deps.random ?? Math.random,
  };
  return async (event, context) => {
    const failures: SQSBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const message = parseMessage(record.body);
      if (message instanceof Error) {
        const traceId = record.messageAttributes?.traceId?.stringValue ?? UNKNOWN_TRACE_ID;
        deps.logger
          .forInvocation(context, FunctionNames.saveSession, traceId)
          .error('Queued message is not a session', message, { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
      const log = deps.logger
        .forInvocation(context, FunctionNames.saveSession, message.traceId)
        .with({ sessionId: message.sessionId });
      try {
        await saveSession(message, log, useCaseDeps);
      } catch (error) {
        log.error('Saving session failed', error, { messageId: record.messageId });
        failures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures: failures };
  };
}

const fromEnv = lazy(() => {
  const config = parseConfig(SaveSessionConfig, process.env);
  const client = createDocumentClient();
  return createSaveSessionHandler({
    cache: new DynamoDbSessionCache(client, config.CACHE_TABLE_NAME),
    store: new DynamoDbSessionStore(client, config.SESSIONS_TABLE_NAME),
    logger: new ServiceLogger(),
    faults: { saveDelayMs: config.FAULT_SAVE_DELAY_MS, saveErrorRate: config.FAULT_SAVE_ERROR_RATE },
  });
});

// The span around the save reaches X-Ray (OTLP endpoint) under the invocation's trace.
const tracing = createLambdaTracing();

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: SqsHandler = tracing.wrap(async (event, context) => fromEnv()(event, context));
