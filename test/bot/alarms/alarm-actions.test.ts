import {
  CloudWatchClient,
  DeleteAlarmMuteRuleCommand,
  PutAlarmMuteRuleCommand,
} from '@aws-sdk/client-cloudwatch';
import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { DynamoDbAlarmStateStore } from '../../../src/aws/alarm-state-store';
import { CloudWatchAlarmControl } from '../../../src/aws/cloudwatch-alarms';
import { parseAlarmEnvelope } from '../../../src/bot/alarms/alarm-envelope';
import { SlackAlarmChat } from '../../../src/bot/alarms/slack-alarm-chat';
import { createBotApp } from '../../../src/bot/app';
import { registerAlarmActions } from '../../../src/bot/listeners/alarm-actions';
import { slackClientOptions } from '../../../src/bot/slack-client';
import { deliverAlarms } from '../../../src/commands/alarms/deliver-alarms';
import { LOCAL_WORKSPACE, type LocalSlack, startLocalSlack } from '../../../src/local/slack';
import { buildBlockActionRequest } from '../../../src/local/slack/sender';
import { TestTimer } from '../../fakes/alarm-fakes';
import { functionUrlEvent, RecordingDispatcher, testConfig } from '../fakes';
import { alarmFixture, startAlarmDynalite } from './helpers';

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';
const ARN = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors';
const cw = mockClient(CloudWatchClient);

describe('registerAlarmActions through a real Bolt App', () => {
  let slack: LocalSlack;
  let db: Awaited<ReturnType<typeof startAlarmDynalite>>;
  let store: DynamoDbAlarmStateStore;
  let dispatcher: RecordingDispatcher;
  let handler: ReturnType<AwsLambdaReceiver['toHandler']>;
  let now = new Date('2026-05-01T10:05:00Z');

  beforeAll(async () => {
    slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
    db = await startAlarmDynalite();
  });
  afterAll(async () => {
    await slack.close();
    await db.close();
  });
  beforeEach(async () => {
    slack.reset();
    cw.reset();
    now = new Date('2026-05-01T10:05:00Z');
    store = (await db.newStore()).store;
    dispatcher = new RecordingDispatcher();
    const config = { slackApiUrl: slack.apiUrl, slackTimeoutMs: 2000 };
    const receiver = new AwsLambdaReceiver({ signingSecret: SECRET, logLevel: LogLevel.ERROR });
    const app = new App({
      token: TOKEN,
      receiver,
      clientOptions: slackClientOptions(config),
      logLevel: LogLevel.ERROR,
    });
    registerAlarmActions(app, {
      config: { allowedChannelIds: [], allowedUserIds: [], region: 'eu-west-1' },
      dispatcher,
      log: () => undefined,
      store,
      control: new CloudWatchAlarmControl(new CloudWatchClient({ region: 'eu-west-1' })),
      settings: { accountAliases: { '123456789012': 'prod' }, mentionHere: false },
      now: () => now,
    });
    handler = receiver.toHandler();
    const timer = new TestTimer(Date.parse('2026-05-01T10:01:00Z'), Date.parse('2026-05-01T10:02:00Z'));
    await deliverAlarms(parseAlarmEnvelope(alarmFixture('sns-metric-alarm.json')).items, {
      store,
      chat: new SlackAlarmChat(SlackAlarmChat.clientFor(TOKEN, config), timer),
      timer,
      channelId: LOCAL_WORKSPACE.channelId,
      settings: {
        accountAliases: { '123456789012': 'prod' },
        mentionHere: false,
        stormThreshold: 4,
        postIntervalMs: 0,
      },
      log: () => undefined,
    });
  });

  const parent = () => slack.messages({ kind: 'channel' }).find((m) => !m.threadTs);
  const buttonValue = (actionId: string): string => {
    const blocks = parent()?.blocks as {
      type: string;
      elements?: { action_id?: string; value?: string }[];
    }[];
    const button = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === actionId);
    if (!button?.value) throw new Error(`no ${actionId} button`);
    return button.value;
  };
  const click = async (actionId: string, value: string, userId = 'U0001', blockId = 'alarm_actions') => {
    const request = buildBlockActionRequest({
      actionId,
      value,
      blockId,
      userId,
      responseUrl: slack.createResponseUrl({ userId }),
      signingSecret: SECRET,
      messageTs: parent()?.ts ?? '0.0',
    });
    const response = await handler(functionUrlEvent(request) as never, {} as never);
    expect((response as { statusCode: number }).statusCode).toBe(200);
  };
  const ephemerals = (user: string) => slack.messages({ kind: 'ephemeral' }).filter((m) => m.user === user);

  it('acknowledges once: the message shows who, a second click is told who already did', async () => {
    await click('alarm_ack', buttonValue('alarm_ack'), 'U0001');
    now = new Date('2026-05-01T10:07:00Z');
    await click('alarm_ack', buttonValue('alarm_mute'), 'U0002');

    expect(JSON.stringify(parent()?.blocks)).toContain('Acknowledged by <@U0001> at 10:05 UTC');
    expect(JSON.stringify(parent()?.blocks)).not.toContain('"action_id":"alarm_ack"');
    expect(parent()?.edited).toBe(true);
    expect(ephemerals('U0002').map((m) => m.text)).toEqual(['Already acknowledged by <@U0001> at 10:05 UTC']);
    expect((await store.get(ARN))?.state.ack).toEqual({
      userId: 'U0001',
      at: new Date('2026-05-01T10:05:00Z'),
    });
  });

  it('snoozes Gumshoe in Slack without touching CloudWatch, shows who and until when, and ends it', async () => {
    await click('alarm_snooze', buttonValue('alarm_snooze'), 'U0003');

    expect(cw.calls()).toHaveLength(0);
    expect(JSON.stringify(parent()?.blocks)).toContain('Snoozed in Slack by <@U0003> until 11:05 UTC');
    expect((await store.get(ARN))?.state).toMatchObject({
      snoozedBy: 'U0003',
      snoozedUntil: new Date('2026-05-01T11:05:00Z'),
    });
    expect(JSON.stringify(parent()?.blocks)).toContain('"action_id":"alarm_unsnooze"');

    await click('alarm_unsnooze', buttonValue('alarm_unsnooze'), 'U0003');

    expect(JSON.stringify(parent()?.blocks)).not.toContain('Snoozed in Slack');
    expect((await store.get(ARN))?.state.snoozedUntil).toBeUndefined();
  });

  it('asks for confirmation before muting: the Mute button carries a dialog saying every action is silenced', () => {
    const blocks = parent()?.blocks as { elements?: { action_id?: string; confirm?: unknown }[] }[];
    const mute = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'alarm_mute');
    expect(JSON.stringify(mute?.confirm)).toContain('pager, e-mail and this channel included');
  });

  it('mutes with a one-time one-hour CloudWatch mute rule, shows it, and unmutes', async () => {
    cw.on(PutAlarmMuteRuleCommand).resolves({});
    cw.on(DeleteAlarmMuteRuleCommand).resolves({});

    await click('alarm_mute', buttonValue('alarm_mute'));

    expect(cw).toHaveReceivedCommandWith(PutAlarmMuteRuleCommand, {
      Name: 'gumshoe-mute-save-session-errors',
      Rule: { Schedule: { Expression: 'at(2026-05-01T10:05)', Duration: 'PT60M', Timezone: 'UTC' } },
      MuteTargets: { AlarmNames: ['save-session-errors'] },
    });
    expect(JSON.stringify(parent()?.blocks)).toContain('Alarm actions muted by <@U0001> until 11:05 UTC');
    expect((await store.get(ARN))?.state.mutedUntil).toEqual(new Date('2026-05-01T11:05:00Z'));

    await click('alarm_unmute', buttonValue('alarm_unmute'));

    expect(cw).toHaveReceivedCommandWith(DeleteAlarmMuteRuleCommand, {
      AlarmMuteRuleName: 'gumshoe-mute-save-session-errors',
    });
    expect(JSON.stringify(parent()?.blocks)).not.toContain('Alarm actions muted');
    expect(JSON.stringify(parent()?.blocks)).toContain('"action_id":"alarm_mute"');
    expect((await store.get(ARN))?.state.mutedUntil).toBeUndefined();
  });

  it('leaves the message unmuted and tells the user when CloudWatch refuses the mute', async () => {
    cw.on(PutAlarmMuteRuleCommand).rejects(
      Object.assign(new Error('denied'), { name: 'AccessDeniedException' }),
    );

    await click('alarm_mute', buttonValue('alarm_mute'));

    expect(JSON.stringify(parent()?.blocks)).not.toContain('Alarm actions muted');
    expect(ephemerals('U0001').at(-1)?.text).toContain('CloudWatch refused the mute');
    expect((await store.get(ARN))?.state.mutedUntil).toBeUndefined();
  });

  it('hands Investigate to the worker as an alarm_investigate job', async () => {
    await click('alarm_investigate', buttonValue('alarm_investigate'));

    expect(dispatcher.dispatched).toHaveLength(1);
    expect(dispatcher.dispatched[0]?.job).toMatchObject({
      kind: 'alarm_investigate',
      alarm: { arn: ARN, f: ['conference-save-session-dynamodb-lambda'] },
    });
    expect(dispatcher.dispatched[0]?.reply).toMatchObject({
      channelId: LOCAL_WORKSPACE.channelId,
      share: true,
    });
  });

  it('hands Open X-Ray trace to the worker as an xray_waterfall job and refuses a bad id', async () => {
    await click('xray_open', '1-5759e988-bd862e3fe1be46a994272793');
    await click('xray_open', 'not-a-trace');

    expect(dispatcher.dispatched.map((d) => d.job)).toEqual([
      { kind: 'xray_waterfall', traceId: '1-5759e988-bd862e3fe1be46a994272793' },
    ]);
    expect(ephemerals('U0001').some((m) => m.text.includes('does not understand'))).toBe(true);
  });
});

describe('alarm xray_open inside createBotApp', () => {
  it('dispatches the waterfall job once, without the /trace answer listener refusing the bare id', async () => {
    const slack = await startLocalSlack({ port: 0, botToken: TOKEN, signingSecret: SECRET });
    try {
      const dispatcher = new RecordingDispatcher();
      const { handler } = createBotApp({
        config: testConfig(slack.apiUrl),
        botToken: TOKEN,
        signingSecret: SECRET,
        dispatcher,
        logLevel: LogLevel.ERROR,
      });
      const request = buildBlockActionRequest({
        actionId: 'xray_open',
        value: '1-5759e988-bd862e3fe1be46a994272793',
        blockId: 'alarm_actions',
        responseUrl: slack.createResponseUrl(),
        signingSecret: SECRET,
      });

      const response = await handler(functionUrlEvent(request) as never, {} as never);

      expect((response as { statusCode: number }).statusCode).toBe(200);
      expect(dispatcher.dispatched.map((d) => d.job)).toEqual([
        { kind: 'xray_waterfall', traceId: '1-5759e988-bd862e3fe1be46a994272793' },
      ]);
      expect(slack.messages().map((m) => m.text)).not.toContain(
        'That button carried data Gumshoe does not understand.',
      );
    } finally {
      await slack.close();
    }
  });
});
