import { readFileSync } from 'node:fs';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { XRayClientTraceReader } from '../../../src/aws/xray-trace-reader';
import { loadAlarmConfig } from '../../../src/bot/alarms/alarm-config';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import { BotConfigError } from '../../../src/bot/errors';
import { logSearchEnrichment } from '../../../src/commands/alarms/alarm-enrichment';
import { investigationConfig } from '../../../src/commands/config';
import { InvestigationJob, runInvestigation } from '../../../src/commands/jobs';
import { FakeLogSearch, fixedClock } from '../../fixtures/commands/fake-log-search';
import { alarmFixture } from './helpers';

const xray = mockClient(XRayClient);
const SEED_TRACE = '1-69f47a80-a01ef2a0f003da37183f4fcc';
const seed = JSON.parse(
  readFileSync(new URL('../../fixtures/xray/seed-incident-trace.json', import.meta.url), 'utf8'),
);
const errorRow = {
  '@timestamp': '2026-05-01 09:59:58.120',
  functionName: 'conference-save-session-dynamodb-lambda',
  traceId: '865ccaad-ced0-4de5-aec3-b3692b2e06a0',
  xrayTraceId: SEED_TRACE,
  'exception.name': 'ConditionalCheckFailedException',
  'exception.message': 'The conditional request failed',
  level: 'ERROR',
};

describe('alarm worker jobs', () => {
  beforeEach(() => xray.reset());

  it('runs alarm_investigate over the alarm window and answers with the affected traces', async () => {
    const logs = new FakeLogSearch([{ when: /exception\.name/, rows: [errorRow] }]);
    const job = InvestigationJob.parse({
      kind: 'alarm_investigate',
      alarm: {
        arn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors',
        s: 1777628700,
        e: 1777629660,
        f: ['conference-save-session-dynamodb-lambda'],
      },
    });

    const message = await runInvestigation(
      job,
      { logs, clock: fixedClock('2026-05-01T10:05:00Z') },
      investigationConfig(),
    );

    expect(logs.requests[0]?.logGroupNames).toEqual(['/aws/lambda/conference-save-session-dynamodb-lambda']);
    expect(logs.requests[0]?.startTime).toEqual(new Date(1777628700 * 1000));
    expect(JSON.stringify(message.blocks)).toContain('865ccaad-ced0-4de5-aec3-b3692b2e06a0');
  });

  it('runs xray_waterfall through the X-Ray reader and names the bottleneck', async () => {
    xray.on(BatchGetTracesCommand).resolves(seed);
    const job = InvestigationJob.parse({ kind: 'xray_waterfall', traceId: SEED_TRACE });

    const message = await runInvestigation(
      job,
      {
        logs: new FakeLogSearch([]),
        clock: fixedClock('2026-05-01T10:05:00Z'),
        xray: new XRayClientTraceReader(new XRayClient({ region: 'eu-west-1' })),
      },
      investigationConfig(),
    );

    expect(xray).toHaveReceivedCommandWith(BatchGetTracesCommand, { TraceIds: [SEED_TRACE] });
    expect(message.text + JSON.stringify(message.blocks)).toContain(SEED_TRACE);
  });

  it('refuses an xray_waterfall job whose id is not an X-Ray trace id', () => {
    expect(InvestigationJob.safeParse({ kind: 'xray_waterfall', traceId: 'x; drop' }).success).toBe(false);
  });
});

describe('logSearchEnrichment', () => {
  it('gives the first error lines and the X-Ray id seen in them', async () => {
    const [n] = parseAlarmNotifications(alarmFixture('sns-metric-alarm.json'));
    if (n?.kind !== 'alarm') throw new Error('fixture is not an alarm');

    const out = await logSearchEnrichment(new FakeLogSearch([{ when: /exception\.name/, rows: [errorRow] }]))(
      n.alarm,
    );

    expect(out.traceId).toBe(SEED_TRACE);
    expect(out.errorLines).toEqual([
      '09:59:58 conference-save-session-dynamodb-lambda ConditionalCheckFailedException: The conditional request failed',
    ]);
  });
});

describe('loadAlarmConfig', () => {
  it('reads mention, aliases and the reminder interval', () => {
    const config = loadAlarmConfig({
      GUMSHOE_ALARM_TABLE: 'alarm-state',
      GUMSHOE_ALARM_MENTION_HERE: 'true',
      GUMSHOE_ACCOUNT_ALIASES: '123456789012=prod, 210987654321=staging',
      GUMSHOE_ALARM_REMINDER_MINUTES: '15',
      GUMSHOE_ALARM_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/gumshoe-alarm-queue',
    });

    expect(config).toMatchObject({
      tableName: 'alarm-state',
      mentionHere: true,
      accountAliases: { '123456789012': 'prod', '210987654321': 'staging' },
      reminderIntervalMs: 15 * 60_000,
      stormThreshold: 4,
      postIntervalMs: 1100,
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/gumshoe-alarm-queue',
      retryDelaySeconds: 30,
    });
  });

  it('defaults to no mention, no aliases and 30 minutes', () => {
    expect(loadAlarmConfig({})).toMatchObject({
      mentionHere: false,
      accountAliases: {},
      reminderIntervalMs: 1_800_000,
    });
  });

  it('names the variable that is wrong', () => {
    expect(() => loadAlarmConfig({ GUMSHOE_ACCOUNT_ALIASES: 'prod=123' })).toThrow(/GUMSHOE_ACCOUNT_ALIASES/);
    expect(() => loadAlarmConfig({ GUMSHOE_ALARM_REMINDER_MINUTES: '0' })).toThrow(BotConfigError);
    expect(() => loadAlarmConfig({ GUMSHOE_ALARM_MENTION_HERE: 'maybe' })).toThrow(
      /GUMSHOE_ALARM_MENTION_HERE/,
    );
  });
});
