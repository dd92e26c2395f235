import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Dynalite = (options: Record<string, number>) => Server;
// dynalite ships no types; a non-literal specifier keeps this file free of a global module declaration.
const dynaliteModule = 'dynalite';

/** A real DynamoDB implementation (dynalite) on a random loopback port, with SDK clients pointed at it. */
export interface TestDynamo {
  /** The raw client, for CreateTable and friends. */
  raw: DynamoDBClient;
  /** The document client the adapters under test use. */
  client: DynamoDBDocumentClient;
  close: () => Promise<void>;
}

/** Starts dynalite in this process (tables are created at once) for adapter tests. */
export async function startTestDynamo(): Promise<TestDynamo> {
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
    raw,
    client,
    close: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
