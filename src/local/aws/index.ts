import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { LogStore } from '../logs/log-store';
import { startDynalite } from './dynamodb/dynalite-backend';
import { createDynamoDbService } from './dynamodb/dynamodb-service';
import { createDynamoDbStreamsService } from './dynamodb/dynamodb-streams-service';
import { StreamStore } from './dynamodb/stream-store';
import { createCloudWatchLogsService } from './logs/cloudwatch-logs-service';
import { type JsonServiceDefinition, type RestServiceDefinition, ServiceRegistry } from './registry';
import { createSecretsManagerService } from './secretsmanager/secrets-manager-service';
import { createAwsHttpServer } from './server';
import { createSqsService } from './sqs/sqs-service';

export { AwsServiceError, LocalAwsError, unknownOperation } from './errors';
export type {
  JsonOperation,
  JsonServiceDefinition,
  RawResponse,
  RequestContext,
  RestRequest,
  RestServiceDefinition,
} from './registry';
export { parseInput } from './validate';

/** The account id every local ARN and queue URL carries. */
export const LOCAL_AWS_ACCOUNT_ID = '000000000000';
/** The region used when a request is not SigV4-signed. */
export const LOCAL_AWS_DEFAULT_REGION = 'eu-west-1';
/** The default port (LocalStack's), overridden by `LOCAL_AWS_PORT`. */
export const LOCAL_AWS_DEFAULT_PORT = 4566;

/** Options of {@link startLocalAws}. */
export interface LocalAwsOptions {
  /** 0 picks a free port; defaults to `LOCAL_AWS_PORT` or 4566. */
  readonly port?: number;
  readonly host?: string;
  /** Persist logs (and DynamoDB tables and stream records) here; in memory when absent. */
  readonly dataDir?: string;
  readonly region?: string;
  /** Logs Insights queries that may run at once (AWS's quota by default); lower it to drill LimitExceededException. */
  readonly maxConcurrentQueries?: number;
}

/** A running local AWS endpoint. */
export interface LocalAws {
  readonly url: string;
  readonly port: number;
  /** The log store, for fast in-process writes (`logs.append`) and reads. */
  readonly logs: LogStore;
  /** Plugs in another awsJson service (routed by its `X-Amz-Target` prefix). */
  registerJsonService(definition: JsonServiceDefinition): void;
  /** Plugs in a restJson service (routed by method and path). */
  registerRestService(definition: RestServiceDefinition): void;
  close(): Promise<void>;
}

/** Starts the local AWS endpoint: CloudWatch Logs, DynamoDB (+ Streams) and SQS on one port. */
export async function startLocalAws(options: LocalAwsOptions = {}): Promise<LocalAws> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? LOCAL_AWS_DEFAULT_REGION;
  const port =
    options.port ??
    (process.env.LOCAL_AWS_PORT ? Number(process.env.LOCAL_AWS_PORT) : LOCAL_AWS_DEFAULT_PORT);
  const registry = new ServiceRegistry();
  const logs = LogStore.open(options.dataDir);
  registry.registerJsonService(
    createCloudWatchLogsService({
      store: logs,
      ...(options.maxConcurrentQueries === undefined
        ? {}
        : { maxConcurrentQueries: options.maxConcurrentQueries }),
    }),
  );
  const dynalite = await startDynalite(
    options.dataDir === undefined ? undefined : join(options.dataDir, 'dynamodb'),
  );
  const streams = new StreamStore(options.dataDir);
  registry.registerJsonService(createDynamoDbService({ backend: dynalite, streams }));
  registry.registerJsonService(createDynamoDbStreamsService(streams));
  const sqs = createSqsService({ dataDir: options.dataDir });
  registry.registerJsonService(sqs);
  registry.registerJsonService(createSecretsManagerService());

  let url = '';
  const server = createAwsHttpServer({
    registry,
    defaultRegion: region,
    accountId: LOCAL_AWS_ACCOUNT_ID,
    endpointUrl: () => url,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      void dynalite.close();
      reject(error);
    });
    server.listen(port, host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  url = `http://${host}:${actualPort}`;

  return {
    url,
    port: actualPort,
    logs,
    registerJsonService: (definition) => registry.registerJsonService(definition),
    registerRestService: (definition) => registry.registerRestService(definition),
    async close() {
      // End long polls first so their connections can finish.
      sqs.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await dynalite.close();
    },
  };
}
