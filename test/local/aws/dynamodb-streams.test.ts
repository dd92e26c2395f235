import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, corruptBody, rejectionOf, tempDataDir } from './helpers';

describe('local DynamoDB endpoint with its stream tap', () => {
  let aws: LocalAws;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  let streamsClient: DynamoDBStreamsClient;
  let streamArn: string;
  let shardId: string;

  const createTable = (TableName: string, streamed: boolean) =>
    ddb.send(
      new CreateTableCommand({
        TableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        ...(streamed
          ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } }
          : {}),
      }),
    );

  /** Every record after an iterator, following NextShardIterator until a page comes back empty. */
  const readFrom = async (iterator: string | undefined): Promise<StreamRecord[]> => {
    const out: StreamRecord[] = [];
    let next = iterator;
    while (next) {
      const page = await streamsClient.send(new GetRecordsCommand({ ShardIterator: next }));
      out.push(...(page.Records ?? []));
      if ((page.Records ?? []).length === 0) break;
      next = page.NextShardIterator;
    }
    return out;
  };
  const latest = async (): Promise<string> =>
    (
      await streamsClient.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'LATEST' }),
      )
    ).ShardIterator as string;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    ddb = new DynamoDBClient(clientConfig(aws.url));
    doc = DynamoDBDocumentClient.from(ddb);
    streamsClient = new DynamoDBStreamsClient(clientConfig(aws.url));
    const created = await createTable('sessions', true);
    await createTable('plain', false);
    streamArn = created.TableDescription?.LatestStreamArn as string;
    const described = await streamsClient.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    shardId = described.StreamDescription?.Shards?.[0]?.ShardId as string;
  });

  afterAll(async () => {
    ddb.destroy();
    streamsClient.destroy();
    await aws.close();
  });

  it('reports the stream on CreateTable, DescribeTable, ListStreams and DescribeStream', async () => {
    const table = (await ddb.send(new DescribeTableCommand({ TableName: 'sessions' }))).Table;
    const plain = (await ddb.send(new DescribeTableCommand({ TableName: 'plain' }))).Table;
    const listed = await streamsClient.send(new ListStreamsCommand({}));
    const described = await streamsClient.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    expect(streamArn).toMatch(/^arn:aws:dynamodb:eu-west-1:000000000000:table\/sessions\/stream\/\d{4}-/);
    expect(table?.LatestStreamArn).toBe(streamArn);
    expect(table?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(plain?.LatestStreamArn).toBeUndefined();
    expect(listed.Streams?.map((s) => s.TableName)).toEqual(['sessions']);
    expect(described.StreamDescription).toMatchObject({
      StreamStatus: 'ENABLED',
      TableName: 'sessions',
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
  });

  it('turns put, overwrite, update and delete into INSERT, MODIFY, MODIFY and REMOVE with exact images', async () => {
    const from = await latest();
    await doc.send(
      new PutCommand({ TableName: 'sessions', Item: { pk: 's#1', sk: 'v', title: 'Intro', seats: 10 } }),
    );
    await doc.send(
      new PutCommand({ TableName: 'sessions', Item: { pk: 's#1', sk: 'v', title: 'Intro', seats: 10 } }),
    );
    await doc.send(
      new UpdateCommand({
        TableName: 'sessions',
        Key: { pk: 's#1', sk: 'v' },
        UpdateExpression: 'SET seats = seats - :one',
        ExpressionAttributeValues: { ':one': 1 },
      }),
    );
    await doc.send(new DeleteCommand({ TableName: 'sessions', Key: { pk: 's#1', sk: 'v' } }));
    await doc.send(new DeleteCommand({ TableName: 'sessions', Key: { pk: 'missing', sk: 'v' } }));

    const records = await readFrom(from);
    expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'MODIFY', 'REMOVE']);
    const [insert, same, update, remove] = records as [
      StreamRecord,
      StreamRecord,
      StreamRecord,
      StreamRecord,
    ];
    const item = { pk: { S: 's#1' }, sk: { S: 'v' }, title: { S: 'Intro' }, seats: { N: '10' } };
    expect(insert.dynamodb).toMatchObject({
      Keys: { pk: { S: 's#1' }, sk: { S: 'v' } },
      NewImage: item,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    });
    expect(insert.dynamodb?.OldImage).toBeUndefined();
    expect(same.dynamodb).toMatchObject({ OldImage: item, NewImage: item });
    expect(update.dynamodb).toMatchObject({ OldImage: item, NewImage: { ...item, seats: { N: '9' } } });
    expect(remove.dynamodb?.OldImage).toEqual({ ...item, seats: { N: '9' } });
    expect(remove.dynamodb?.NewImage).toBeUndefined();
    expect(insert).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'eu-west-1',
    });
    expect(insert.dynamodb?.ApproximateCreationDateTime).toBeInstanceOf(Date);
    expect(insert.dynamodb?.SizeBytes).toBeGreaterThan(0);
    const sequence = records.map((r) => BigInt(r.dynamodb?.SequenceNumber ?? '0'));
    expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(records.map((r) => r.eventID)).size).toBe(4);
  });

  it('records nothing for a failed conditional write and surfaces ConditionalCheckFailedException', async () => {
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { pk: 's#2', sk: 'v', n: 1 } }));
    const from = await latest();
    const err = await rejectionOf(
      doc.send(
        new PutCommand({
          TableName: 'sessions',
          Item: { pk: 's#2', sk: 'v', n: 2 },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    expect(err).toBeInstanceOf(ConditionalCheckFailedException);
    expect(await readFrom(from)).toEqual([]);
    const stored = await ddb.send(
      new GetItemCommand({ TableName: 'sessions', Key: { pk: { S: 's#2' }, sk: { S: 'v' } } }),
    );
    expect(stored.Item?.n).toEqual({ N: '1' });
  });

  it('records batch writes on streamed tables only', async () => {
    const from = await latest();
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          sessions: [
            { PutRequest: { Item: { pk: 'b#1', sk: 'v' } } },
            { DeleteRequest: { Key: { pk: 's#2', sk: 'v' } } },
          ],
          plain: [{ PutRequest: { Item: { pk: 'p', sk: 'v' } } }],
        },
      }),
    );
    const records = await readFrom(from);
    expect(records.map((r) => [r.eventName, r.dynamodb?.Keys?.pk?.S])).toEqual([
      ['INSERT', 'b#1'],
      ['REMOVE', 's#2'],
    ]);
  });

  it('positions iterators at TRIM_HORIZON, LATEST, AT_ and AFTER_SEQUENCE_NUMBER', async () => {
    const all = await readFrom(
      (
        await streamsClient.send(
          new GetShardIteratorCommand({
            StreamArn: streamArn,
            ShardId: shardId,
            ShardIteratorType: 'TRIM_HORIZON',
          }),
        )
      ).ShardIterator,
    );
    const second = all[1]?.dynamodb?.SequenceNumber as string;
    const at = await streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AT_SEQUENCE_NUMBER',
        SequenceNumber: second,
      }),
    );
    const after = await streamsClient.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        SequenceNumber: second,
      }),
    );
    const atPage = await streamsClient.send(
      new GetRecordsCommand({ ShardIterator: at.ShardIterator, Limit: 1 }),
    );
    const afterPage = await streamsClient.send(
      new GetRecordsCommand({ ShardIterator: after.ShardIterator, Limit: 1 }),
    );
    const latestPage = await streamsClient.send(new GetRecordsCommand({ ShardIterator: await latest() }));
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(atPage.Records?.[0]?.dynamodb?.SequenceNumber).toBe(second);
    expect(afterPage.Records?.[0]?.dynamodb?.SequenceNumber).toBe(all[2]?.dynamodb?.SequenceNumber);
    expect(latestPage.Records).toEqual([]);
    expect(latestPage.NextShardIterator).toBeDefined();
  });

  it('answers bad stream requests with the DynamoDB Streams errors and keeps serving', async () => {
    const unknown = await rejectionOf(
      streamsClient.send(
        new DescribeStreamCommand({
          StreamArn: 'arn:aws:dynamodb:eu-west-1:000000000000:table/nope/stream/x',
        }),
      ),
    );
    const badIterator = await rejectionOf(
      streamsClient.send(new GetRecordsCommand({ ShardIterator: 'garbage' })),
    );
    const missing = await rejectionOf(
      streamsClient.send(new GetShardIteratorCommand({ StreamArn: streamArn } as never)),
    );
    expect([unknown.name, badIterator.name, missing.name]).toEqual([
      'ResourceNotFoundException',
      'ValidationException',
      'ValidationException',
    ]);
    expect(missing.$metadata?.httpStatusCode).toBe(400);
    await expect(streamsClient.send(new ListStreamsCommand({}))).resolves.toBeDefined();
  });

  it('passes DynamoDB validation and serialization errors through from dynalite', async () => {
    const missing = await rejectionOf(ddb.send(new GetItemCommand({ TableName: 'sessions' } as never)));
    const noTable = await rejectionOf(
      ddb.send(new GetItemCommand({ TableName: 'nope', Key: { pk: { S: 'x' } } })),
    );
    const broken = new DynamoDBClient(clientConfig(aws.url));
    broken.middlewareStack.add(corruptBody('{"TableName":'), { step: 'finalizeRequest' });
    const serialization = await rejectionOf(broken.send(new DescribeTableCommand({ TableName: 'sessions' })));
    broken.destroy();
    expect([missing.name, noTable.name, serialization.name]).toEqual([
      'ValidationException',
      'ResourceNotFoundException',
      'SerializationException',
    ]);
  });

  it('closes the stream when the table is deleted', async () => {
    await createTable('short-lived', true);
    const arn = (await ddb.send(new DescribeTableCommand({ TableName: 'short-lived' }))).Table
      ?.LatestStreamArn as string;
    await ddb.send(new DeleteTableCommand({ TableName: 'short-lived' }));
    const described = await streamsClient.send(new DescribeStreamCommand({ StreamArn: arn }));
    expect(described.StreamDescription?.StreamStatus).toBe('DISABLED');
  });
});

describe('local DynamoDB persistence', () => {
  it('keeps tables, items, stream settings and records across a restart', async () => {
    const data = tempDataDir();
    try {
      const first = await startLocalAws({ port: 0, dataDir: data.dir });
      const c1 = new DynamoDBClient(clientConfig(first.url));
      await c1.send(
        new CreateTableCommand({
          TableName: 'things',
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' },
        }),
      );
      await c1.send(new PutItemCommand({ TableName: 'things', Item: { id: { S: 'a' }, v: { N: '1' } } }));
      c1.destroy();
      await first.close();

      const second = await startLocalAws({ port: 0, dataDir: data.dir });
      const c2 = new DynamoDBClient(clientConfig(second.url));
      const s2 = new DynamoDBStreamsClient(clientConfig(second.url));
      const table = (await c2.send(new DescribeTableCommand({ TableName: 'things' }))).Table;
      const item = await c2.send(new GetItemCommand({ TableName: 'things', Key: { id: { S: 'a' } } }));
      const described = await s2.send(new DescribeStreamCommand({ StreamArn: table?.LatestStreamArn }));
      const iterator = await s2.send(
        new GetShardIteratorCommand({
          StreamArn: table?.LatestStreamArn,
          ShardId: described.StreamDescription?.Shards?.[0]?.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const records = await s2.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator }));
      c2.destroy();
      s2.destroy();
      await second.close();
      expect(item.Item?.v).toEqual({ N: '1' });
      expect(records.Records?.map((r) => [r.eventName, r.dynamodb?.Keys, r.dynamodb?.NewImage])).toEqual([
        ['INSERT', { id: { S: 'a' } }, undefined],
      ]);
    } finally {
      data.remove();
    }
  });
});
