import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { FunctionNames } from '../contract';
import { ServiceLogger } from '../observability/logger';
import { InvalidCursorError, ValidationError } from '../sessions/errors';
import { listSessions } from '../sessions/list-sessions';
import type { SessionStore } from '../sessions/ports';
import { DynamoDbSessionStore } from '../store/dynamodb-session-store';
import { jsonResponse, traceIdFrom } from './api';
import { ListSessionsConfig, lazy, parseConfig } from './config';
import { createDocumentClient } from './dynamodb-client';

/** What the list-sessions handler is built from. */
export interface ListSessionsHandlerDeps {
  store: SessionStore;
  logger: ServiceLogger;
  newId?: () => string;
}

type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** Builds the `GET /sessions?limit=&cursor=` handler: newest first, one page per call. */
export function createListSessionsHandler(deps: ListSessionsHandlerDeps): HttpHandler {
  const newId = deps.newId ?? randomUUID;
  return async (event, context) => {
    const traceId = traceIdFrom(event, newId);
    const log = deps.logger.forInvocation(context, FunctionNames.listSessions, traceId);
    const headers = { 'x-trace-id': traceId };
    try {
      const page = await listSessions(event.queryStringParameters ?? {}, deps.store);
      log.info('Sessions listed', { count: page.sessions.length, hasMore: page.nextCursor !== undefined });
      return jsonResponse(200, page, headers);
    } catch (error) {
      if (error instanceof ValidationError) {
        log.warn('List sessions request refused', { statusCode: 400 });
        return jsonResponse(400, { message: error.userMessage, errors: error.issues, traceId }, headers);
      }
      if (error instanceof InvalidCursorError) {
        log.warn('List sessions request refused', { statusCode: 400 });
        return jsonResponse(400, { message: error.userMessage, traceId }, headers);
      }
      log.error('Listing sessions failed', error);
      return jsonResponse(500, { message: 'Internal error', traceId }, headers);
    }
  };
}

const fromEnv = lazy(() => {
  const config = parseConfig(ListSessionsConfig, process.env);
  return createListSessionsHandler({
    store: new DynamoDbSessionStore(createDocumentClient(), config.SESSIONS_TABLE_NAME),
    logger: new ServiceLogger(),
  });
});

/** Lambda entry point; dependencies are built from the environment on the first call. */
export const handler: HttpHandler = async (event, context) => fromEnv()(event, context);
