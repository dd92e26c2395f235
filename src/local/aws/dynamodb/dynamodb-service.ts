import { AwsServiceError } from '../errors';
import type { JsonServiceDefinition, RawResponse, RequestContext } from '../registry';
import type { DynaliteBackend } from './dynalite-backend';
import type {
  AttributeMap,
  KeySchemaElement,
  StreamStore,
  StreamViewType,
  TableStream,
} from './stream-store';

/** Options of {@link createDynamoDbService}. */
export interface DynamoDbServiceOptions {
  readonly backend: DynaliteBackend;
  readonly streams: StreamStore;
}

type Body = Record<string, unknown>;

/**
 * DynamoDB (awsJson1_0, `DynamoDB_20120810.*`): raw bodies proxied to dynalite, plus the stream
 * tap dynalite lacks: writes to stream-enabled tables are serialised per table and turned into
 * INSERT/MODIFY/REMOVE records with images read before and after the write.
 */
export function createDynamoDbService(options: DynamoDbServiceOptions): JsonServiceDefinition {
  const { backend, streams } = options;
  const locks = new Map<string, Promise<void>>();

  /** A small async mutex per table, so the images around one write are not interleaved. */
  const withTables = async <T>(tables: readonly string[], fn: () => Promise<T>): Promise<T> => {
    const names = [...new Set(tables)].sort();
    const previous = names.map((n) => locks.get(n) ?? Promise.resolve());
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    for (const n of names) locks.set(n, mine);
    await Promise.all(previous);
    try {
      return await fn();
    } finally {
      release();
      for (const n of names) if (locks.get(n) === mine) locks.delete(n);
    }
  };

  const getItem = async (table: string, key: AttributeMap): Promise<AttributeMap | undefined> => {
    const res = await backend.call(
      'GetItem',
      JSON.stringify({ TableName: table, Key: key, ConsistentRead: true }),
    );
    if (res.status !== 200) throw new Error(`stream tap: GetItem on ${table} failed: ${res.body.toString()}`);
    return (JSON.parse(res.body.toString()) as { Item?: AttributeMap }).Item;
  };

  const keyOf = (stream: TableStream, item: AttributeMap): AttributeMap =>
    Object.fromEntries(stream.keySchema.map((k) => [k.AttributeName, item[k.AttributeName]]));

  const forward = async (operation: string, raw: Buffer, ctx: RequestContext): Promise<RawResponse> => {
    const headers = signingHeaders(ctx);
    const checked = checkBody(raw);
    if (checked === 'malformed') return backend.call(operation, raw, headers);
    if (checked === 'not-an-object') return serializationError();
    const parsed = checked;
    const body = Buffer.from(JSON.stringify(parsed));

    switch (operation) {
      case 'CreateTable': {
        const res = await backend.call(operation, body, headers);
        const spec = parsed.StreamSpecification as
          | { StreamEnabled?: boolean; StreamViewType?: StreamViewType }
          | undefined;
        if (res.status === 200 && spec?.StreamEnabled && typeof parsed.TableName === 'string') {
          const viewType = spec.StreamViewType ?? 'NEW_AND_OLD_IMAGES';
          streams.enable(
            parsed.TableName,
            viewType,
            (parsed.KeySchema ?? []) as KeySchemaElement[],
            ctx.region,
            ctx.accountId,
          );
        }
        return decorate(res, 'TableDescription', streams);
      }
      case 'DescribeTable':
        return decorate(await backend.call(operation, body, headers), 'Table', streams);
      case 'DeleteTable': {
        const res = await backend.call(operation, body, headers);
        if (res.status === 200 && typeof parsed.TableName === 'string') streams.disable(parsed.TableName);
        return res;
      }
      case 'PutItem':
      case 'UpdateItem':
      case 'DeleteItem': {
        const table = parsed.TableName;
        const stream = typeof table === 'string' ? streams.forTable(table) : undefined;
        if (!stream) return backend.call(operation, body, headers);
        const key =
          operation === 'PutItem'
            ? keyOf(stream, (parsed.Item ?? {}) as AttributeMap)
            : ((parsed.Key ?? {}) as AttributeMap);
        return withTables([stream.tableName], async () => {
          if (Object.values(key).some((v) => v === undefined)) return backend.call(operation, body, headers);
          const before = await getItem(stream.tableName, key);
          const res = await backend.call(operation, body, headers);
          // A failed write (conditional check, validation) changes nothing and records nothing.
          if (res.status !== 200) return res;
          const after = operation === 'DeleteItem' ? undefined : await getItem(stream.tableName, key);
          streams.record(stream.tableName, ctx.region, before, after);
          return res;
        });
      }
      case 'BatchWriteItem': {
        const requestItems = (parsed.RequestItems ?? {}) as Record<
          string,
          { PutRequest?: { Item: AttributeMap }; DeleteRequest?: { Key: AttributeMap } }[]
        >;
        const tapped = Object.keys(requestItems).filter((t) => streams.forTable(t));
        if (tapped.length === 0) return backend.call(operation, body, headers);
        return withTables(tapped, async () => {
          const writes: {
            table: string;
            key: AttributeMap;
            before: AttributeMap | undefined;
            remove: boolean;
          }[] = [];
          for (const table of tapped) {
            const stream = streams.forTable(table) as TableStream;
            for (const request of requestItems[table] ?? []) {
              const key = request.PutRequest
                ? keyOf(stream, request.PutRequest.Item ?? {})
                : (request.DeleteRequest?.Key ?? {});
              if (Object.values(key).some((v) => v === undefined)) continue;
              writes.push({ table, key, before: await getItem(table, key), remove: !request.PutRequest });
            }
          }
          const res = await backend.call(operation, body, headers);
          if (res.status !== 200) return res;
          const unprocessed =
            (JSON.parse(res.body.toString()) as { UnprocessedItems?: Record<string, unknown[]> })
              .UnprocessedItems ?? {};
          for (const write of writes) {
            // dynalite processes every item; skip a table's records if it ever reports otherwise.
            if ((unprocessed[write.table]?.length ?? 0) > 0) continue;
            const after = write.remove ? undefined : await getItem(write.table, write.key);
            streams.record(write.table, ctx.region, write.before, after);
          }
          return res;
        });
      }
      default:
        return backend.call(operation, body, headers);
    }
  };

  return { targetPrefix: 'DynamoDB_20120810', jsonVersion: '1.0', operations: {}, forward: guard(forward) };
}

function guard(
  forward: (operation: string, body: Buffer, ctx: RequestContext) => Promise<RawResponse>,
): (operation: string, body: Buffer, ctx: RequestContext) => Promise<RawResponse> {
  return async (operation, body, ctx) => {
    try {
      return await forward(operation, body, ctx);
    } catch (error) {
      if (error instanceof AwsServiceError) throw error;
      throw new AwsServiceError('InternalServerError', 'The local DynamoDB backend failed', {
        status: 500,
        cause: error,
      });
    }
  };
}

function signingHeaders(ctx: RequestContext): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['authorization', 'x-amz-date', 'date']) {
    const value = ctx.headers[name];
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * The body as dynalite may safely see it. dynalite throws inside its own request handler (killing
 * the whole process) on a `null` body or a `null` where it expects a structure, and accepts `[]`,
 * `1` or `"x"` where DynamoDB answers SerializationException. In awsJson a `null` member means the
 * member is absent, so null members are dropped; a null list element or a non-object body is a
 * SerializationException, as DynamoDB answers.
 */
function checkBody(body: Buffer): Body | 'malformed' | 'not-an-object' {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    // dynalite answers malformed JSON (and an empty body) with the real SerializationException.
    return 'malformed';
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not-an-object';
  const cleaned = withoutNulls(parsed);
  return cleaned === undefined ? 'not-an-object' : (cleaned as Body);
}

function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) {
    const items = value.map(withoutNulls);
    return items.includes(undefined) ? undefined : items;
  }
  if (value === null) return undefined;
  if (typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) {
    if (member === null) continue;
    const cleaned = withoutNulls(member);
    if (cleaned === undefined) return undefined;
    out[key] = cleaned;
  }
  return out;
}

function serializationError(): RawResponse {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': 'SerializationException' },
    body: JSON.stringify({ __type: 'com.amazon.coral.service#SerializationException' }),
  };
}

/** Adds the stream fields dynalite forgets to a CreateTable/DescribeTable answer. */
function decorate(
  res: RawResponse & { body: Buffer },
  member: 'Table' | 'TableDescription',
  streams: StreamStore,
): RawResponse {
  if (res.status !== 200) return res;
  const parsed = JSON.parse(res.body.toString()) as Record<string, Record<string, unknown> | undefined>;
  const table = parsed[member];
  const stream = typeof table?.TableName === 'string' ? streams.forTable(table.TableName) : undefined;
  if (!table || !stream) return res;
  table.StreamSpecification = { StreamEnabled: true, StreamViewType: stream.viewType };
  table.LatestStreamArn = stream.streamArn;
  table.LatestStreamLabel = stream.streamLabel;
  // The body changed, so dynalite's x-amz-crc32 no longer holds; drop it rather than send a wrong one.
  const { 'x-amz-crc32': _crc, ...headers } = res.headers;
  return { status: res.status, headers, body: JSON.stringify(parsed) };
}
