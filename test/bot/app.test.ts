import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBotApp } from '../../src/bot/app';
import { DispatchError } from '../../src/bot/job-dispatcher';
import { encodeAlarmButtonValue } from '../../src/commands/alarms/alarm-buttons';
import { helpMessage } from '../../src/commands/help/help-view';
import { type HttpApiServer, inProcessInvoker, startHttpApi } from '../../src/local/event-sources';
import { buildBlockActionRequest, buildSlashCommandRequest } from '../../src/local/slack/sender';
import { type LocalSlack, startLocalSlack } from '../../src/local/slack/server';
import { functionUrlEvent, RecordingDispatcher, testConfig } from './fakes';

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';
const SESSION_ID = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';

describe('bot Slack edge through a real Bolt App and AwsLambdaReceiver', () => {
  let slack: LocalSlack;
  let dispatcher: RecordingDispatcher;
  let handler: ReturnType<typeof createBotApp>['handler'];
  let botServer: HttpApiServer | undefined;

  const command = (
    text: string,
    overrides: { command?: string; secret?: string; timestampSeconds?: number } = {},
  ) =>
    buildSlashCommandRequest({
      command: overrides.command ?? '/trace',
      text,
      responseUrl: slack.createResponseUrl(),
      signingSecret: overrides.secret ?? SECRET,
      ...(overrides.timestampSeconds ? { timestampSeconds: overrides.timestampSeconds } : {}),
    });
  const invoke = (request: ReturnType<typeof command>) => handler(functionUrlEvent(request) as never, {});
  const ackText = (body: string | undefined) => (JSON.parse(body ?? '{}') as { text?: string }).text ?? '';

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
  });
  beforeEach(() => {
    dispatcher = new RecordingDispatcher();
    handler = createBotApp({
      config: testConfig(slack.apiUrl),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
    }).handler;
    slack.reset();
  });
  afterAll(async () => {
    await slack.close();
    await botServer?.close();
  });

  it('acks a valid /trace with the Investigating ephemeral and dispatches exactly one job', async () => {
    await invoke(command(SESSION_ID)); // warm: Bolt's first request also calls auth.test
    dispatcher.dispatched.length = 0;

    const response = await invoke(command(`${SESSION_ID} --share`));

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(ackText(response.body)).toContain('Investigating');
    expect(dispatcher.dispatched).toHaveLength(1);
    expect(dispatcher.dispatched[0]).toMatchObject({
      job: { kind: 'trace', id: SESSION_ID },
      reply: {
        channelId: 'C0001',
        userId: 'U0001',
        share: true,
        responseUrl: expect.stringContaining('/response/'),
      },
    });
  });

  it('accepts a body that is not base64-encoded too', async () => {
    const response = await handler(functionUrlEvent(command(SESSION_ID), false) as never, {});
    expect(response.statusCode).toBe(200);
    expect(dispatcher.dispatched).toHaveLength(1);
  });

  it.each([
    ['forged', { secret: 'not-the-secret' }],
    ['expired (> 5 min old)', { timestampSeconds: Math.floor(Date.now() / 1000) - 301 }],
  ])('refuses a %s signature with 401 and dispatches nothing', async (_name, overrides) => {
    const response = await invoke(command(SESSION_ID, overrides));
    expect(response.statusCode).toBe(401);
    expect(dispatcher.dispatched).toEqual([]);
  });

  it('refuses a replayed request with 401', async () => {
    const request = command(SESSION_ID);
    const first = await invoke(request);
    const replay = await invoke(request);
    expect([first.statusCode, replay.statusCode]).toEqual([200, 401]);
    expect(dispatcher.dispatched).toHaveLength(1);
  });

  it.each([
    ['quotes', `"${SESSION_ID}" or 1=1`],
    ['pipes', `${SESSION_ID} | filter @message like /x/`],
    ['newlines', `${SESSION_ID}\nfields @message`],
    ['10 KB', 'a'.repeat(10_240)],
  ])('answers hostile text (%s) with the usage and dispatches nothing', async (_name, text) => {
    const response = await invoke(command(text));
    expect(response.statusCode).toBe(200);
    expect(ackText(response.body)).toContain('/trace');
    expect(response.body).not.toContain('filter @message');
    expect(dispatcher.dispatched).toEqual([]);
  });

  it.each([
    ['/leadtime', '__proto__'],
    ['/leadtime', 'constructor'],
    ['/cost', '__proto__'],
  ])('answers %s %s with the usage text and dispatches nothing', async (name, text) => {
    const response = await invoke(command(text, { command: name }));
    expect(response.statusCode).toBe(200);
    expect(ackText(response.body)).toContain(`Usage: \`${name}`);
    expect(dispatcher.dispatched).toEqual([]);
  });

  it('answers /trace with no argument with help', async () => {
    const response = await invoke(command(''));
    expect(ackText(response.body)).toBe(helpMessage().text);
    expect(dispatcher.dispatched).toEqual([]);
  });

  it('refuses a command from outside the allow-list', async () => {
    handler = createBotApp({
      config: testConfig(slack.apiUrl, { allowedChannelIds: ['C0999'] }),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
    }).handler;
    const response = await invoke(command(SESSION_ID));
    expect(ackText(response.body)).toMatch(/not enabled here/);
    expect(dispatcher.dispatched).toEqual([]);
  });

  it('tells the user when the worker cannot be started', async () => {
    const logged: string[] = [];
    handler = createBotApp({
      config: testConfig(slack.apiUrl),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
      log: (message) => logged.push(message),
    }).handler;
    dispatcher.failWith = new DispatchError('throttled');
    const response = await invoke(command(SESSION_ID));
    expect(response.statusCode).toBe(200);
    expect(ackText(response.body)).toMatch(/could not start/);
    expect(logged).toEqual(['dispatch failed']);
  });

  it('dispatches a trace_run button with a valid value', async () => {
    const request = buildBlockActionRequest({
      actionId: 'trace_run',
      value: SESSION_ID,
      responseUrl: slack.createResponseUrl(),
      signingSecret: SECRET,
    });
    const response = await invoke(request);
    expect(response.statusCode).toBe(200);
    expect(dispatcher.dispatched).toMatchObject([
      { job: { kind: 'trace', id: SESSION_ID }, reply: { share: false } },
    ]);
  });

  it('dispatches trace_show_logs and refuses a tampered value', async () => {
    const value = JSON.stringify({
      traceId: SESSION_ID,
      functionName: 'conference-create-session-lambda',
      fromMs: 1,
      toMs: 2,
    });
    await invoke(
      buildBlockActionRequest({
        actionId: 'trace_show_logs',
        value,
        responseUrl: slack.createResponseUrl(),
        signingSecret: SECRET,
      }),
    );
    await invoke(
      buildBlockActionRequest({
        actionId: 'trace_show_logs',
        value: '{"traceId":"x | y"}',
        responseUrl: slack.createResponseUrl(),
        signingSecret: SECRET,
      }),
    );
    expect(dispatcher.dispatched).toMatchObject([
      { job: { kind: 'trace_logs', functionName: 'conference-create-session-lambda', fromMs: 1, toMs: 2 } },
    ]);
    expect(slack.messages({ kind: 'ephemeral' }).map((m) => m.text)).toEqual([
      'That button carried data Gumshoe does not understand.',
    ]);
  });

  it('dispatches the waterfall for the /trace answer’s xray_open, answered privately, and refuses a tampered value', async () => {
    const value = JSON.stringify({ xrayTraceId: '1-6a99c470-a01ef2a0f003da37183f4fcc', region: 'eu-west-1' });
    const responseUrl = slack.createResponseUrl();
    await invoke(
      buildBlockActionRequest({ actionId: 'xray_open', value, responseUrl, signingSecret: SECRET }),
    );
    await invoke(
      buildBlockActionRequest({
        actionId: 'xray_open',
        value: '{"xrayTraceId":"1-x","region":"eu-west-1"}',
        responseUrl: slack.createResponseUrl(),
        signingSecret: SECRET,
      }),
    );
    expect(dispatcher.dispatched).toEqual([
      {
        job: { kind: 'xray_waterfall', traceId: '1-6a99c470-a01ef2a0f003da37183f4fcc' },
        reply: { responseUrl, channelId: 'C0001', userId: 'U0001', share: false },
      },
    ]);
    expect(slack.messages({ kind: 'ephemeral' }).map((m) => m.text)).toEqual([
      'That button carried data Gumshoe does not understand.',
    ]);
  });

  it('answers a button on a message in a thread privately in that thread, not through the response_url', async () => {
    await invoke(
      buildBlockActionRequest({
        actionId: 'trace_run',
        value: SESSION_ID,
        responseUrl: slack.createResponseUrl(),
        signingSecret: SECRET,
        messageTs: '1700000001.000200',
        message: { type: 'message', ts: '1700000001.000200', thread_ts: '1700000000.000100', text: 'x' },
      }),
    );
    expect(dispatcher.dispatched).toEqual([
      {
        job: { kind: 'trace', id: SESSION_ID },
        reply: { channelId: 'C0001', userId: 'U0001', share: false, threadTs: '1700000000.000100' },
      },
    ]);
  });

  describe('alarm buttons answer in the alarm’s thread', () => {
    const ALARM_TS = '1700000000.000100';
    const TRACE = '1-6a99c470-a01ef2a0f003da37183f4fcc';
    const alarmValue = encodeAlarmButtonValue(
      'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors',
      { start: new Date('2026-05-01T10:00:00Z'), end: new Date('2026-05-01T10:16:00Z') },
      ['conference-save-session-dynamodb-lambda'],
    );
    const click = (actionId: string, value: string, message: Record<string, unknown>) =>
      invoke(
        buildBlockActionRequest({
          actionId,
          value,
          blockId: 'alarm_actions',
          responseUrl: slack.createResponseUrl(),
          signingSecret: SECRET,
          messageTs: String(message.ts),
          message: { type: 'message', text: 'ALARM', ...message },
        }),
      );

    it('threads Investigate and Open X-Ray trace clicked on the alarm message under that message', async () => {
      await click('alarm_investigate', alarmValue, { ts: ALARM_TS });
      await click('xray_open', TRACE, { ts: ALARM_TS });

      expect(dispatcher.dispatched.map((d) => [d.job.kind, d.reply])).toEqual([
        ['alarm_investigate', { channelId: 'C0001', userId: 'U0001', share: true, threadTs: ALARM_TS }],
        ['xray_waterfall', { channelId: 'C0001', userId: 'U0001', share: true, threadTs: ALARM_TS }],
      ]);
      expect(slack.messages({ kind: 'ephemeral' }).map((m) => m.text)).toEqual([
        'Investigating … the answer will appear in this thread.',
        'Investigating … the answer will appear in this thread.',
      ]);
    });

    it('takes the Investigate answer’s Open X-Ray trace (a bare id) as an alarm button, answered in the thread', async () => {
      await invoke(
        buildBlockActionRequest({
          actionId: 'xray_open',
          value: TRACE,
          blockId: 'alarm_xray_0',
          responseUrl: slack.createResponseUrl(),
          signingSecret: SECRET,
          messageTs: '1700000005.000300',
          message: { type: 'message', ts: '1700000005.000300', thread_ts: ALARM_TS, text: 'answer' },
        }),
      );

      expect(dispatcher.dispatched).toEqual([
        {
          job: { kind: 'xray_waterfall', traceId: TRACE },
          reply: { channelId: 'C0001', userId: 'U0001', share: true, threadTs: ALARM_TS },
        },
      ]);
    });

    it('threads a click on a reply in the alarm’s thread under the alarm message, not under the reply', async () => {
      await click('alarm_investigate', alarmValue, { ts: '1700000005.000300', thread_ts: ALARM_TS });

      expect(dispatcher.dispatched[0]?.reply.threadTs).toBe(ALARM_TS);
    });
  });

  it('works end to end: the local Slack signs a command, the bot acks over HTTP, the ack shows as an ephemeral', async () => {
    botServer = await startHttpApi({
      invoker: inProcessInvoker(() => handler as never),
      routes: { $default: 'gumshoe-slack-events' },
      port: 0,
    });
    const served = botServer;
    const local = await startLocalSlack({
      port: 0,
      botToken: TOKEN,
      signingSecret: SECRET,
      botUrl: `${served.url}/slack/events`,
    });
    // This Slack hands out its own response_urls: the bot answers to them only.
    handler = createBotApp({
      config: testConfig(local.apiUrl),
      botToken: TOKEN,
      signingSecret: SECRET,
      dispatcher,
    }).handler;
    try {
      const result = await local.command('/trace', SESSION_ID);
      expect(result.status).toBe(200);
      expect(local.messages({ kind: 'ephemeral' })[0]?.text).toContain('Investigating');
      expect(dispatcher.dispatched[0]?.reply.responseUrl).toBe(result.responseUrl);
    } finally {
      await local.close();
    }
  });
});
