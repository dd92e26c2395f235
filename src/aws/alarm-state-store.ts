import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AlarmThreadState, AlarmThreadStateSchema } from '../commands/alarms/alarm-thread';
import { GumshoeError } from '../commands/errors';

/** What we keep per alarm: the conversation state and what is needed to draw its message again. */
export interface AlarmRecord {
  readonly state: AlarmThreadState;
  /** The notification as received (an event `parseAlarmNotifications` reads as exactly one result). */
  readonly source?: string;
  readonly errorLines?: readonly string[];
  readonly traceId?: string;
  /** Optimistic-locking counter; absent before the first save. */
  readonly version?: number;
}

/** The outcome of claiming a message id. */
export type MessageClaim = 'claimed' | 'done' | 'in-progress';

/**
 * The alarm-state table: one conversation per alarm ARN and a two-phase dedupe marker per SNS
 * message id (claimed → done), so a notification reaches Slack once even though SNS delivers at
 * least once and Lambda retries.
 */
export interface AlarmStateStore {
  get(alarmArn: string): Promise<AlarmRecord | undefined>;
  /** Saves if nobody saved since `expectedVersion` was read (undefined: the item must not exist). */
  save(record: AlarmRecord, expectedVersion: number | undefined): Promise<AlarmRecord>;
  /** Every alarm whose conversation is in `state` (for reminders). */
  listInState(state: AlarmThreadState['state']): Promise<AlarmRecord[]>;
  /** Takes the message for this invocation unless it is done or another holds an unexpired claim. */
  claimMessage(messageId: string, now: Date, leaseMs: number): Promise<MessageClaim>;
  /** Marks a claimed message delivered (kept `doneTtlSeconds` for the table's TTL). */
  completeMessage(messageId: string, now: Date): Promise<void>;
  /** Gives a claim back after a failure, so the retry may take it at once. */
  releaseMessage(messageId: string): Promise<void>;
  /**
   * Reserves the channel's next post slot, shared by every invocation: returns the epoch ms at which
   * this post may go (`max(nowMs, next free slot)`) and moves the next free slot `intervalMs` later.
   */
  reservePostSlot(channelId: string, nowMs: number, intervalMs: number): Promise<number>;
}

/** Reading or writing the alarm-state table failed. */
export class AlarmStateStoreError extends GumshoeError {
  override readonly name = 'AlarmStateStoreError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe could not read or save the alarm state; try again.', options);
  }
}

/** Someone saved the alarm's state between our read and our write. */
export class AlarmStateConflictError extends GumshoeError {
  override readonly name = 'AlarmStateConflictError';
  constructor(alarmArn: string, options?: ErrorOptions) {
    super(
      `alarm state of ${alarmArn} changed concurrently`,
      'The alarm changed meanwhile; try again.',
      options,
    );
  }
}

/** The table's partition key attribute (a string). */
export const ALARM_STATE_KEY = 'pk';
const MESSAGE_PREFIX = 'msg#';
const PACE_PREFIX = 'pace#';
/** A pace item outlives its last reservation by this much (a queue is minutes long at most), then TTL removes it. */
const PACE_TTL_SECONDS = 60 * 60;
/** Attempts of the two conditional updates before giving up (each round only loses to a racing writer). */
const PACE_ATTEMPTS = 8;

/** Options of {@link DynamoDbAlarmStateStore}. */
export interface DynamoDbAlarmStateStoreOptions {
  /** How long a done marker is kept (written to `expiresAt` for DynamoDB TTL); default 7 days. */
  readonly doneTtlSeconds?: number;
}

function toItem(record: AlarmRecord, version: number): Record<string, unknown> {
  const s = record.state;
  return {
    [ALARM_STATE_KEY]: s.alarmArn,
    kind: 'alarm',
    alarmArn: s.alarmArn,
    channel: s.channel,
    ts: s.ts,
    state: s.state,
    since: s.since.toISOString(),
    lastMessageId: s.lastMessageId,
    ...(s.ack ? { ack: { userId: s.ack.userId, at: s.ack.at.toISOString() } } : {}),
    ...(s.mutedUntil ? { mutedUntil: s.mutedUntil.toISOString() } : {}),
    ...(s.lastReminderAt ? { lastReminderAt: s.lastReminderAt.toISOString() } : {}),
    ...(record.source !== undefined ? { source: record.source } : {}),
    ...(record.errorLines ? { errorLines: [...record.errorLines] } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
    version,
  };
}

function fromItem(item: Record<string, unknown>): AlarmRecord {
  const state = AlarmThreadStateSchema.parse(item);
  return {
    state,
    ...(typeof item.source === 'string' ? { source: item.source } : {}),
    ...(Array.isArray(item.errorLines) ? { errorLines: item.errorLines.map(String) } : {}),
    ...(typeof item.traceId === 'string' ? { traceId: item.traceId } : {}),
    ...(typeof item.version === 'number' ? { version: item.version } : {}),
  };
}

/** {@link AlarmStateStore} over a DynamoDB table keyed by `pk` (string), through the document client. */
export class DynamoDbAlarmStateStore implements AlarmStateStore {
  private readonly doneTtlSeconds: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    options: DynamoDbAlarmStateStoreOptions = {},
  ) {
    this.doneTtlSeconds = options.doneTtlSeconds ?? 7 * 24 * 60 * 60;
  }

  /** The store over `tableName` in `region`, through a document client that drops undefined attributes. */
  static forTable(tableName: string, region: string): DynamoDbAlarmStateStore {
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    return new DynamoDbAlarmStateStore(client, tableName);
  }

  async get(alarmArn: string): Promise<AlarmRecord | undefined> {
    const out = await this.call('get', () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALARM_STATE_KEY]: alarmArn },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async save(record: AlarmRecord, expectedVersion: number | undefined): Promise<AlarmRecord> {
    const version = (expectedVersion ?? 0) + 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(record, version),
          ...(expectedVersion === undefined
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': ALARM_STATE_KEY },
              }
            : {
                ConditionExpression: '#v = :v',
                ExpressionAttributeNames: { '#v': 'version' },
                ExpressionAttributeValues: { ':v': expectedVersion },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new AlarmStateConflictError(record.state.alarmArn, { cause: error });
      throw new AlarmStateStoreError(`save of ${record.state.alarmArn} failed`, { cause: error });
    }
    return { ...record, version };
  }

  async listInState(state: AlarmThreadState['state']): Promise<AlarmRecord[]> {
    const records: AlarmRecord[] = [];
    // The table holds one item per alarm plus short-lived markers: a filtered scan stays small.
    const pages = paginateScan(
      { client: this.client },
      {
        TableName: this.tableName,
        FilterExpression: '#k = :k AND #s = :s',
        ExpressionAttributeNames: { '#k': 'kind', '#s': 'state' },
        ExpressionAttributeValues: { ':k': 'alarm', ':s': state },
      },
    );
    try {
      for await (const page of pages) for (const item of page.Items ?? []) records.push(fromItem(item));
    } catch (error) {
      throw new AlarmStateStoreError('scan of the alarm-state table failed', { cause: error });
    }
    return records;
  }

  async claimMessage(messageId: string, now: Date, leaseMs: number): Promise<MessageClaim> {
    const key = MESSAGE_PREFIX + messageId;
    try {
      // A claim whose lease ran out belongs to an invocation that died (timeout, crash): take it over.
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [ALARM_STATE_KEY]: key,
            kind: 'message',
            status: 'claimed',
            leaseUntil: now.getTime() + leaseMs,
            expiresAt: Math.floor(now.getTime() / 1000) + this.doneTtlSeconds,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR (#st = :claimed AND #lease < :now)',
          ExpressionAttributeNames: { '#pk': ALARM_STATE_KEY, '#st': 'status', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: { ':claimed': 'claimed', ':now': now.getTime() },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new AlarmStateStoreError(`claim of message ${messageId} failed`, { cause: error });
    }
    const existing = await this.call('get', () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { [ALARM_STATE_KEY]: key }, ConsistentRead: true }),
      ),
    );
    return existing.Item?.status === 'done' ? 'done' : 'in-progress';
  }

  async completeMessage(messageId: string, now: Date): Promise<void> {
    await this.call('complete', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ALARM_STATE_KEY]: MESSAGE_PREFIX + messageId },
          UpdateExpression: 'SET #st = :done, expiresAt = :exp REMOVE leaseUntil',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':exp': Math.floor(now.getTime() / 1000) + this.doneTtlSeconds,
          },
        }),
      ),
    );
  }

  async releaseMessage(messageId: string): Promise<void> {
    await this.call('release', () =>
      this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [ALARM_STATE_KEY]: MESSAGE_PREFIX + messageId },
          // Never delete a done marker: that would let a redelivery post twice.
          ConditionExpression: '#st = :claimed',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: { ':claimed': 'claimed' },
        }),
      ),
    ).catch((error: unknown) => {
      if (error instanceof AlarmStateStoreError && error.cause instanceof ConditionalCheckFailedException)
        return;
      throw error;
    });
  }

  async reservePostSlot(channelId: string, nowMs: number, intervalMs: number): Promise<number> {
    const key = { [ALARM_STATE_KEY]: PACE_PREFIX + channelId };
    const names = { '#next': 'nextAt', '#k': 'kind' };
    // Two atomic conditional updates instead of read-then-write: a busy channel appends one interval
    // to its queue, an idle one restarts the queue at now. Their conditions split on `:now`, so a
    // round fails only when another writer moved `nextAt` across `now` in between.
    for (let attempt = 0; attempt < PACE_ATTEMPTS; attempt += 1) {
      try {
        const out = await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #next = #next + :i, #k = :pace, expiresAt = :exp',
            ConditionExpression: '#next > :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':i': intervalMs,
              ':now': nowMs,
              ':pace': 'pace',
              ':exp': Math.ceil(nowMs / 1000) + PACE_TTL_SECONDS,
            },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        const next = out.Attributes?.nextAt;
        if (typeof next !== 'number')
          throw new AlarmStateStoreError(`post slot of ${channelId}: nextAt missing from the update`);
        return next - intervalMs;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw this.paceError(channelId, error);
      }
      try {
        await this.client.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: 'SET #next = :next, #k = :pace, expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(#next) OR #next <= :now',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: {
              ':next': nowMs + intervalMs,
              ':now': nowMs,
              ':pace': 'pace',
              ':exp': Math.ceil(nowMs / 1000) + PACE_TTL_SECONDS,
            },
          }),
        );
        return nowMs;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw this.paceError(channelId, error);
      }
    }
    throw new AlarmStateStoreError(`post slot of ${channelId}: too much contention`);
  }

  private paceError(channelId: string, error: unknown): AlarmStateStoreError {
    return error instanceof AlarmStateStoreError
      ? error
      : new AlarmStateStoreError(`post slot of ${channelId} on ${this.tableName} failed`, { cause: error });
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw new AlarmStateStoreError(`alarm-state ${what} on ${this.tableName} failed`, { cause: error });
    }
  }
}
