import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateMessage } from '../../../src/local/slack/block-kit-limits';
import { type LocalSlack, startLocalSlack } from '../../../src/local/slack/server';

const TOKEN = 'xoxb-test-token';

const button = (action_id: string, text = 'Go') => ({
  type: 'button',
  action_id,
  text: { type: 'plain_text', text },
  value: 'v',
});

describe('validateMessage (Slack’s limits on what a bot sends)', () => {
  it.each([
    ['51 blocks', { blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) }, '/blocks'],
    [
      'a section over 3000 characters',
      { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }] },
      '/blocks/0/text/text',
    ],
    [
      'a header over 150 characters',
      { blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] },
      '/blocks/0/text/text',
    ],
    [
      'a mrkdwn header',
      { blocks: [{ type: 'header', text: { type: 'mrkdwn', text: 'h' } }] },
      '/blocks/0/text/type',
    ],
    [
      '26 buttons in one actions block',
      { blocks: [{ type: 'actions', elements: Array.from({ length: 26 }, (_, i) => button(`a${i}`)) }] },
      '/blocks/0/elements',
    ],
    [
      'two buttons with one action_id',
      { blocks: [{ type: 'actions', elements: [button('same'), button('same')] }] },
      '/blocks/0/elements/1/action_id',
    ],
    [
      'an action_id over 255 characters',
      { blocks: [{ type: 'actions', elements: [button('a'.repeat(256))] }] },
      '/blocks/0/elements/0/action_id',
    ],
    [
      'a button label over 75 characters',
      { blocks: [{ type: 'actions', elements: [button('a', 'l'.repeat(76))] }] },
      '/blocks/0/elements/0/text/text',
    ],
    [
      'two blocks with one block_id',
      {
        blocks: [
          { type: 'divider', block_id: 'b' },
          { type: 'divider', block_id: 'b' },
        ],
      },
      '/blocks/1/block_id',
    ],
    [
      '11 section fields',
      {
        blocks: [
          { type: 'section', fields: Array.from({ length: 11 }, () => ({ type: 'mrkdwn', text: 'f' })) },
        ],
      },
      '/blocks/0/fields',
    ],
    ['an unknown block type', { blocks: [{ type: 'table' }] }, '/blocks/0/type'],
    [
      'bad blocks in an attachment',
      { attachments: [{ color: 'good', blocks: [{ type: 'section' }] }] },
      '/attachments/0/blocks/0',
    ],
  ])('refuses %s with invalid_blocks and a JSON pointer', (_what, message, pointer) => {
    const refusal = validateMessage(message);

    expect(refusal?.error).toBe('invalid_blocks');
    expect(refusal?.messages.some((m) => m.includes(`[json-pointer:${pointer}]`))).toBe(true);
  });

  it('refuses text over 40,000 characters with msg_too_long and over 100 attachments with too_many_attachments', () => {
    expect(validateMessage({ text: 'x'.repeat(40_001) })?.error).toBe('msg_too_long');
    expect(validateMessage({ text: 'x', attachments: Array.from({ length: 101 }, () => ({})) })?.error).toBe(
      'too_many_attachments',
    );
  });

  it('accepts a message at the limits', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
      { type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3000) }, accessory: button('acc') },
      { type: 'actions', elements: Array.from({ length: 25 }, (_, i) => button(`a${i}`)) },
      ...Array.from({ length: 47 }, () => ({ type: 'divider' })),
    ];

    expect(validateMessage({ text: 'x'.repeat(40_000), blocks })).toBeNull();
  });
});

describe('local Slack, as Slack behaves', () => {
  let slack: LocalSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN });
    client = new WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterAll(() => slack.close());
  beforeEach(async () => {
    slack.reset();
    await fetch(`${slack.url}/_local/faults`, { method: 'DELETE' });
  });

  it('answers a message over Block Kit limits with invalid_blocks through the real WebClient, and stores nothing', async () => {
    const error = await client.chat
      .postMessage({
        channel: 'C0001',
        text: 'too many',
        blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })),
      })
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: ErrorCode.PlatformError,
      data: { ok: false, error: 'invalid_blocks' },
    });
    expect(slack.messages()).toHaveLength(0);
  });

  it('refuses an over-long response_url message with msg_too_long', async () => {
    const url = slack.createResponseUrl();

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(40_001) }),
    });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ ok: false, error: 'msg_too_long' });
  });

  it('keeps attachments and draws their colour bar on the page', async () => {
    await client.chat.postMessage({
      channel: 'C0001',
      text: 'ALARM',
      attachments: [{ color: 'danger', text: 'p99 latency over 1 s' }],
    });

    const page = await (await fetch(`${slack.url}/`)).text();

    expect(slack.messages()[0]?.attachments).toEqual([{ color: 'danger', text: 'p99 latency over 1 s' }]);
    expect(page).toContain(
      '<div class="attachment" style="border-left-color:#a30200"><div>p99 latency over 1 s</div></div>',
    );
  });

  it('tells open pages about each change over server-sent events', async () => {
    const controller = new AbortController();
    const events = await fetch(`${slack.url}/_local/events`, { signal: controller.signal });
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    let seen = '';

    await client.chat.postMessage({ channel: 'C0001', text: 'hello' });
    while (!seen.includes('event: change')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const fragments = (await (await fetch(`${slack.url}/_local/fragments`)).json()) as {
      channel: string;
      thread: string;
    };

    expect(events.headers.get('content-type')).toContain('text/event-stream');
    expect(fragments.channel).toContain('hello');
    expect(fragments.thread).toBe('');
  });

  it('runs a fault drill: the next calls fail with 500, then a rate limit answers 429 until cleared', async () => {
    const drill = (body: unknown) =>
      fetch(`${slack.url}/_local/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await drill({ fail: { status: 500, count: 2, methods: ['chat.postMessage'] } })).status).toBe(
      200,
    );

    const failed = await Promise.all(
      [1, 2].map(() => client.chat.postMessage({ channel: 'C0001', text: 'x' }).catch((e: unknown) => e)),
    );
    const third = await client.chat.postMessage({ channel: 'C0001', text: 'after' });
    await drill({ rateLimits: { 'chat.postMessage': { perSecond: 0.001, burst: 1 } } });
    await client.chat.postMessage({ channel: 'C0001', text: 'burst' });
    const limited = await client.chat
      .postMessage({ channel: 'C0001', text: 'limited' })
      .catch((e: unknown) => e);
    await fetch(`${slack.url}/_local/faults`, { method: 'DELETE' });
    const cleared = await client.chat.postMessage({ channel: 'C0001', text: 'cleared' });

    for (const error of failed) expect(error).toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    expect(third.ok).toBe(true);
    expect(limited).toMatchObject({ code: ErrorCode.RateLimitedError });
    expect(cleared.ok).toBe(true);
    expect((await drill({ fail: { status: 200, count: 1 } })).status).toBe(400);
  });
});
