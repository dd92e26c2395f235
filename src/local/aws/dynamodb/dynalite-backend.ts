import { mkdirSync } from 'node:fs';
import { request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RawResponse } from '../registry';

type Dynalite = (options: Record<string, unknown>) => Server;
// dynalite ships no types; a non-literal specifier keeps us free of a global module declaration.
const dynaliteModule = 'dynalite';

/** An in-process dynalite server on its own loopback port, spoken to with raw awsJson bodies. */
export interface DynaliteBackend {
  /** Sends one DynamoDB operation; headers carry the caller's SigV4 fields (dynalite checks they exist). */
  call(
    operation: string,
    body: Buffer | string,
    headers?: Readonly<Record<string, string>>,
  ): Promise<RawResponse & { body: Buffer }>;
  close(): Promise<void>;
}

/** Dynalite wants an Authorization header and a date; it does not verify the signature. */
const INTERNAL_HEADERS = {
  authorization:
    'AWS4-HMAC-SHA256 Credential=local/20260101/eu-west-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0',
  'x-amz-date': '20260101T000000Z',
};

/** Starts dynalite, persisted under `path` when given (LevelDB), else in memory. */
export async function startDynalite(path?: string): Promise<DynaliteBackend> {
  const dynalite = ((await import(dynaliteModule)) as { default: Dynalite }).default;
  if (path) mkdirSync(path, { recursive: true });
  // Tables become ACTIVE at once: local callers should not need waiters.
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path ? { path } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;

  return {
    call(operation, body, headers) {
      const payload = typeof body === 'string' ? Buffer.from(body) : body;
      return new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/',
            headers: {
              ...INTERNAL_HEADERS,
              ...headers,
              'content-type': 'application/x-amz-json-1.0',
              'x-amz-target': `DynamoDB_20120810.${operation}`,
              'content-length': String(payload.length),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const out: Record<string, string> = {};
              for (const [k, v] of Object.entries(res.headers)) {
                if (typeof v === 'string' && k !== 'content-length' && k !== 'connection' && k !== 'date')
                  out[k] = v;
              }
              resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    close() {
      server.closeAllConnections?.();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
