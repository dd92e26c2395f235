import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});
