import { randomUUID } from 'node:crypto';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { ServiceLogger } from '../observability/logger';
import { createSession } from '../sessions/create-session';
import { ConferenceError, ValidationError } from '../sessions/errors';
import type { Clock, SessionHandOff } from '../sessions/ports';
import { SqsSessionHandOff } from '../store/sqs-session-hand-off';
import {
  bodyBytes,
  bodySizeUpperBound,
  header,
  isJsonContentType,
  jsonResponse,
  MAX_BODY_BYTES,
  traceIdFrom,
} from './api';
import { CreateSessionConfig, lazy, parseConfig } from './config';

/** What the create-session handler is built from. */
export interface CreateSessionHandlerDeps {
  handOff: SessionHandOff;
  logger: ServiceLogger;
  clock?: Clock;
  newId?: () => string;
}

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Builds the `POST /sessions` handler: validate, log CREATE_REQUEST_RECEIVED, queue for saving, answer 202. */
export function createCreateSessionHandler(deps: CreateSessionHandlerDeps): HttpHandler {
  const newId = deps.newId ?? randomUUID;
  const clock = deps.clock ?? { now: () => new Date() };
  return async (event, context) => {
    const traceId = traceIdFrom(event, newId);
    const log = deps.logger.forInvocation(context, FunctionNames.createSession, traceId);
    const traceHeader = { 'x-trace-id': traceId };
    const refuse = (statusCode: number, body: Record<string, unknown>) => {
      log.warn('Create session request refused', { statusCode, reason: body.message });
      return jsonResponse(statusCode, { ...body, traceId }, traceHeader);
    };

    if (!isJsonContentType(header(event, 'content-type'))) {
      return refuse(415, { message: 'Content-Type must be application/json' });
    }
    if (bodySizeUpperBound(event) > MAX_BODY_BYTES && (bodyBytes(event)?.length ?? 0) > MAX_BODY_BYTES) {
      return refuse(413, { message: `Body larger than ${MAX_BODY_BYTES} bytes` });
    }
    let body: unknown;
    try {
      body = JSON.parse(bodyBytes(event)?.toString('utf8') ?? '');
    } catch {
      return refuse(400, { message: 'Body is not valid JSON' });
    }

    try {
      const session = await createSession(body, traceId, log, { handOff: deps.handOff, clock, newId });
      return jsonResponse(202, { sessionId: session.sessionId, traceId }, traceHeader);
    } catch (error) {
      if (error instanceof ValidationError) {
        return refuse(400, { message: error.userMessage, errors: error.issues });
      }
      log.error('Create session failed', error);
      const message = error instanceof ConferenceError ? error.userMessage : 'Internal error';
      return jsonResponse(500, { message, traceId }, traceHeader);
    }
  };
}

const fromEnv = lazy(() => {
  const config = parseConfig(CreateSessionConfig, process.env);
  return createCreateSessionHandler({
    handOff: new SqsSessionHandOff(new SQSClient({}), config.SESSIONS_QUEUE_URL),
    logger: new ServiceLogger(),
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: HttpHandler = async (event, context) => fromEnv()(event, context);
