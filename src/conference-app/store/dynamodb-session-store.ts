import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { DownstreamError, InvalidCursorError } from '../sessions/errors';
import type {
  ListSessionsOptions,
  SaveOutcome,
  SessionCache,
  SessionPage,
  SessionStore,
} from '../sessions/ports';
import { Session } from '../sessions/session';
import { SESSIONS_PARTITION } from './table-definitions';

const CursorKey = z.object({ pk: z.literal(SESSIONS_PARTITION), sk: z.string().min(1).max(200) }).strict();

/** The sort key of a session: ISO time first so sk order is creation order, the id for uniqueness. */
export function sortKeyOf(session: Pick<Session, 'createdAt' | 'sessionId'>): string {
  return `${session.createdAt}#${session.sessionId}`;
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string): z.infer<typeof CursorKey> {
  try {
    return CursorKey.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (error) {
    throw new InvalidCursorError({ cause: error });
  }
}

/** Sessions in DynamoDB: one partition, newest first by sort key, saved at most once per sessionId. */
export class DynamoDbSessionStore implements SessionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async save(session: Session): Promise<SaveOutcome> {
    try {
      // sk is derived from the message (createdAt is set by the API), so a redelivery hits the same key.
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: SESSIONS_PARTITION, sk: sortKeyOf(session), ...session },
          ConditionExpression: 'attribute_not_exists(sk)',
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw new DownstreamError('Could not save the session in the sessions table', { cause: error });
    }
  }

  async list(options: ListSessionsOptions): Promise<SessionPage> {
    const startKey = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    let output: QueryCommandOutput;
    try {
      output = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': SESSIONS_PARTITION },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: startKey,
        }),
      );
    } catch (error) {
      throw new DownstreamError('Could not list sessions', { cause: error });
    }
    const sessions = (output.Items ?? []).map((item) => Session.parse(item));
    const page: SessionPage = { sessions };
    if (output.LastEvaluatedKey !== undefined) page.nextCursor = encodeCursor(output.LastEvaluatedKey);
    return page;
  }
}

/** The caching table: a plain put by sessionId, so writing twice is harmless. */
export class DynamoDbSessionCache implements SessionCache {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(session: Session): Promise<void> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...session } }));
    } catch (error) {
      throw new DownstreamError('Could not write the session to the caching table', { cause: error });
    }
  }
}
