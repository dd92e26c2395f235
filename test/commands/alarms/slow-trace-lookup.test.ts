import { describe, expect, it } from 'vitest';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import {
  AlarmActionIds,
  encodeAlarmButtonValue,
  investigateTargetOf,
  parseAlarmButtonValue,
  slowTraceThresholdSeconds,
} from '../../../src/commands/alarms/alarm-buttons';
import type { AlarmEvent } from '../../../src/commands/alarms/alarm-event';
import { buildAlarmMessage } from '../../../src/commands/alarms/alarm-view';
import { investigateAlarm } from '../../../src/commands/alarms/investigate';
import type { LogSearch } from '../../../src/commands/ports';
import type { TraceSummaryReader, TraceSummaryRow } from '../../../src/commands/xray/trace-summaries';
import { fixture } from './fixtures';

const SAVE = 'conference-save-session-dynamodb-lambda';
const SLOW_TRACE = '1-69f47a80-a01ef2a0f003da37183f4fcc';

/** The metric-alarm fixture with its trigger swapped for another metric of the same function. */
function alarmOn(trigger: Record<string, unknown>): AlarmEvent {
  const event = structuredClone(fixture('alarms', 'sns-metric-alarm.json')) as {
    Records: { Sns: { Message: string } }[];
  };
  const record = event.Records[0];
  if (!record) throw new Error('fixture has no record');
  const message = JSON.parse(record.Sns.Message) as { Trigger: Record<string, unknown> };
  message.Trigger = { ...message.Trigger, ...trigger };
  record.Sns.Message = JSON.stringify(message);
  const [n] = parseAlarmNotifications(event);
  if (n?.kind !== 'alarm') throw new Error('not an alarm');
  return n.alarm;
}

/** The value of the first button with this action id anywhere in a message. */
function buttonValue(node: unknown, actionId: string): string | undefined {
  if (Array.isArray(node)) {
    for (const child of node) {
      const found = buttonValue(child, actionId);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof node !== 'object' || node === null) return undefined;
  const record = node as Record<string, unknown>;
  if (record.action_id === actionId && typeof record.value === 'string') return record.value;
  return buttonValue(Object.values(record), actionId);
}

const durationAlarm = () =>
  alarmOn({
    MetricName: 'Duration',
    Statistic: 'MAXIMUM',
    Threshold: 2500,
    ComparisonOperator: 'GreaterThanThreshold',
  });

describe('slow traces for an alarm on Lambda Duration', () => {
  it('takes the threshold in seconds from a Duration alarm crossed upwards, and nothing from others', () => {
    expect(slowTraceThresholdSeconds(durationAlarm())).toBe(2.5);
    expect(slowTraceThresholdSeconds(alarmOn({}))).toBeUndefined(); // Errors
    expect(
      slowTraceThresholdSeconds(
        alarmOn({ MetricName: 'Duration', Threshold: 100, ComparisonOperator: 'LessThanThreshold' }),
      ),
    ).toBeUndefined();
    expect(
      slowTraceThresholdSeconds(alarmOn({ MetricName: 'Duration', Namespace: 'Custom/App', Threshold: 100 })),
    ).toBeUndefined();
  });

  it('carries the threshold in the alarm buttons and back into the Investigate target', () => {
    const message = buildAlarmMessage(durationAlarm(), { now: new Date('2026-05-01T10:00:00Z') });
    const value = parseAlarmButtonValue(buttonValue(message, AlarmActionIds.investigate));
    expect(value?.d).toBe(2.5);
    expect(value && investigateTargetOf(value).slowerThanSeconds).toBe(2.5);

    const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:00:00Z') };
    const plain = parseAlarmButtonValue(
      encodeAlarmButtonValue('arn:aws:cloudwatch:eu-west-1:1:alarm:x', window, [SAVE]),
    );
    expect(plain && 'd' in plain).toBe(false);
    expect(plain && investigateTargetOf(plain).slowerThanSeconds).toBeUndefined();
  });

  it('asks X-Ray for slow traces too and says so in the answer', async () => {
    const filters: string[] = [];
    const xray: TraceSummaryReader = {
      traceSummaries: async (filter): Promise<TraceSummaryRow[]> => {
        filters.push(filter);
        return [{ Id: SLOW_TRACE, ResponseTime: 3.1, Duration: 3.1, HasFault: false, HasError: false }];
      },
    };
    const logs: LogSearch = {
      run: async () => ({
        rows: [],
        statistics: { recordsMatched: 0, recordsScanned: 10, bytesScanned: 1000 },
        durationMs: 5,
      }),
    };
    const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:00:00Z') };
    const answer = await investigateAlarm(
      { alarmName: 'save-session-slow', functions: [SAVE], window, slowerThanSeconds: 2.5 },
      logs,
      xray,
    );
    expect(filters).toEqual([`service("${SAVE}") { fault = true OR error = true OR responsetime > 2.5 }`]);
    const text = JSON.stringify(answer);
    expect(text).toContain('*1* failed or slower than 2.5 s trace(s) in the window');
    expect(text).toContain(SLOW_TRACE);
  });

  it('says plainly when X-Ray has neither failed nor slow traces', async () => {
    const xray: TraceSummaryReader = { traceSummaries: async () => [] };
    const logs: LogSearch = {
      run: async () => ({
        rows: [],
        statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
        durationMs: 1,
      }),
    };
    const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:00:00Z') };
    const answer = await investigateAlarm(
      { alarmName: 'save-session-slow', functions: [SAVE], window, slowerThanSeconds: 2.5 },
      logs,
      xray,
    );
    expect(JSON.stringify(answer)).toContain(
      'X-Ray: no failed traces and none slower than 2.5 s in the window.',
    );
  });
});
