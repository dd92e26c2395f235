import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  paginateScan,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { readStoredAlarmEvent, storeAlarmEvent } from '../commands/alarms/alarm-event';
import { type AlarmThreadState, AlarmThreadStateSchema } from '../commands/alarms/alarm-thread';
import {
  type AlarmRecord,
  AlarmStateConflictError,
  type AlarmStateStore,
  AlarmStateStoreError,
  type DeliveryClaim,
  type StormEntry,
  type StormRecord,
  type UncertainPost,
} from '../commands/alarms/ports';

/** The table's partition key attribute (a string). */
export const ALARM_STATE_KEY = 'pk';
const MESSAGE_PREFIX = 'msg#';
const PACE_PREFIX = 'pace#';
const STORM_PREFIX = 'storm#';
/** A storm item is kept a day after it closes, then TTL removes it. */
const STORM_TTL_SECONDS = 24 * 60 * 60;
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
    ...(s.mutedBy ? { mutedBy: s.mutedBy } : {}),
    ...(s.snoozedUntil ? { snoozedUntil: s.snoozedUntil.toISOString() } : {}),
    ...(s.snoozedBy ? { snoozedBy: s.snoozedBy } : {}),
    ...(s.lastReminderAt ? { lastReminderAt: s.lastReminderAt.toISOString() } : {}),
    ...(record.alarm ? { alarm: storeAlarmEvent(record.alarm) } : {}),
    ...(record.errorLines ? { errorLines: [...record.errorLines] } : {}),
    ...(record.traceId ? { traceId: record.traceId } : {}),
    ...(record.traceFunction ? { traceFunction: record.traceFunction } : {}),
    version,
  };
}

function fromItem(item: Record<string, unknown>): AlarmRecord {
  const state = AlarmThreadStateSchema.parse(item);
  const alarm = typeof item.alarm === 'string' ? readStoredAlarmEvent(item.alarm) : undefined;
  return {
    state,
    ...(alarm ? { alarm } : {}),
    ...(Array.isArray(item.errorLines) ? { errorLines: item.errorLines.map(String) } : {}),
    ...(typeof item.traceId === 'string' ? { traceId: item.traceId } : {}),
    ...(typeof item.traceFunction === 'string' ? { traceFunction: item.traceFunction } : {}),
    ...(typeof item.version === 'number' ? { version: item.version } : {}),
  };
}

/** The condition of an optimistic save: the item does not exist yet, or is still at the version read. */
function versionCondition(
  expectedVersion: number | undefined,
): Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  return expectedVersion === undefined
    ? {
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': ALARM_STATE_KEY },
      }
    : {
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
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
          ...versionCondition(expectedVersion),
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

  /*
   * Why not Powertools Idempotency (nor Batch): its protocol has three states (absent, IN_PROGRESS,
   * COMPLETED) and deletes the record when the work fails. The alarm path needs a fourth, "released,
   * but Slack may have made the post (in <channel> since <t>)", so the retry searches the channel
   * before posting again (a 500 or a timeout after Slack posted must not post twice); deleting loses
   * that. `makeIdempotent` also wraps one call per key, while a batch is claimed up front (to merge one
   * change sent under two MessageIds and to plan a storm) before any post; and its leases read
   * Date.now(), not the Clock port the pacing tests drive. Batch's record handler likewise sees one
   * record at a time, where the storm plan needs the whole batch and each returned record carries a
   * reason that sets its visibility delay. So the conditional writes below stay ours.
   */
  async claimMessage(key: string, now: Date, leaseMs: number): Promise<DeliveryClaim> {
    const pk = MESSAGE_PREFIX + key;
    try {
      // A claim whose lease ran out belongs to an invocation that died (timeout, crash): take it over.
      // A released claim that noted an uncertain post is taken too, and handed over with that note.
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [ALARM_STATE_KEY]: pk,
            kind: 'message',
            status: 'claimed',
            leaseUntil: now.getTime() + leaseMs,
            expiresAt: Math.floor(now.getTime() / 1000) + this.doneTtlSeconds,
          },
          ConditionExpression:
            'attribute_not_exists(#pk) OR #st = :uncertain OR (#st = :claimed AND #lease < :now)',
          ExpressionAttributeNames: { '#pk': ALARM_STATE_KEY, '#st': 'status', '#lease': 'leaseUntil' },
          ExpressionAttributeValues: {
            ':claimed': 'claimed',
            ':uncertain': 'uncertain',
            ':now': now.getTime(),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const old = out.Attributes;
      if (
        old?.status === 'uncertain' &&
        typeof old.uncertainSince === 'number' &&
        typeof old.channel === 'string'
      )
        return {
          status: 'claimed',
          uncertain: {
            since: new Date(old.uncertainSince),
            channel: old.channel,
            ...(typeof old.threadTs === 'string' ? { threadTs: old.threadTs } : {}),
          },
        };
      return { status: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new AlarmStateStoreError(`claim of ${key} failed`, { cause: error });
    }
    const existing = await this.call('get', () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { [ALARM_STATE_KEY]: pk }, ConsistentRead: true }),
      ),
    );
    return existing.Item?.status === 'done' ? { status: 'done' } : { status: 'in-progress' };
  }

  async completeMessage(key: string, now: Date): Promise<void> {
    await this.call('complete', () =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [ALARM_STATE_KEY]: MESSAGE_PREFIX + key },
          UpdateExpression: 'SET #st = :done, expiresAt = :exp REMOVE leaseUntil, uncertainSince, threadTs',
          ExpressionAttributeNames: { '#st': 'status' },
          ExpressionAttributeValues: {
            ':done': 'done',
            ':exp': Math.floor(now.getTime() / 1000) + this.doneTtlSeconds,
          },
        }),
      ),
    );
  }

  async releaseMessage(key: string, uncertain?: UncertainPost): Promise<void> {
    const Key = { [ALARM_STATE_KEY]: MESSAGE_PREFIX + key };
    // Never touch a done marker: that would let a redelivery post twice.
    const condition = {
      ConditionExpression: '#st = :claimed',
      ExpressionAttributeNames: { '#st': 'status' },
    };
    await this.call('release', () =>
      this.client.send(
        uncertain
          ? new UpdateCommand({
              TableName: this.tableName,
              Key,
              UpdateExpression: `SET #st = :uncertain, #us = :since, #ch = :ch${uncertain.threadTs ? ', #th = :th' : ''} REMOVE #lease`,
              ConditionExpression: condition.ConditionExpression,
              ExpressionAttributeNames: {
                ...condition.ExpressionAttributeNames,
                '#us': 'uncertainSince',
                '#ch': 'channel',
                '#lease': 'leaseUntil',
                ...(uncertain.threadTs ? { '#th': 'threadTs' } : {}),
              },
              ExpressionAttributeValues: {
                ':claimed': 'claimed',
                ':uncertain': 'uncertain',
                ':since': uncertain.since.getTime(),
                ':ch': uncertain.channel,
                ...(uncertain.threadTs ? { ':th': uncertain.threadTs } : {}),
              },
            })
          : new DeleteCommand({
              TableName: this.tableName,
              Key,
              ...condition,
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

  async getStorm(channelId: string): Promise<StormRecord | undefined> {
    const out = await this.call('storm get', () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [ALARM_STATE_KEY]: STORM_PREFIX + channelId },
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Item;
    if (!item) return undefined;
    const entries = Array.isArray(item.entries) ? (item.entries as StormEntry[]) : [];
    return {
      channelId,
      ...(typeof item.ts === 'string' ? { ts: item.ts } : {}),
      openUntil: Number(item.openUntil) || 0,
      entries: entries.map((e) => ({
        key: String(e.key),
        severity: Number(e.severity),
        state: String(e.state),
        line: String(e.line),
      })),
      ...(typeof item.version === 'number' ? { version: item.version } : {}),
    };
  }

  async saveStorm(storm: StormRecord, expectedVersion: number | undefined): Promise<StormRecord> {
    const version = (expectedVersion ?? 0) + 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [ALARM_STATE_KEY]: STORM_PREFIX + storm.channelId,
            kind: 'storm',
            ...(storm.ts ? { ts: storm.ts } : {}),
            openUntil: storm.openUntil,
            entries: storm.entries.map((e) => ({ ...e })),
            version,
            expiresAt: Math.ceil(storm.openUntil / 1000) + STORM_TTL_SECONDS,
          },
          ...versionCondition(expectedVersion),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new AlarmStateConflictError(STORM_PREFIX + storm.channelId, { cause: error });
      throw new AlarmStateStoreError(`save of the storm in ${storm.channelId} failed`, { cause: error });
    }
    return { ...storm, version };
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
