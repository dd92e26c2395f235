import { readFileSync } from 'node:fs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { ALARM_STATE_KEY, DynamoDbAlarmStateStore } from '../../../src/aws/alarm-state-store';
import { type LocalSlack, type LocalSlackOptions, startLocalSlack } from '../../../src/local/slack';
import { startTestDynamo } from '../../fakes/dynalite';

let tableCounter = 0;

/** A dynalite server on loopback; `newStore()` creates a fresh alarm-state table each call. */
export async function startAlarmDynalite(): Promise<{
  client: DynamoDBDocumentClient;
  newStore: () => Promise<{ store: DynamoDbAlarmStateStore; table: string }>;
  close: () => Promise<void>;
}> {
  const { raw, client, close } = await startTestDynamo();
  return {
    client,
    newStore: async () => {
      tableCounter += 1;
      const table = `alarm-state-${tableCounter}`;
      await raw.send(
        new CreateTableCommand({
          TableName: table,
          AttributeDefinitions: [{ AttributeName: ALARM_STATE_KEY, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: ALARM_STATE_KEY, KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      return { store: new DynamoDbAlarmStateStore(client, table), table };
    },
    close,
  };
}

/** A fixture from test/fixtures/alarms, parsed. */
export function alarmFixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/alarms/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}

/** What {@link useAlarmTestBed} gives each test: a local Slack, dynalite, and a fresh alarm-state table. */
export interface AlarmTestBed {
  slack: LocalSlack;
  db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  store: DynamoDbAlarmStateStore;
}

/**
 * Starts a local Slack and dynalite for the enclosing `describe` and gives every test an empty
 * channel and a new alarm-state table; read the fields inside tests and hooks, not at collection.
 */
export function useAlarmTestBed(slackOptions: LocalSlackOptions = { port: 0 }): AlarmTestBed {
  const bed = {} as AlarmTestBed;
  beforeAll(async () => {
    bed.slack = await startLocalSlack(slackOptions);
    bed.db = await startAlarmDynalite();
  });
  afterAll(async () => {
    await bed.slack?.close();
    await bed.db?.close();
  });
  beforeEach(async () => {
    bed.slack.reset();
    bed.store = (await bed.db.newStore()).store;
  });
  return bed;
}
