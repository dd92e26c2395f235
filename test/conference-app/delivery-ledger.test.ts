import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DownstreamError } from '../../src/conference-app/sessions/errors';
import { DynamoDbDeliveryLedger } from '../../src/conference-app/store/dynamodb-delivery-ledger';
import { deliveriesTableInput } from '../../src/conference-app/store/table-definitions';
import { startTestDynamo, type TestDynamo } from '../fakes/dynalite';

describe('DynamoDbDeliveryLedger', () => {
  let dynamo: TestDynamo;
  let nowMs = 1_800_000_000_000;
  let ledger: DynamoDbDeliveryLedger;

  beforeAll(async () => {
    dynamo = await startTestDynamo();
    await dynamo.raw.send(new CreateTableCommand(deliveriesTableInput('deliveries')));
    ledger = new DynamoDbDeliveryLedger(dynamo.client, 'deliveries', () => nowMs);
  });
  afterAll(() => dynamo.close());

  it('claims a delivery once; a second claim sees it in progress, then delivered', async () => {
    expect(await ledger.claim('announce#a', 60_000)).toBe('claimed');
    expect(await ledger.claim('announce#a', 60_000)).toBe('in-progress');

    await ledger.complete('announce#a');

    expect(await ledger.claim('announce#a', 60_000)).toBe('delivered');
  });

  it('lets a released claim be taken again', async () => {
    await ledger.claim('announce#b', 60_000);
    await ledger.release('announce#b');

    expect(await ledger.claim('announce#b', 60_000)).toBe('claimed');
  });

  it('hands a claim whose lease lapsed (a crashed sender) to the next claimant', async () => {
    await ledger.claim('forward#c', 1_000);
    nowMs += 1_001;

    expect(await ledger.claim('forward#c', 1_000)).toBe('claimed');
  });

  it('never releases a completed delivery', async () => {
    await ledger.claim('forward#d', 1_000);
    await ledger.complete('forward#d');
    await ledger.release('forward#d');

    expect(await ledger.claim('forward#d', 1_000)).toBe('delivered');
  });

  it('marks every delivery of a message done at once, over 25 keys and a key named twice', async () => {
    // Arrange
    const keys = Array.from({ length: 30 }, (_, i) => `announce#many-${i}`);
    for (const key of keys) await ledger.claim(key, 60_000);

    // Act
    await ledger.completeAll([...keys, keys[0] ?? '']);

    // Assert
    const outcomes = await Promise.all(keys.map((key) => ledger.claim(key, 60_000)));
    expect(new Set(outcomes)).toEqual(new Set(['delivered']));
  });
});

describe('DynamoDbDeliveryLedger.completeAll against throttling', () => {
  const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
  const mock = mockClient(documentClient);
  const slept: number[] = [];
  const ledger = new DynamoDbDeliveryLedger(
    documentClient,
    'deliveries',
    () => 0,
    async (ms) => {
      slept.push(ms);
    },
  );
  const unprocessed = (id: string) => ({
    UnprocessedItems: { deliveries: [{ PutRequest: { Item: { id, status: 'COMPLETED' } } }] },
  });

  it('sends again what BatchWriteItem left unprocessed, after a backoff', async () => {
    mock.reset();
    slept.length = 0;
    mock.on(BatchWriteCommand).resolvesOnce(unprocessed('announce#b')).resolves({});

    await ledger.completeAll(['announce#a', 'announce#b']);

    const calls = mock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => c.args[0].input.RequestItems?.deliveries?.length)).toEqual([2, 1]);
    expect(calls[1]?.args[0].input.RequestItems?.deliveries?.[0]?.PutRequest?.Item).toMatchObject({
      id: 'announce#b',
    });
    expect(slept).toEqual([100]);
  });

  it('gives up with a DownstreamError when writes stay unprocessed', async () => {
    mock.reset();
    mock.on(BatchWriteCommand).resolves(unprocessed('announce#c'));

    await expect(ledger.completeAll(['announce#c'])).rejects.toBeInstanceOf(DownstreamError);
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });
});
