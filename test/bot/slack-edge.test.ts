import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbClaimStore } from '../../src/aws/dynamodb-claim-store';
import { createBotApp } from '../../src/bot/app';
import { ReplayGuard } from '../../src/bot/replay-guard';
import {
  buildBlockActionRequest,
  buildSlashCommandRequest,
  type SignedSlackRequest,
} from '../../src/local/slack/sender';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';
import { signSlackRequest } from '../../src/local/slack/signing';
import { startTestDynamo, type TestDynamo } from '../fakes/dynalite';
import { functionUrlEvent, RecordingDispatcher, testConfig } from './fakes';

const TOKEN = 'xoxb-test-token';
const SECRET = 'edge-signing-secret';
const SESSION_ID = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
// A fixed instant, far from the wall clock: only the edge's Clock decides what is in the window.
const T0 = Date.UTC(2026, 4, 1, 10, 0, 0) / 1000;

/** A test clock: `at(seconds)` moves it. */
function testClock(start: number) {
  let nowSeconds = start;
  return {
    now: () => new Date(nowSeconds * 1000),
    at: (seconds: number) => {
      nowSeconds = seconds;
    },
  };
}

describe('the Slack edge in front of a real Bolt app', () => {
  let slack: LocalSlack;
  let dispatcher: RecordingDispatcher;
  let clock: ReturnType<typeof testClock>;
  let refusals: { message: string; detail: Record<string, unknown> }[];

  const build = (guard = new ReplayGuard()) =>
    createBotApp({
      config: testConfig(slack.apiUrl),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
      clock,
      replayGuard: guard,
      warn: (message, detail) => refusals.push({ message, detail }),
    }).handler;
  const trace = (timestampSeconds = T0, responseUrl = slack.createResponseUrl()) =>
    buildSlashCommandRequest({
      command: '/trace',
      text: SESSION_ID,
      responseUrl,
      signingSecret: SECRET,
      timestampSeconds,
    });
  const send = (handler: ReturnType<typeof build>, request: SignedSlackRequest) =>
    handler(functionUrlEvent(request) as never, {});
  /** The same signed request with headers re-spelled. */
  const respelled = (request: SignedSlackRequest, headers: Record<string, string>): SignedSlackRequest => ({
    body: request.body,
    headers: { ...request.headers, ...headers },
  });

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
  });
  afterAll(() => slack.close());
  beforeEach(() => {
    slack.reset();
    dispatcher = new RecordingDispatcher();
    clock = testClock(T0);
    refusals = [];
  });

  describe('replays', () => {
    const ts = String(T0);
    const timestampSpellings = [
      `0${ts}`,
      `00${ts}`,
      `${ts}.0`,
      `${ts}.000`,
      `+${ts}`,
      ` ${ts}`,
      `${ts} `,
      `${ts}e0`,
      `0x${T0.toString(16)}`,
    ];
    const signatureSpellings = (signature: string) => [
      `${signature}=1`,
      `${signature}=`,
      signature.toUpperCase().replace('V0=', 'v0='),
    ];

    it('runs a re-sent request once, however its timestamp or signature is re-spelled (12 spellings)', async () => {
      const handler = build();
      const original = trace();
      const signature = original.headers['x-slack-signature'] ?? '';
      const variants = [
        ...timestampSpellings.map((spelling) =>
          respelled(original, { 'x-slack-request-timestamp': spelling }),
        ),
        ...signatureSpellings(signature).map((spelling) =>
          respelled(original, { 'x-slack-signature': spelling }),
        ),
      ];

      const first = await send(handler, original);
      const statuses = [];
      for (const variant of variants) statuses.push((await send(handler, variant)).statusCode);

      expect(variants).toHaveLength(12);
      expect(first.statusCode).toBe(200);
      expect(statuses).toEqual(variants.map(() => 401));
      expect(dispatcher.dispatched).toHaveLength(1);
    });

    it('refuses the re-spelled forms even when they arrive first', async () => {
      const handler = build();
      const original = trace();

      const variant = await send(handler, respelled(original, { 'x-slack-request-timestamp': `0${T0}` }));
      const genuine = await send(handler, original);

      expect([variant.statusCode, genuine.statusCode]).toEqual([401, 200]);
      expect(dispatcher.dispatched).toHaveLength(1);
    });

    it.each([
      ['301 s in the future', T0 + 301],
      ['an hour in the future', T0 + 3600],
      ['a year in the future', T0 + 365 * 86_400],
      ['301 s old', T0 - 301],
    ])('refuses a request dated %s with 401', async (_name, timestampSeconds) => {
      const response = await send(build(), trace(timestampSeconds));

      expect(response.statusCode).toBe(401);
      expect(dispatcher.dispatched).toEqual([]);
      expect(refusals[0]?.detail).toMatchObject({ status: 401, reason: 'timestamp outside ±300 s' });
    });

    it('accepts the edges of the window, ±300 s', async () => {
      const handler = build();
      const statuses = [
        (await send(handler, trace(T0 + 300))).statusCode,
        (await send(handler, trace(T0 - 300))).statusCode,
      ];
      expect(statuses).toEqual([200, 200]);
      expect(dispatcher.dispatched).toHaveLength(2);
    });

    it('still refuses a future-dated request re-sent 330 s later, then refuses it as too old', async () => {
      const handler = build();
      const request = trace(T0 + 299);

      const first = await send(handler, request);
      clock.at(T0 + 330);
      const replay = await send(handler, request);
      clock.at(T0 + 600);
      const late = await send(handler, request);

      expect([first.statusCode, replay.statusCode, late.statusCode]).toEqual([200, 401, 401]);
      expect(refusals.map((r) => r.detail.reason)).toEqual(['replay', 'timestamp outside ±300 s']);
      expect(dispatcher.dispatched).toHaveLength(1);
    });

    describe('across environments sharing the claim table (dynalite)', () => {
      let db: TestDynamo;
      let tables = 0;
      /** A fresh table shaped like the alarm-state table (`pk` string), and a claim store over it. */
      const newTable = async () => {
        tables += 1;
        const table = `alarm-state-edge-${tables}`;
        await db.raw.send(
          new CreateTableCommand({
            TableName: table,
            AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        return () => new DynamoDbClaimStore(db.raw, table);
      };
      beforeAll(async () => {
        db = await startTestDynamo();
      });
      afterAll(() => db.close());

      it('runs 10 identical requests sent at once to two environments exactly once', async () => {
        const store = await newTable();
        const environments = [build(new ReplayGuard(store())), build(new ReplayGuard(store()))];
        const request = trace();

        const responses = await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            send(environments[i % 2] as ReturnType<typeof build>, request),
          ),
        );

        expect(responses.filter((r) => r.statusCode === 200)).toHaveLength(1);
        expect(responses.filter((r) => r.statusCode === 401)).toHaveLength(9);
        expect(dispatcher.dispatched).toHaveLength(1);
      });

      it('refuses a replay in a fresh environment that never saw the original', async () => {
        const store = await newTable();
        const request = trace();
        const first = await send(build(new ReplayGuard(store())), request);
        clock.at(T0 + 200);
        const later = await send(build(new ReplayGuard(store())), request);

        expect([first.statusCode, later.statusCode]).toEqual([200, 401]);
        expect(dispatcher.dispatched).toHaveLength(1);
      });

      it('answers 503 and runs nothing when the claim table cannot be written', async () => {
        const handler = build(new ReplayGuard(new DynamoDbClaimStore(db.raw, 'no-such-table')));
        const response = await send(handler, trace());
        expect(response.statusCode).toBe(503);
        expect(dispatcher.dispatched).toEqual([]);
      });
    });
  });

  describe('no 500 before authentication', () => {
    const MARKER = 'BODY-MARKER-7f3a';
    const bodies: Array<[string, string | undefined, string]> = [
      ['text/plain', 'text/plain', `hello ${MARKER}`],
      ['bad JSON', 'application/json', `{"a": ${MARKER}`],
      ['payload=notjson', 'application/x-www-form-urlencoded', `payload=notjson${MARKER}`],
      [
        'multipart',
        'multipart/form-data; boundary=x',
        `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\n${MARKER}\r\n--x--`,
      ],
      ['no content type', undefined, `{${MARKER}`],
      ['; charset=utf-8 with JSON', 'application/json; charset=utf-8', `[${MARKER}`],
      ['JSON null', 'application/json', 'null'],
      ['JSON array', 'application/json', `["${MARKER}"]`],
      ['payload=[]', 'application/x-www-form-urlencoded', `payload=%5B%22${MARKER}%22%5D`],
    ];
    const request = (contentType: string | undefined, body: string, signed: boolean): SignedSlackRequest => ({
      body,
      headers: {
        ...(contentType ? { 'content-type': contentType } : {}),
        ...(signed ? signSlackRequest(SECRET, body, T0) : {}),
      },
    });

    it.each(bodies)('answers an unsigned %s body with 401', async (_name, contentType, body) => {
      const response = await send(build(), request(contentType, body, false));
      expect(response.statusCode).toBe(401);
      expect(JSON.stringify(refusals)).not.toContain(MARKER);
    });

    it.each(bodies)('answers a badly signed %s body with 401', async (_name, contentType, body) => {
      const forged: SignedSlackRequest = {
        body,
        headers: {
          ...(contentType ? { 'content-type': contentType } : {}),
          ...signSlackRequest('wrong', body, T0),
        },
      };
      const response = await send(build(), forged);
      expect(response.statusCode).toBe(401);
      expect(refusals[0]?.detail.reason).toBe('signature mismatch');
    });

    it.each(bodies)('answers a signed %s body it cannot parse with 400', async (_name, contentType, body) => {
      const response = await send(build(), request(contentType, body, true));
      expect(response.statusCode).toBe(400);
      expect(dispatcher.dispatched).toEqual([]);
      expect(JSON.stringify(refusals)).not.toContain(MARKER);
    });

    it('runs a signed form sent with `; charset=utf-8`, as Slack may send it', async () => {
      const genuine = trace();
      const response = await send(
        build(),
        respelled(genuine, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }),
      );
      expect(response.statusCode).toBe(200);
      expect(dispatcher.dispatched).toHaveLength(1);
    });
  });

  describe('response_url', () => {
    it.each([
      ['the local Slack’s reset endpoint', (base: string) => `${base}/_local/reset`],
      ['a path escaping the response base', (base: string) => `${base}/response/%2e%2e/_local/reset`],
      ['loopback on another port', () => 'http://127.0.0.1:4566/'],
      ['another app’s webhook', () => 'https://hooks.slack.com/services/T0001/B0001/abcdef'],
      ['an internal host', () => 'http://169.254.169.254/latest/meta-data/'],
    ])(
      'refuses a signed command whose response_url is %s with 400, before anything runs',
      async (_name, url) => {
        const base = new URL(slack.apiUrl).origin;
        slack.createResponseUrl(); // a response_url exists, so a reset would be visible
        const response = await send(build(), trace(T0, url(base)));

        expect(response.statusCode).toBe(400);
        expect(dispatcher.dispatched).toEqual([]);
        expect(refusals[0]?.detail.reason).toMatch(/response_url host .* is not allowed/);
      },
    );

    it('refuses a button click whose payload names a foreign response_url', async () => {
      const request = buildBlockActionRequest({
        actionId: 'trace_run',
        value: SESSION_ID,
        responseUrl: 'http://localhost:3100/_local/reset',
        signingSecret: SECRET,
        timestampSeconds: T0,
      });
      const response = await send(build(), request);
      expect(response.statusCode).toBe(400);
      expect(dispatcher.dispatched).toEqual([]);
    });
  });
});
