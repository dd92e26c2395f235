import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_STATE_KEY } from '../../src/aws/alarm-state-store';
import { ClaimStoreError, DynamoDbClaimStore } from '../../src/aws/dynamodb-claim-store';
import { startTestDynamo, type TestDynamo } from '../fakes/dynalite';

describe('DynamoDbClaimStore against dynalite', () => {
  let db: TestDynamo;
  const TABLE = 'alarm-state-claims';
  beforeAll(async () => {
    db = await startTestDynamo();
    await db.raw.send(
      new CreateTableCommand({
        TableName: TABLE,
        AttributeDefinitions: [{ AttributeName: ALARM_STATE_KEY, AttributeType: 'S' }],
        KeySchema: [{ AttributeName: ALARM_STATE_KEY, KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  });
  afterAll(() => db.close());

  it('claims a key once and writes its expiry to the TTL attribute', async () => {
    const store = new DynamoDbClaimStore(db.raw, TABLE);
    expect(await store.claim('replay#1#a', 1301, 1000)).toBe(true);
    expect(await store.claim('replay#1#a', 1301, 1200)).toBe(false);
    const item = await db.raw.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: 'replay#1#a' } } }),
    );
    expect(item.Item?.expiresAt).toEqual({ N: '1301' });
  });

  it('takes over a claim that expired but TTL has not deleted yet', async () => {
    const store = new DynamoDbClaimStore(db.raw, TABLE);
    await store.claim('replay#2#a', 1301, 1000);
    expect(await store.claim('replay#2#a', 1700, 1302)).toBe(true);
  });

  it('wraps any other failure in ClaimStoreError', async () => {
    const store = new DynamoDbClaimStore(db.raw, 'missing-table');
    await expect(store.claim('replay#3#a', 1301, 1000)).rejects.toBeInstanceOf(ClaimStoreError);
  });
});
