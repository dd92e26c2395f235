import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP stand-in and what it has seen. */
export interface StandIn {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Requests answered, by route (`invoke:<function>` or the Web API method). */
  counts: Map<string, number>;
  close(): Promise<void>;
}

type Route = (request: IncomingMessage, body: Buffer) => { key: string; status: number; json: unknown };

async function startStandIn(route: Route): Promise<StandIn> {
  const counts = new Map<string, number>();
  const server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { key, status, json } = route(request, Buffer.concat(chunks));
      counts.set(key, (counts.get(key) ?? 0) + 1);
      const payload = JSON.stringify(json);
      response.writeHead(status, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
      });
      response.end(payload);
    });
  });
  // Keep-alive sockets outlive a child process; idle ones are dropped quickly.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;

/** Options of {@link startLambdaInvokeStandIn}. */
export interface AwsStandInOptions {
  /** The `SecretString` that Secrets Manager `GetSecretValue` answers with, for any secret id. */
  secretString?: string;
}

/**
 * Answers Lambda `Invoke` like the service does for `InvocationType: Event` (202, empty JSON),
 * so the bot's dispatch makes its real HTTP round trip without leaving the machine; DynamoDB
 * `PutItem` (the replay guard's claim); and, when given a secret, Secrets Manager `GetSecretValue`
 * (both JSON protocols, routed by `X-Amz-Target`), as the deployed Slack handler's first event does.
 */
export function startLambdaInvokeStandIn(options: AwsStandInOptions = {}): Promise<StandIn> {
  return startStandIn((request, body) => {
    const target = request.headers['x-amz-target'];
    if (target === 'secretsmanager.GetSecretValue' && options.secretString !== undefined) {
      const { SecretId } = JSON.parse(body.toString('utf8')) as { SecretId?: string };
      return {
        key: 'secretsmanager:GetSecretValue',
        status: 200,
        json: { ARN: SecretId, Name: SecretId, SecretString: options.secretString, VersionId: 'bench' },
      };
    }
    if (target === 'DynamoDB_20120810.PutItem') {
      // The replay guard's claim: a conditional put that succeeds (a fresh trigger id every time).
      return { key: 'dynamodb:PutItem', status: 200, json: {} };
    }
    const match = INVOKE_PATH.exec(request.url ?? '');
    if (request.method !== 'POST' || !match) return { key: 'unknown', status: 404, json: {} };
    // A job the worker could not parse would be a broken benchmark, not a fast one.
    const job = JSON.parse(body.toString('utf8')) as { job?: { kind?: string } };
    const name = decodeURIComponent(match[1] ?? '');
    return { key: `invoke:${name}:${job.job?.kind ?? 'none'}`, status: 202, json: {} };
  });
}

/** Answers the Slack Web API's `auth.test` (Bolt calls it before the first event); other methods fail. */
export function startSlackApiStandIn(): Promise<StandIn> {
  return startStandIn((request) => {
    const method = (request.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    if (method !== 'auth.test')
      return { key: method, status: 200, json: { ok: false, error: 'unknown_method' } };
    return {
      key: method,
      status: 200,
      json: {
        ok: true,
        url: 'https://bench.slack.com/',
        team: 'Bench',
        user: 'gumshoe',
        team_id: 'T0BENCH01',
        user_id: 'U0BOT0001',
        bot_id: 'B0BOT0001',
        is_enterprise_install: false,
      },
    };
  });
}
