import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A DynamoDB attribute map in wire form (`{ "pk": { "S": "x" } }`). */
export type AttributeMap = Record<string, unknown>;

/** What a table's StreamSpecification asks for. */
export type StreamViewType = 'KEYS_ONLY' | 'NEW_IMAGE' | 'OLD_IMAGE' | 'NEW_AND_OLD_IMAGES';

/** A DynamoDB key schema element as CreateTable takes it. */
export interface KeySchemaElement {
  readonly AttributeName: string;
  readonly KeyType: 'HASH' | 'RANGE';
}

/** One table's stream. */
export interface TableStream {
  readonly tableName: string;
  readonly streamArn: string;
  readonly streamLabel: string;
  readonly viewType: StreamViewType;
  readonly keySchema: readonly KeySchemaElement[];
  readonly createdAt: number;
  readonly shardId: string;
  status: 'ENABLED' | 'DISABLED';
}

/** One stream record in the shape GetRecords returns (and a DynamoDBStreamEvent record carries). */
export interface StreamRecord {
  readonly eventID: string;
  readonly eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  readonly eventVersion: '1.1';
  readonly eventSource: 'aws:dynamodb';
  readonly awsRegion: string;
  readonly dynamodb: {
    readonly ApproximateCreationDateTime: number;
    readonly Keys: AttributeMap;
    readonly NewImage?: AttributeMap;
    readonly OldImage?: AttributeMap;
    readonly SequenceNumber: string;
    readonly SizeBytes: number;
    readonly StreamViewType: StreamViewType;
  };
}

type Line =
  | { readonly k: 'stream'; readonly stream: TableStream }
  | { readonly k: 'disable'; readonly arn: string }
  | { readonly k: 'record'; readonly arn: string; readonly record: StreamRecord };

/**
 * The stream tap's memory: which tables have streams and their records, persisted as one
 * append-only NDJSON file (`<dataDir>/dynamodb-streams/streams.ndjson`) or in memory.
 */
export class StreamStore {
  private readonly byArn = new Map<string, { stream: TableStream; records: StreamRecord[] }>();
  private readonly currentByTable = new Map<string, string>();
  private sequence = 0n;
  private readonly file: string | undefined;

  constructor(dataDir?: string) {
    if (dataDir) {
      const directory = join(dataDir, 'dynamodb-streams');
      mkdirSync(directory, { recursive: true });
      this.file = join(directory, 'streams.ndjson');
      if (existsSync(this.file)) {
        const text = readFileSync(this.file, 'utf8');
        // Terminate a torn last line (crash mid-write) so the next append starts a clean line.
        if (text.length > 0 && !text.endsWith('\n')) appendFileSync(this.file, '\n');
        this.load(text);
      }
    }
  }

  /** Turns a table's stream on (a new stream, as after re-enabling in AWS). */
  enable(
    tableName: string,
    viewType: StreamViewType,
    keySchema: readonly KeySchemaElement[],
    region: string,
    accountId: string,
  ): TableStream {
    const createdAt = Date.now();
    // The stream label is the creation time without the zone, like AWS's.
    const streamLabel = new Date(createdAt).toISOString().replace('Z', '');
    const streamArn = `arn:aws:dynamodb:${region}:${accountId}:table/${tableName}/stream/${streamLabel}`;
    const shardId = `shardId-${String(createdAt).padStart(20, '0')}-${createHash('sha1').update(streamArn).digest('hex').slice(0, 8)}`;
    const stream: TableStream = {
      tableName,
      streamArn,
      streamLabel,
      viewType,
      keySchema,
      createdAt,
      shardId,
      status: 'ENABLED',
    };
    this.apply({ k: 'stream', stream }, true);
    return stream;
  }

  /** Turns a table's stream off (table deleted); its records stay readable. */
  disable(tableName: string): void {
    const arn = this.currentByTable.get(tableName);
    if (arn) this.apply({ k: 'disable', arn }, true);
  }

  /** The enabled stream of a table, if any. */
  forTable(tableName: string): TableStream | undefined {
    const arn = this.currentByTable.get(tableName);
    return arn ? this.byArn.get(arn)?.stream : undefined;
  }

  /** A stream by ARN. */
  get(arn: string): TableStream | undefined {
    return this.byArn.get(arn)?.stream;
  }

  /** Every stream, oldest first. */
  list(): TableStream[] {
    return [...this.byArn.values()].map((s) => s.stream);
  }

  /** The records of a stream, in sequence order. */
  records(arn: string): readonly StreamRecord[] {
    return this.byArn.get(arn)?.records ?? [];
  }

  /** Appends one change to a table's stream, shaped by its view type. */
  record(
    tableName: string,
    region: string,
    oldImage: AttributeMap | undefined,
    newImage: AttributeMap | undefined,
  ): StreamRecord | undefined {
    const stream = this.forTable(tableName);
    if (!stream || (!oldImage && !newImage)) return undefined;
    const eventName = !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY';
    const source = (newImage ?? oldImage) as AttributeMap;
    const Keys = Object.fromEntries(stream.keySchema.map((k) => [k.AttributeName, source[k.AttributeName]]));
    const withNew = stream.viewType === 'NEW_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES';
    const withOld = stream.viewType === 'OLD_IMAGE' || stream.viewType === 'NEW_AND_OLD_IMAGES';
    const images = {
      ...(withNew && newImage ? { NewImage: newImage } : {}),
      ...(withOld && oldImage ? { OldImage: oldImage } : {}),
    };
    this.sequence++;
    const record: StreamRecord = {
      eventID: randomUUID().replaceAll('-', ''),
      eventName,
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys,
        ...images,
        // Fixed width keeps string order equal to numeric order, as consumers may compare either.
        SequenceNumber: (10n ** 20n + this.sequence).toString(),
        SizeBytes: Buffer.byteLength(JSON.stringify({ Keys, ...images })),
        StreamViewType: stream.viewType,
      },
    };
    this.apply({ k: 'record', arn: stream.streamArn, record }, true);
    return record;
  }

  private apply(line: Line, persist: boolean): void {
    if (line.k === 'stream') {
      const previous = this.currentByTable.get(line.stream.tableName);
      const old = previous ? this.byArn.get(previous) : undefined;
      if (old) old.stream.status = 'DISABLED';
      this.byArn.set(line.stream.streamArn, { stream: { ...line.stream }, records: [] });
      this.currentByTable.set(line.stream.tableName, line.stream.streamArn);
    } else if (line.k === 'disable') {
      const entry = this.byArn.get(line.arn);
      if (entry) {
        entry.stream.status = 'DISABLED';
        if (this.currentByTable.get(entry.stream.tableName) === line.arn)
          this.currentByTable.delete(entry.stream.tableName);
      }
    } else {
      this.byArn.get(line.arn)?.records.push(line.record);
      const seq = BigInt(line.record.dynamodb.SequenceNumber) - 10n ** 20n;
      if (seq > this.sequence) this.sequence = seq;
    }
    if (persist && this.file) appendFileSync(this.file, `${JSON.stringify(line)}\n`);
  }

  private load(text: string): void {
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      try {
        this.apply(JSON.parse(raw) as Line, false);
      } catch {
        // A torn last line after a crash: skip it.
      }
    }
  }
}
