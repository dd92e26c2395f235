import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionNames } from '../../src/conference-app/contract';
import { createListSessionsHandler } from '../../src/conference-app/handlers/list-sessions';
import type { Session } from '../../src/conference-app/sessions/session';
import { DynamoDbSessionStore } from '../../src/conference-app/store/dynamodb-session-store';
import { apiEvent, aSession, capturingLogger, contractLines, lambdaContext, startDynalite } from './helpers';

let db: Awaited<ReturnType<typeof startDynalite>>;
const saved: Session[] = [];

beforeAll(async () => {
  db = await startDynalite();
  const store = new DynamoDbSessionStore(db.client, db.sessionsTable);
  const base = Date.parse('2026-11-24T10:00:00.000Z');
  // Saved out of order: listing must sort by creation time, not by insertion.
  for (const minute of [3, 0, 4, 1, 2]) {
    const session = aSession({ createdAt: new Date(base + minute * 60_000).toISOString() });
    await store.save(session);
    saved.push(session);
  }
});
afterAll(async () => {
  await db?.close();
});

function setup() {
  const { logger, lines } = capturingLogger();
  const handler = createListSessionsHandler({
    store: new DynamoDbSessionStore(db.client, db.sessionsTable),
    logger,
  });
  const list = async (query?: Record<string, string>) => {
    const result = await handler(
      apiEvent({ method: 'GET', path: '/sessions', ...(query ? { query } : {}) }),
      lambdaContext(FunctionNames.listSessions),
    );
    return { status: result.statusCode, body: JSON.parse(result.body ?? '') };
  };
  return { list, lines };
}

describe('list-sessions handler', () => {
  it('pages through every session newest first with the cursor', async () => {
    const { list, lines } = setup();
    const newestFirst = [...saved]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .map((s) => s.sessionId);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { status, body } = await list({ limit: '2', ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      expect(body.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...body.sessions.map((s: Session) => s.sessionId));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== undefined && pages < 10);

    expect(seen).toEqual(newestFirst);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(contractLines(lines).every((l) => l.functionName === FunctionNames.listSessions)).toBe(true);
  });

  it('returns 20 by default and the sessions without table keys', async () => {
    const { list } = setup();

    const { status, body } = await list();

    expect(status).toBe(200);
    expect(body.sessions).toHaveLength(5);
    expect(body.nextCursor).toBeUndefined();
    expect(body.sessions[0]).not.toHaveProperty('pk');
    expect(body.sessions[0]).toHaveProperty('speaker.company.companyName');
  });

  it.each<{ case: string; query: Record<string, string>; path: string }>([
    { case: 'limit 0', query: { limit: '0' }, path: 'limit' },
    { case: 'limit 101', query: { limit: '101' }, path: 'limit' },
    { case: 'limit not a number', query: { limit: 'ten' }, path: 'limit' },
    { case: 'limit fractional', query: { limit: '2.5' }, path: 'limit' },
    { case: 'cursor with bad characters', query: { cursor: 'a/b+c=' }, path: 'cursor' },
  ])('answers 400 for $case', async ({ query, path }) => {
    const { list } = setup();

    const { status, body } = await list(query);

    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
  });

  it.each([
    { case: 'not JSON', cursor: Buffer.from('hello').toString('base64url') },
    { case: 'another key shape', cursor: Buffer.from('{"pk":"OTHER","sk":"x"}').toString('base64url') },
    { case: 'extra keys', cursor: Buffer.from('{"pk":"SESSION","sk":"x","admin":1}').toString('base64url') },
  ])('answers 400 for a cursor it did not issue: $case', async ({ cursor }) => {
    const { list } = setup();

    const { status, body } = await list({ cursor });

    expect(status).toBe(400);
    expect(body.message).toBe('Invalid cursor');
  });
});
