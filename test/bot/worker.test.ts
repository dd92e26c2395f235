import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ResponseUrlError, SlackRateLimitedError } from '../../src/bot/errors';
import { slackClientOptions } from '../../src/bot/slack-client';
import { apologyMessage, runWorker, type WorkerDeps } from '../../src/bot/worker';
import { investigationConfig } from '../../src/commands/config';
import { NoDataError } from '../../src/commands/errors';
import { runInvestigation } from '../../src/commands/jobs';
import { type LogSearch, systemClock } from '../../src/commands/ports';
import { validateMessage } from '../../src/commands/slack/validate-message';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';

const TOKEN = 'xoxb-test-token';
const SESSION_ID = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const result = validateMessage(
  [{ type: 'section', text: { type: 'mrkdwn', text: '*Trace* complete' } }] as never,
  'Trace complete',
);

describe('runWorker answering through the local Slack', () => {
  let slack: LocalSlack;
  let client: WebClient;
  let logged: { level: string; message: string; detail: Record<string, unknown> }[];
  const deps = (investigate: WorkerDeps['investigate'], remainingMs = 60_000): WorkerDeps => ({
    investigate,
    client,
    remainingTimeMs: () => remainingMs,
    responseUrls: { kind: 'base', base: new URL('/response/', slack.apiUrl).href },
    log: (level, message, detail) => logged.push({ level, message, detail }),
  });
  const input = (share: boolean, responseUrl?: string) => ({
    job: { kind: 'trace' as const, id: SESSION_ID },
    reply: { ...(responseUrl ? { responseUrl } : {}), channelId: 'C0001', userId: 'U0001', share },
  });

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN });
    client = new WebClient(TOKEN, slackClientOptions({ slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }));
  });
  afterAll(() => slack.close());
  beforeEach(() => {
    slack.reset();
    slack.setRateLimit('chat.postMessage', null);
    logged = [];
  });

  it('posts the result in the channel through the response_url when --share', async () => {
    const outcome = await runWorker(
      input(true, slack.createResponseUrl()),
      'req-1',
      deps(async () => result),
    );
    expect(outcome).toBe('answered');
    expect(slack.messages({ kind: 'channel' })).toMatchObject([
      { via: 'response_url', text: 'Trace complete', blocks: result.blocks },
    ]);
    expect(slack.messages({ kind: 'ephemeral' })).toEqual([]);
  });

  it.each([
    ['the local Slack’s reset endpoint', '/_local/reset'],
    ['the local Web API', '/api/chat.postMessage'],
  ])('sends nothing to a response_url outside the policy (%s)', async (_name, path) => {
    slack.createResponseUrl();
    let fetched = 0;
    const outcome = await runWorker(input(true, new URL(path, slack.apiUrl).href), 'req-x', {
      ...deps(async () => result),
      fetch: async (...args) => {
        fetched += 1;
        return fetch(...args);
      },
    });

    expect(outcome).toBe('failed');
    expect(fetched).toBe(0);
    expect(slack.messages()).toEqual([]);
    expect(logged).toMatchObject([{ level: 'error', message: 'answer not sent: response_url refused' }]);
  });

  it('answers ephemerally through the response_url by default', async () => {
    await runWorker(
      input(false, slack.createResponseUrl()),
      'req-2',
      deps(async () => result),
    );
    expect(slack.messages({ kind: 'ephemeral' })).toMatchObject([{ via: 'response_url', user: 'U0001' }]);
    expect(slack.messages({ kind: 'channel' })).toEqual([]);
  });

  it('shows an expected error’s user message, privately even when shared', async () => {
    const outcome = await runWorker(
      input(true, slack.createResponseUrl()),
      'req-3',
      deps(async () => {
        throw new NoDataError('no rows', 'No session with that id in the last 7 days.');
      }),
    );
    expect(outcome).toBe('failed');
    expect(slack.messages()).toMatchObject([
      { kind: 'ephemeral', text: 'No session with that id in the last 7 days.' },
    ]);
  });

  it('apologises with the request id for an unexpected error and keeps the stack in the log', async () => {
    await runWorker(
      input(false, slack.createResponseUrl()),
      'req-4',
      deps(async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'rows')");
      }),
    );
    const [message] = slack.messages();
    expect(message?.text).toContain('req-4');
    expect(JSON.stringify(message)).not.toMatch(/TypeError|rows|at /);
    expect(logged).toMatchObject([
      { level: 'error', detail: { requestId: 'req-4', error: expect.any(TypeError) } },
    ]);
  });

  it('uses chat.postMessage when shared without a response_url, chat.postEphemeral when not', async () => {
    await runWorker(
      input(true),
      'req-5',
      deps(async () => result),
    );
    await runWorker(
      input(false),
      'req-6',
      deps(async () => result),
    );
    expect(slack.messages().map((m) => [m.kind, m.via])).toEqual([
      ['channel', 'chat.postMessage'],
      ['ephemeral', 'chat.postEphemeral'],
    ]);
  });

  it('answers in the reply target’s thread when it names one, shared or private', async () => {
    const parent = await client.chat.postMessage({ channel: 'C0001', text: 'ALARM: save-session errors' });
    const threadTs = String(parent.ts);
    const inThread = (share: boolean) => ({ ...input(share), reply: { ...input(share).reply, threadTs } });
    await runWorker(
      inThread(true),
      'req-t1',
      deps(async () => result),
    );
    await runWorker(
      inThread(true),
      'req-t2',
      deps(async () => {
        throw new NoDataError('no traces', 'No failing traces in that window.');
      }),
    );
    expect(slack.messages().map((m) => [m.kind, m.via, m.threadTs, m.text])).toEqual([
      ['channel', 'chat.postMessage', undefined, 'ALARM: save-session errors'],
      ['channel', 'chat.postMessage', threadTs, 'Trace complete'],
      ['ephemeral', 'chat.postEphemeral', threadTs, 'No failing traces in that window.'],
    ]);
  });

  it('throws SlackRateLimitedError when a 429 does not fit in the invocation', async () => {
    slack.setRateLimit('chat.postMessage', { perSecond: 0.01, burst: 1 });
    await runWorker(
      input(true),
      'req-7',
      deps(async () => result),
    );
    await expect(
      runWorker(
        input(true),
        'req-8',
        deps(async () => result, 3000),
      ),
    ).rejects.toBeInstanceOf(SlackRateLimitedError);
  });

  it('reports a used-up response_url as ResponseUrlError', async () => {
    const url = slack.createResponseUrl();
    for (let i = 0; i < 5; i += 1)
      await runWorker(
        input(false, url),
        `req-${i}`,
        deps(async () => result),
      );
    await expect(
      runWorker(
        input(false, url),
        'req-9',
        deps(async () => result),
      ),
    ).rejects.toBeInstanceOf(ResponseUrlError);
  });
});

describe('apologyMessage', () => {
  it('passes the Block Kit limits validator and carries the request id', () => {
    const message = apologyMessage('c0ffee-123');
    expect(validateMessage(message.blocks, message.text)).toEqual(message);
    expect(message.text).toContain('c0ffee-123');
  });
});

describe('runWorker with the real investigations', () => {
  let slack: LocalSlack;
  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN });
  });
  afterAll(() => slack.close());

  it('runs the trace investigation and delivers its Block Kit answer in the channel when shared', async () => {
    const queries: string[] = [];
    const logs: LogSearch = {
      run: async (request) => {
        queries.push(request.queryString);
        return {
          rows: [],
          statistics: { recordsMatched: 0, recordsScanned: 1000, bytesScanned: 100_000 },
          durationMs: 5,
        };
      },
    };
    const client = new WebClient(
      TOKEN,
      slackClientOptions({ slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 }),
    );
    const outcome = await runWorker(
      {
        job: { kind: 'trace', id: SESSION_ID },
        reply: { responseUrl: slack.createResponseUrl(), channelId: 'C0001', userId: 'U0001', share: true },
      },
      'req-real',
      {
        investigate: (job) => runInvestigation(job, { logs, clock: systemClock }, investigationConfig()),
        client,
        remainingTimeMs: () => 60_000,
        responseUrls: { kind: 'base', base: new URL('/response/', slack.apiUrl).href },
        log: () => undefined,
      },
    );
    const [message] = slack.messages();
    expect(queries.length).toBeGreaterThan(0);
    expect(queries[0]).toContain(SESSION_ID);
    expect(outcome).toBe('answered');
    expect(message).toMatchObject({ kind: 'channel', via: 'response_url' });
    expect(message?.text).toContain(SESSION_ID);
    expect(validateMessage(message?.blocks as never, message?.text ?? '')).toBeTruthy();
  });
});
