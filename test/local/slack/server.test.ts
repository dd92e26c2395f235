import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalSlack, startLocalSlack } from '../../../src/local/slack/server';
import { signSlackRequest } from '../../../src/local/slack/signing';

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';

describe('local Slack Web API through the real WebClient', () => {
  let slack: LocalSlack;
  let client: WebClient;

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
    client = new WebClient(TOKEN, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
    });
  });
  afterAll(() => slack.close());
  beforeEach(() => {
    slack.reset();
    slack.setRateLimit('chat.postMessage', null);
  });

  it('answers auth.test for the local workspace', async () => {
    const result = await client.auth.test();
    expect(result).toMatchObject({ ok: true, team_id: 'T0001', bot_id: 'B0001' });
  });

  it('refuses a wrong token with invalid_auth', async () => {
    const wrong = new WebClient('xoxb-wrong', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    await expect(wrong.auth.test()).rejects.toMatchObject({
      code: ErrorCode.PlatformError,
      data: { error: 'invalid_auth' },
    });
  });

  it('accepts JSON bodies as well as forms', async () => {
    const response = await fetch(`${slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ channel: 'C0001', text: 'json body', blocks: [{ type: 'divider' }] }),
    });
    expect(await response.json()).toMatchObject({
      ok: true,
      message: { text: 'json body', blocks: [{ type: 'divider' }] },
    });
  });

  it('answers unknown_method for a name that is no Web API method, Object.prototype names included', async () => {
    for (const method of ['chat.nope', 'constructor', 'toString', 'hasOwnProperty']) {
      const response = await fetch(`${slack.apiUrl}${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect({ method, status: response.status, body: await response.json() }).toEqual({
        method,
        status: 404,
        body: { ok: false, error: 'unknown_method' },
      });
    }
  });

  it('posts, threads, updates and reads back channel messages', async () => {
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*hello*' } }];
    const parent = await client.chat.postMessage({ channel: 'C0001', text: 'hello', blocks });
    expect(parent).toMatchObject({ ok: true, channel: 'C0001', message: { text: 'hello', blocks } });
    const reply = await client.chat.postMessage({
      channel: 'C0001',
      text: 'in thread',
      thread_ts: String(parent.ts),
    });
    await client.chat.update({ channel: 'C0001', ts: String(parent.ts), text: 'hello again' });

    const history = await client.conversations.history({ channel: 'C0001' });
    const replies = await client.conversations.replies({ channel: 'C0001', ts: String(parent.ts) });

    expect(history.messages).toHaveLength(1);
    expect(history.messages?.[0]).toMatchObject({
      text: 'hello again',
      reply_count: 1,
      thread_ts: parent.ts,
    });
    expect(replies.messages?.map((m) => m.text)).toEqual(['hello again', 'in thread']);
    expect(replies.messages?.[1]?.ts).toBe(reply.ts);
  });

  it('refuses unknown channels, threads and messages', async () => {
    await expect(client.chat.postMessage({ channel: 'C9999', text: 'x' })).rejects.toMatchObject({
      data: { error: 'channel_not_found' },
    });
    await expect(
      client.chat.postMessage({ channel: 'C0001', text: 'x', thread_ts: '1.000001' }),
    ).rejects.toMatchObject({
      data: { error: 'thread_not_found' },
    });
    await expect(client.chat.update({ channel: 'C0001', ts: '1.000001', text: 'x' })).rejects.toMatchObject({
      data: { error: 'message_not_found' },
    });
  });

  it('keeps ephemerals out of the channel history', async () => {
    const result = await client.chat.postEphemeral({ channel: 'C0001', user: 'U0001', text: 'just you' });
    const history = await client.conversations.history({ channel: 'C0001' });
    expect(result.ok).toBe(true);
    expect(history.messages).toEqual([]);
    expect(slack.messages({ kind: 'ephemeral' })).toMatchObject([
      { text: 'just you', user: 'U0001', via: 'chat.postEphemeral' },
    ]);
  });

  it('uploads a file with files.uploadV2 (get URL, POST bytes, complete) and shares it to the channel', async () => {
    const content = 'timestamp,latency\n1,200\n';
    const result = await client.files.uploadV2({
      channel_id: 'C0001',
      filename: 'latency.csv',
      content,
      initial_comment: 'raw data',
    });
    expect(result.ok).toBe(true);
    const shared = slack.messages({ kind: 'channel' });
    expect(shared).toHaveLength(1);
    expect(shared[0]).toMatchObject({
      text: 'raw data',
      files: [{ name: 'latency.csv', length: content.length }],
    });
    const download = await fetch(shared[0]?.files?.[0]?.url_private ?? '');
    expect(await download.text()).toBe(content);
  });

  it('answers 429 with Retry-After once the per-channel burst is spent', async () => {
    slack.setRateLimit('chat.postMessage', { perSecond: 1, burst: 2 });
    await client.chat.postMessage({ channel: 'C0001', text: '1' });
    await client.chat.postMessage({ channel: 'C0001', text: '2' });
    const error = await client.chat.postMessage({ channel: 'C0001', text: '3' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 1 });
    expect(slack.messages({ kind: 'channel' })).toHaveLength(2);
  });
});

describe('local Slack response_url', () => {
  let slack: LocalSlack;
  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET, responseUrlTtlMs: 200 });
  });
  afterAll(() => slack.close());
  beforeEach(() => slack.reset());

  it('posts ephemeral by default and in the channel for in_channel', async () => {
    const url = slack.createResponseUrl();
    await post(url, { text: 'private' });
    await post(url, { text: 'public', response_type: 'in_channel' });
    expect(slack.messages({ kind: 'ephemeral' }).map((m) => m.text)).toEqual(['private']);
    expect(slack.messages({ kind: 'channel' }).map((m) => m.text)).toEqual(['public']);
  });

  it('replaces and deletes the original message', async () => {
    const url = slack.createResponseUrl();
    await post(url, { text: 'Investigating…' });
    await post(url, { text: 'done', replace_original: true });
    expect(slack.messages().map((m) => [m.text, m.edited])).toEqual([['done', true]]);
    await post(url, { delete_original: true });
    expect(slack.messages()).toEqual([]);
  });

  it('allows five uses, then refuses', async () => {
    const url = slack.createResponseUrl();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await post(url, { text: String(i) })).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 404]);
  });

  it('refuses after the time-to-live', async () => {
    const url = slack.createResponseUrl();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const response = await post(url, { text: 'late' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ ok: false, error: 'expired_url' });
  });
});

describe('local Slack signed sender', () => {
  let slack: LocalSlack;
  let bot: Server;
  const received: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];

  beforeAll(async () => {
    bot = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ response_type: 'ephemeral', text: 'Investigating 42' }));
      });
    });
    await new Promise<void>((resolve) => bot.listen(0, '127.0.0.1', resolve));
    const botUrl = `http://127.0.0.1:${(bot.address() as AddressInfo).port}/slack/events`;
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET, botUrl });
  });
  afterAll(async () => {
    await slack.close();
    await new Promise((resolve) => bot.close(resolve));
  });

  it('signs a slash command as Slack does and keeps the ack as an ephemeral', async () => {
    const result = await slack.command('/trace', '42 | "x"');
    const request = received.at(-1);
    const form = new URLSearchParams(request?.body ?? '');
    const timestamp = Number(request?.headers['x-slack-request-timestamp']);

    expect(result.status).toBe(200);
    expect(result.elapsedMs).toBeGreaterThan(0);
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.headers['x-slack-signature']).toBe(
      signSlackRequest(SECRET, request?.body ?? '', timestamp)['x-slack-signature'],
    );
    expect(Object.fromEntries(form)).toMatchObject({
      command: '/trace',
      text: '42 | "x"',
      team_id: 'T0001',
      channel_id: 'C0001',
      user_id: 'U0001',
    });
    expect(form.get('response_url')).toBe(result.responseUrl);
    expect(slack.messages({ kind: 'ephemeral' })).toMatchObject([{ via: 'ack', text: 'Investigating 42' }]);
  });

  it('sends block actions as payload=<json> and over HTTP through /_local/action', async () => {
    const response = await fetch(`${slack.url}/_local/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ actionId: 'trace_run', value: 'abc' }),
    });
    const payload = JSON.parse(new URLSearchParams(received.at(-1)?.body ?? '').get('payload') ?? '{}');
    expect(response.status).toBe(200);
    expect(payload).toMatchObject({
      type: 'block_actions',
      actions: [{ action_id: 'trace_run', value: 'abc' }],
    });
  });

  it('sends a page button click with the clicked message, its thread and the button’s block_id, as Slack does', async () => {
    slack.reset();
    const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl });
    const parent = await client.chat.postMessage({ channel: 'C0001', text: 'ALARM' });
    const buttons = {
      type: 'actions',
      block_id: 'alarm_actions',
      elements: [
        {
          type: 'button',
          action_id: 'xray_open',
          text: { type: 'plain_text', text: 'Open' },
          value: '1-abc',
        },
      ],
    };
    const reply = await client.chat.postMessage({
      channel: 'C0001',
      thread_ts: String(parent.ts),
      text: 'reply',
      blocks: [buttons],
    });
    // The reply shows in the thread pane, opened as a click on "1 reply" opens it.
    const page = await (await fetch(`${slack.url}/?thread=${parent.ts}`)).text();
    const form = /<form method="post" action="\/_local\/action"[^>]*>(.*?)<\/form>/.exec(page)?.[1] ?? '';
    const fields = Object.fromEntries(
      [...form.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );

    const response = await fetch(`${slack.url}/_local/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });

    const payload = JSON.parse(new URLSearchParams(received.at(-1)?.body ?? '').get('payload') ?? '{}');
    expect(fields).toEqual({
      actionId: 'xray_open',
      value: '1-abc',
      messageTs: reply.ts,
      blockId: 'alarm_actions',
    });
    expect(response.status).toBe(303);
    expect(payload).toMatchObject({
      container: { message_ts: reply.ts, thread_ts: parent.ts, is_ephemeral: false },
      message: { ts: reply.ts, thread_ts: parent.ts, text: 'reply', blocks: [buttons] },
      actions: [{ action_id: 'xray_open', block_id: 'alarm_actions', value: '1-abc' }],
    });
  });

  it('finds the block_id of a clicked button in the stored message when the click names none', async () => {
    const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl });
    const posted = await client.chat.postMessage({
      channel: 'C0001',
      text: 'trace',
      blocks: [
        {
          type: 'section',
          block_id: 'row_2',
          text: { type: 'mrkdwn', text: 'x' },
          accessory: {
            type: 'button',
            action_id: 'trace_run',
            text: { type: 'plain_text', text: 'Show' },
            value: 't2',
          },
        },
      ],
    });

    await slack.action('trace_run', 't2', { messageTs: String(posted.ts) });

    const payload = JSON.parse(new URLSearchParams(received.at(-1)?.body ?? '').get('payload') ?? '{}');
    expect(payload.actions).toMatchObject([{ block_id: 'row_2' }]);
    expect(payload.message).toMatchObject({ ts: posted.ts });
    expect(payload.message.thread_ts).toBeUndefined();
  });

  it('drives a command over HTTP and shows it on the page', async () => {
    const response = await fetch(`${slack.url}/_local/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: '/leadtime', text: '1h' }),
    });
    const page = await (await fetch(`${slack.url}/`)).text();
    const listed = (await (await fetch(`${slack.url}/_local/messages?kind=ephemeral`)).json()) as {
      messages: unknown[];
    };
    expect(await response.json()).toMatchObject({ status: 200 });
    expect(page).toContain('Investigating 42');
    // Live updates arrive over server-sent events; the page never reloads itself.
    expect(page).not.toContain('http-equiv="refresh"');
    expect(page).toContain("new EventSource('/_local/events')");
    expect(listed.messages.length).toBeGreaterThan(0);
  });

  it('takes the page form (form-encoded) and redirects back to the channel', async () => {
    const response = await fetch(`${slack.url}/_local/command`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ command: '/cost', text: 'week' }).toString(),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/');
    expect(new URLSearchParams(received.at(-1)?.body ?? '').get('command')).toBe('/cost');
  });

  it('escapes hostile message text on the page', async () => {
    slack.reset();
    const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl });
    await client.chat.postMessage({ channel: 'C0001', text: '<script>alert(1)</script>' });
    const page = await (await fetch(`${slack.url}/`)).text();
    expect(page).not.toContain('<script>alert');
  });
});
