import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ALARM_STATE_KEY, DynamoDbAlarmStateStore } from '../../../src/aws/alarm-state-store';

type Dynalite = (options: Record<string, number>) => Server;
// dynalite ships no types; a non-literal specifier keeps this file free of a global module declaration.
const dynaliteModule = 'dynalite';
let tableCounter = 0;

/** A dynalite server on loopback; `newStore()` creates a fresh alarm-state table each call. */
export async function startAlarmDynalite(): Promise<{
  client: DynamoDBDocumentClient;
  newStore: () => Promise<{ store: DynamoDbAlarmStateStore; table: string }>;
  close: () => Promise<void>;
}> {
  const dynalite = ((await import(dynaliteModule)) as { default: Dynalite }).default;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
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
    close: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fixture from test/fixtures/alarms, parsed. */
export function alarmFixture(name: string): Record<string, unknown> {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/alarms/${name}`, import.meta.url), 'utf8'),
  ) as Record<string, unknown>;
}
