import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Client config pointing a real SDK v3 client at the local endpoint. */
export function clientConfig(url: string) {
  return {
    endpoint: url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

/** A fresh temporary data folder and its cleanup. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'gumshoe-local-aws-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whatever a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata?: { httpStatusCode?: number } };
  }
  throw new Error('expected a rejection');
}

/** Middleware that replaces the serialized body, to send malformed JSON through the real SDK. */
export function corruptBody(body: string) {
  return <A extends { request: unknown }, R>(next: (args: A) => Promise<R>) =>
    async (args: A): Promise<R> => {
      const request = args.request as { body?: unknown; headers: Record<string, string> };
      request.body = body;
      request.headers['content-length'] = String(Buffer.byteLength(body));
      return next(args);
    };
}
