import { describe, expect, it } from 'vitest';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import {
  AlarmActionIds,
  encodeAlarmButtonValue,
  investigateTargetOf,
  parseAlarmButtonValue,
} from '../../../src/commands/alarms/alarm-buttons';
import type { AlarmEvent, ParsedNotification } from '../../../src/commands/alarms/alarm-event';
import { describeCondition, formatElapsed } from '../../../src/commands/alarms/alarm-format';
import { alarmConsoleUrl, logsInsightsConsoleUrl } from '../../../src/commands/alarms/alarm-links';
import {
  type AlarmMessage,
  buildAlarmMessage,
  buildNotificationMessage,
} from '../../../src/commands/alarms/alarm-view';
import { INVESTIGATE_QUERY } from '../../../src/commands/alarms/investigate-query';
import type { Block, ButtonElement } from '../../../src/commands/slack/block-kit';
import { fixture } from './fixtures';
import { expectWithinSlackLimits } from './slack-limits';

const NOW = new Date('2026-05-01T10:12:30.000Z');
const ALIASES = { '123456789012': 'prod', '210987654321': 'staging' };

function parsed(name: string): ParsedNotification {
  const [first] = parseAlarmNotifications(fixture('alarms', name));
  if (!first) throw new Error('no notification');
  return first;
}

function alarm(name: string): AlarmEvent {
  const n = parsed(name);
  if (n.kind !== 'alarm') throw new Error(n.kind);
  return n.alarm;
}

function allText(message: AlarmMessage): string {
  const blocks: Block[] = [...message.blocks, ...(message.attachments ?? []).flatMap((a) => a.blocks)];
  return blocks
    .map((b) =>
      b.type === 'section' || b.type === 'header'
        ? (b.text?.text ?? '')
        : b.type === 'context'
          ? b.elements.map((e) => e.text).join(' ')
          : '',
    )
    .join('\n');
}

function buttons(message: AlarmMessage): ButtonElement[] {
  return message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

/** Reverses the console's Logs Insights fragment encoding, to check what the link opens. */
function decodeInsightsLink(url: string): {
  editorString: string;
  sources: string[];
  start: string;
  end: string;
} {
  const fragment = decodeURIComponent((url.split('#logsV2:logs-insights')[1] ?? '').replace(/\$/g, '%'));
  const detail = fragment.replace(/^\?queryDetail=/, '');
  const value = (key: string) =>
    decodeURIComponent((new RegExp(`[~(]${key}~'([^~)]*)`).exec(detail)?.[1] ?? '').replace(/\*/g, '%'));
  const sources = [...(/~source~\((.*)\)\)$/.exec(detail)?.[1] ?? '').matchAll(/~'([^~)]*)/g)].map((m) =>
    decodeURIComponent((m[1] ?? '').replace(/\*/g, '%')),
  );
  return { editorString: value('editorString'), sources, start: value('start'), end: value('end') };
}

describe('describeCondition', () => {
  it.each([
    ['sns-metric-alarm.json', 'Errors SUM ≥ 1 over 1 min (1 of 1 datapoints)'],
    ['sns-insufficient-data.json', 'Duration p99 > 2000 over 5 min (3 of 5 datapoints)'],
    [
      'sns-metric-math.json',
      'Error rate (%) = 100 * errors / invocations > 5 over 1 min (3 of 5 datapoints)',
    ],
    ['sns-composite.json', 'Rule: ALARM("save-session-errors") OR ALARM("list-sessions-p99")'],
    ['sns-log-alarm.json', 'Log query result ≥ 1 (1 of 1 query results)'],
  ])('describes %s', (name, text) => {
    expect(describeCondition(alarm(name).condition)).toBe(text);
  });
});

describe('formatElapsed', () => {
  it.each([
    [45_000, '45 s'],
    [12 * 60_000, '12 min'],
    [65 * 60_000, '1 h 05 min'],
    [51 * 3_600_000, '2 d 3 h'],
    [-5, '0 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatElapsed(ms)).toBe(text);
  });
});

describe('buildNotificationMessage', () => {
  it.each([
    'sns-metric-alarm.json',
    'sns-metric-ok.json',
    'sns-insufficient-data.json',
    'sns-metric-math.json',
    'sns-composite.json',
    'sns-composite-empty.json',
    'sns-log-alarm.json',
    'sns-malformed-message.json',
    'sns-s3-test-event.json',
    'sns-plain-string.json',
    'sns-missing-fields.json',
    'lambda-direct-metric.json',
    'lambda-direct-composite.json',
  ])('renders %s within Slack limits', (name) => {
    const message = buildNotificationMessage(parsed(name), {
      now: NOW,
      accountAliases: ALIASES,
      mentionHere: true,
      errorLines: ['ERROR x'.repeat(200)],
    });
    expectWithinSlackLimits(message);
  });

  it('labels an unrecognised notification and keeps its raw text in a code block', () => {
    const message = buildNotificationMessage(parsed('sns-s3-test-event.json'), { now: NOW });
    expect(message.text).toBe('⚠️ Unrecognised notification from gumshoe-alarms');
    const text = allText(message);
    expect(text).toContain('*Subject:* Amazon S3 Notification');
    expect(text).toContain('Sns.Message.AlarmName');
    expect(text).toContain('```{"Service":"Amazon S3"');
  });
});

describe('buildAlarmMessage', () => {
  it('shows a firing metric alarm at a glance with its buttons and links', () => {
    const message = buildAlarmMessage(alarm('sns-metric-alarm.json'), {
      now: NOW,
      accountAliases: ALIASES,
      mentionHere: true,
    });
    expect(message.text).toMatch(
      /^<!here> 🚨 ALARM: save-session-errors in prod \(eu-west-1\) — Threshold Crossed: 1 out of/,
    );
    const text = allText(message);
    expect(text).toContain(':rotating_light: *ALARM* · *save-session-errors* (was OK)');
    expect(text).toContain('*prod (123456789012)*');
    expect(text).toContain('*eu-west-1*');
    expect(text).toContain('in ALARM for 12 min');
    expect(text).toContain('*Condition:* Errors SUM ≥ 1 over 1 min (1 of 1 datapoints)');
    expect(text).toContain('FunctionName=`conference-save-session-dynamodb-lambda`');
    expect(message.attachments?.[0]?.color).toBe('#D72B3F');
    expect(buttons(message).map((b) => b.action_id)).toEqual([
      AlarmActionIds.investigate,
      AlarmActionIds.findTraces,
      AlarmActionIds.acknowledge,
      AlarmActionIds.snooze,
      AlarmActionIds.mute,
      AlarmActionIds.console,
      AlarmActionIds.logsInsights,
    ]);
    expect(parseAlarmButtonValue(buttons(message)[0]?.value)).toEqual({
      arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors',
      s: Date.parse('2026-05-01T09:45:00.512Z') / 1000 - 0.512,
      e: Date.parse('2026-05-01T10:01:00.512Z') / 1000 + 0.488,
      f: ['conference-save-session-dynamodb-lambda'],
    });
  });

  it('links to a Logs Insights query over the function log group for the alarm window', () => {
    const message = buildAlarmMessage(alarm('sns-metric-alarm.json'), { now: NOW });
    const url = buttons(message).find((b) => b.action_id === AlarmActionIds.logsInsights)?.url ?? '';
    expect(
      url.startsWith(
        'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:logs-insights$3FqueryDetail$3D',
      ),
    ).toBe(true);
    expect(url).not.toMatch(/[\s"<>]/);
    expect(decodeInsightsLink(url)).toEqual({
      editorString: INVESTIGATE_QUERY,
      sources: ['/aws/lambda/conference-save-session-dynamodb-lambda'],
      start: '2026-05-01T09:45:00.512Z',
      end: '2026-05-01T10:01:00.512Z',
    });
  });

  it('encodes quotes, tildes and parentheses of a query so the link survives them', () => {
    const query = "filter @message like /a'b~(c)*!/ | stats count(*) by bin(5m)";
    const url = logsInsightsConsoleUrl({
      region: 'us-east-1',
      query,
      logGroups: ['/aws/lambda/x', 'g~2'],
      start: new Date(0),
      end: new Date(1000),
    });
    expect(decodeInsightsLink(url)).toMatchObject({ editorString: query, sources: ['/aws/lambda/x', 'g~2'] });
  });

  it('encodes the alarm name in the console link', () => {
    expect(alarmConsoleUrl('eu-west-1', 'api 5xx/prod')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#alarmsV2:alarm/api%205xx%2Fprod',
    );
  });

  it('renders an OK transition green without a mention or an Acknowledge button', () => {
    const message = buildAlarmMessage(alarm('sns-metric-ok.json'), {
      now: NOW,
      mentionHere: true,
      stateSince: new Date('2026-05-01T10:12:00.730Z'),
    });
    expect(message.text.startsWith('✅ OK: save-session-errors in 123456789012 (eu-west-1)')).toBe(true);
    expect(message.attachments?.[0]?.color).toBe('#2EB67D');
    expect(buttons(message).map((b) => b.action_id)).not.toContain(AlarmActionIds.acknowledge);
    expect(allText(message)).toContain('in OK for 29 s');
  });

  it('escapes the notification text, which Slack parses as mrkdwn', () => {
    const message = buildAlarmMessage(alarm('sns-metric-ok.json'), { now: NOW });
    expect(message.text).toContain('for ALARM -&gt; OK transition');
  });

  it('renders INSUFFICIENT_DATA grey', () => {
    const message = buildAlarmMessage(alarm('sns-insufficient-data.json'), { now: NOW });
    expect(message.attachments?.[0]?.color).toBe('#9E9E9E');
    expect(allText(message)).toContain(':grey_question: *INSUFFICIENT_DATA*');
  });

  it('shows who acknowledged, the snooze and the mute, and swaps both buttons; no mention while snoozed', () => {
    const message = buildAlarmMessage(alarm('sns-metric-alarm.json'), {
      now: NOW,
      mentionHere: true,
      ack: { userId: 'U123', at: new Date('2026-05-01T10:05:00Z') },
      snooze: { userId: 'U123', until: new Date('2026-05-01T11:05:00Z') },
      mute: { userId: 'U456', until: new Date('2026-05-01T11:10:00Z') },
    });
    const text = allText(message);
    expect(text).toContain('Acknowledged by <@U123> at 10:05 UTC');
    expect(text).toContain('Snoozed in Slack by <@U123> until 11:05 UTC');
    expect(message.text.startsWith('<!here>')).toBe(false);
    const ids = buttons(message).map((b) => b.action_id);
    expect(text).toContain('Alarm actions muted by <@U456> until 11:10 UTC');
    expect(ids).toContain(AlarmActionIds.unmute);
    expect(ids).toContain(AlarmActionIds.unsnooze);
    expect(ids).not.toContain(AlarmActionIds.mute);
    expect(ids).not.toContain(AlarmActionIds.snooze);
    expect(ids).not.toContain(AlarmActionIds.acknowledge);
  });

  it('offers the known trace and shows the first error lines, escaped', () => {
    const message = buildAlarmMessage(alarm('sns-metric-alarm.json'), {
      now: NOW,
      traceId: '1-69f47a80-a01ef2a0f003da37183f4fcc',
      errorLines: ['ERROR <b>boom</b> & more'],
    });
    const open = buttons(message).find((b) => b.action_id === AlarmActionIds.openTrace);
    expect(open?.value).toBe('1-69f47a80-a01ef2a0f003da37183f4fcc');
    expect(allText(message)).toContain('ERROR &lt;b&gt;boom&lt;/b&gt; &amp; more');
  });

  it('lists composite children, or says none were reported', () => {
    expect(allText(buildAlarmMessage(alarm('sns-composite.json'), { now: NOW }))).toContain(
      ':rotating_light: save-session-errors (ALARM at 10:00 UTC)',
    );
    expect(allText(buildAlarmMessage(alarm('sns-composite-empty.json'), { now: NOW }))).toContain(
      'No triggering child alarm reported',
    );
  });

  it('shows the log lines a log alarm carries', () => {
    const message = buildAlarmMessage(alarm('sns-log-alarm.json'), { now: NOW });
    expect(allText(message)).toContain('*Log lines in the notification*');
    expect(allText(message)).toContain('ProvisionedThroughputExceededException');
  });
});

describe('encodeAlarmButtonValue', () => {
  it('drops function names to stay within 2000 characters', () => {
    const functions = Array.from({ length: 100 }, (_, i) => `function-number-${i}-${'x'.repeat(20)}`);
    const value = encodeAlarmButtonValue(
      `arn:aws:cloudwatch:eu-west-1:1:alarm:${'n'.repeat(255)}`,
      { start: new Date(0), end: new Date(60_000) },
      functions,
    );
    expect(value.length).toBeLessThanOrEqual(2000);
    const parsedValue = parseAlarmButtonValue(value);
    expect(parsedValue?.f.length).toBeGreaterThan(10);
    expect(parsedValue?.e).toBe(60);
  });

  it('turns a button value back into the Investigate target', () => {
    const value = parseAlarmButtonValue(
      encodeAlarmButtonValue(
        'arn:aws:cloudwatch:eu-west-1:1:alarm:api-5xx',
        { start: new Date(60_000), end: new Date(120_000) },
        ['fn'],
      ),
    );
    expect(value && investigateTargetOf(value)).toEqual({
      alarmName: 'api-5xx',
      functions: ['fn'],
      window: { start: new Date(60_000), end: new Date(120_000) },
    });
  });

  it('rejects values that are not ours', () => {
    expect(parseAlarmButtonValue('1-69f47a80-a01ef2a0f003da37183f4fcc')).toBeUndefined();
    expect(parseAlarmButtonValue('{"arn":"nope","s":1,"e":2}')).toBeUndefined();
  });
});
