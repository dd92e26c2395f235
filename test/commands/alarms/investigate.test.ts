import { describe, expect, it } from 'vitest';
import { parseAlarmNotifications } from '../../../src/bot/alarms/alarm-envelope';
import type { AlarmEvent } from '../../../src/commands/alarms/alarm-event';
import { investigateAlarm } from '../../../src/commands/alarms/investigate';
import {
  alarmLogGroups,
  alarmWindow,
  buildInvestigateQuery,
  INVESTIGATE_QUERY,
  INVESTIGATE_TOTALS_QUERY,
  investigateQueryForAlarm,
} from '../../../src/commands/alarms/investigate-query';
import { firstErrorLines, summarizeInvestigation } from '../../../src/commands/alarms/investigate-report';
import { buildInvestigationMessage } from '../../../src/commands/alarms/investigate-view';
import { InvalidInputError } from '../../../src/commands/errors';
import type { LogSearch, LogSearchRequest } from '../../../src/commands/ports';
import { buildRuntimeErrorQuery } from '../../../src/commands/runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../../../src/commands/runtime/runtime-findings';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery } from '../../../src/local/logs-insights';
import { fixture } from './fixtures';
import { expectWithinSlackLimits } from './slack-limits';

function alarm(name: string): AlarmEvent {
  const [n] = parseAlarmNotifications(fixture('alarms', name));
  if (n?.kind !== 'alarm') throw new Error('not an alarm');
  return n.alarm;
}

function row(fields: Record<string, string>): Record<string, string> {
  return fields;
}

const T1 = '6b1f8a2e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
const T2 = '1-69f47a81-b12ef2a0f003da37183f4fdd';
const X1 = '1-69f47a80-a01ef2a0f003da37183f4fcc';

describe('alarmWindow', () => {
  it.each([
    ['sns-metric-alarm.json', '2026-05-01T09:45:00.512Z'],
    ['sns-insufficient-data.json', '2026-05-01T09:35:00.512Z'],
    ['sns-composite.json', '2026-05-01T09:45:00.512Z'],
  ])('looks back over the evaluated periods, at least 15 min, for %s', (name, start) => {
    const window = alarmWindow(alarm(name));
    expect(window.start.toISOString()).toBe(start);
    expect(window.end.toISOString()).toBe('2026-05-01T10:01:00.512Z');
  });
});

describe('investigateQueryForAlarm', () => {
  it('queries the function log groups of a metric alarm', () => {
    expect(investigateQueryForAlarm(alarm('sns-metric-alarm.json'))).toEqual({
      queryString: INVESTIGATE_QUERY,
      logGroupNames: ['/aws/lambda/conference-save-session-dynamodb-lambda'],
      startTime: new Date('2026-05-01T09:45:00.512Z'),
      endTime: new Date('2026-05-01T10:01:00.512Z'),
    });
  });

  it('returns undefined for an alarm without a function or log group', () => {
    expect(investigateQueryForAlarm(alarm('sns-composite.json'))).toBeUndefined();
  });

  it('takes a log alarm log group, bare even when given as an ARN', () => {
    const a = alarm('sns-log-alarm.json');
    const withArn: AlarmEvent = {
      ...a,
      functions: [],
      condition: { kind: 'log', logGroups: ['arn:aws:logs:eu-west-1:123456789012:log-group:/custom/app:*'] },
    };
    expect(alarmLogGroups(withArn)).toEqual(['/custom/app']);
  });
});

describe('buildInvestigateQuery', () => {
  it('rejects names that are not Lambda function names', () => {
    const window = { start: new Date(0), end: new Date(1) };
    expect(() => buildInvestigateQuery(['x" | filter 1', 'ok'], window)).toThrow(InvalidInputError);
    expect(() => buildInvestigateQuery([], window)).toThrow(InvalidInputError);
    expect(buildInvestigateQuery(['a', 'a', 'b'], window).logGroupNames).toEqual([
      '/aws/lambda/a',
      '/aws/lambda/b',
    ]);
  });
});

describe('summarizeInvestigation', () => {
  const rows = [
    row({
      '@timestamp': '2026-05-01 10:00:03.000',
      functionName: 'save',
      traceId: T1.toUpperCase(),
      xrayTraceId: X1,
      'exception.name': 'ConditionalCheckFailedException',
      'exception.message': 'latest',
      level: 'ERROR',
    }),
    row({
      '@timestamp': '2026-05-01 10:00:01.000',
      functionName: 'save',
      traceId: T1,
      'exception.name': 'ConditionalCheckFailedException',
      level: 'ERROR',
    }),
    row({ '@timestamp': '2026-05-01 10:00:02.000', functionName: 'notify', traceId: T1, level: 'ERROR' }),
    row({
      '@timestamp': '2026-05-01 10:00:04.000',
      functionName: 'create',
      xrayTraceId: T2,
      'exception.name': 'TypeError',
    }),
    row({ '@timestamp': '2026-05-01 10:00:05.000', functionName: 'create', level: 'ERROR' }),
    row({ '@timestamp': '2026-05-01 10:00:06.000', traceId: 'not-a-trace', level: 'ERROR' }),
  ];

  it('groups errors by trace with counts, functions and exceptions, most affected first', () => {
    expect(summarizeInvestigation(rows)).toEqual({
      total: 6,
      withoutTrace: 2,
      traces: [
        {
          traceId: T1,
          xrayTraceId: X1,
          count: 3,
          functions: ['notify', 'save'],
          exceptions: ['ConditionalCheckFailedException', 'ERROR'],
          lastAt: '2026-05-01 10:00:03.000',
          lastMessage: 'latest',
        },
        {
          traceId: T2,
          count: 1,
          functions: ['create'],
          exceptions: ['TypeError'],
          lastAt: '2026-05-01 10:00:04.000',
        },
      ],
    });
  });

  it('renders one trace_run button per affected trace', () => {
    const message = buildInvestigationMessage(summarizeInvestigation(rows), {
      alarmName: 'save-session-errors',
    });
    expectWithinSlackLimits(message);
    const accessories = message.blocks.flatMap((b) =>
      b.type === 'section' && b.accessory ? [b.accessory] : [],
    );
    expect(accessories.map((a) => [a.action_id, a.value])).toEqual([
      ['trace_run', T1],
      ['trace_run', T2],
    ]);
    expect(message.text).toBe('6 error line(s) around save-session-errors; 2 trace(s) affected.');
  });

  it('caps the list and says how many traces are left', () => {
    const many = Array.from({ length: 30 }, (_, i) =>
      row({ traceId: `1-69f47a80-${String(i).padStart(24, '0')}`, level: 'ERROR' }),
    );
    const message = buildInvestigationMessage(summarizeInvestigation(many), { alarmName: 'x', maxTraces: 5 });
    expectWithinSlackLimits(message);
    expect(message.blocks.filter((b) => b.type === 'section' && b.accessory)).toHaveLength(5);
    expect(JSON.stringify(message.blocks)).toContain('… and 25 more traces');
  });

  it('says so when nothing was logged', () => {
    expect(buildInvestigationMessage(summarizeInvestigation([]), { alarmName: 'x' }).text).toBe(
      'No errors or exceptions logged around x.',
    );
  });
});

describe('firstErrorLines', () => {
  it('makes one short line per row', () => {
    expect(
      firstErrorLines([
        row({
          '@timestamp': '2026-05-01 10:00:03.000',
          functionName: 'save',
          'exception.name': 'TypeError',
          'exception.message': 'x is undefined',
        }),
        row({
          '@timestamp': '2026-05-01 10:00:04.000',
          functionName: 'save',
          level: 'ERROR',
          message: 'save failed',
        }),
      ]),
    ).toEqual(['10:00:03 save TypeError: x is undefined', '10:00:04 save save failed']);
  });

  it('puts what the Lambda runtime logged before the error lines of the code', () => {
    const runtime = summarizeRuntimeErrors(
      [
        row({
          '@timestamp': '2026-05-01 10:00:01.000',
          '@message':
            'RequestId: 3a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d Error: Runtime exited with error: signal: killed\nRuntime.OutOfMemory',
          '@log': '123456789012:/aws/lambda/save',
        }),
        row({
          '@timestamp': '2026-05-01 10:00:01.001',
          '@message':
            'REPORT RequestId: 3a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d\tDuration: 2210.32 ms\tBilled Duration: 2211 ms\tMemory Size: 512 MB\tMax Memory Used: 512 MB',
          '@log': '123456789012:/aws/lambda/save',
        }),
      ],
      200,
    );
    expect(
      firstErrorLines(
        [
          row({
            '@timestamp': '2026-05-01 10:00:04.000',
            functionName: 'save',
            level: 'ERROR',
            message: 'x',
          }),
        ],
        5,
        runtime,
      ),
    ).toEqual([
      '10:00:01 save out of memory at 512 MB (request 3a4b5c6d-7e8f-4a9b-8c1d-2e3f4a5b6c7d)',
      '10:00:04 save x',
    ]);
  });
});

describe('investigateAlarm', () => {
  it('runs the errors query and the runtime-error query over the function log groups', async () => {
    const requests: LogSearchRequest[] = [];
    const logs: LogSearch = {
      run: async (request) => {
        requests.push(request);
        const runtime = request.queryString === buildRuntimeErrorQuery();
        if (request.queryString === INVESTIGATE_TOTALS_QUERY)
          return {
            rows: [{ groups: '1', errorLines: '1', untracedLines: '0', untracedGroups: '0' }],
            statistics: { recordsMatched: 1, recordsScanned: 1200, bytesScanned: 340_000 },
            durationMs: 900,
          };
        return {
          rows: runtime
            ? [
                row({
                  '@timestamp': '2026-05-01 10:00:02.000',
                  '@message': `2026-05-01T10:00:02.000Z 0d1d9c47-1a2b-4c3d-8e9f-0a1b2c3d4e5f Task timed out after 6.00 seconds`,
                  '@log': '123456789012:/aws/lambda/conference-save-session-dynamodb-lambda',
                }),
              ]
            : [
                row({
                  '@timestamp': '2026-05-01 10:00:03.000',
                  functionName: 'conference-save-session-dynamodb-lambda',
                  traceId: T1,
                  level: 'ERROR',
                }),
              ],
          statistics: { recordsMatched: 1, recordsScanned: 1200, bytesScanned: 340_000 },
          durationMs: 1300,
        };
      },
    };
    const window = { start: new Date('2026-05-01T09:45:00Z'), end: new Date('2026-05-01T10:01:00Z') };
    const message = await investigateAlarm(
      { alarmName: 'save-session-errors', functions: ['conference-save-session-dynamodb-lambda'], window },
      logs,
    );
    const where = {
      logGroupNames: ['/aws/lambda/conference-save-session-dynamodb-lambda'],
      startTime: window.start,
      endTime: window.end,
    };
    expect(requests).toEqual([
      { queryString: INVESTIGATE_QUERY, ...where },
      { queryString: INVESTIGATE_TOTALS_QUERY, ...where },
      { queryString: buildRuntimeErrorQuery(), ...where },
    ]);
    expectWithinSlackLimits(message);
    expect(message.text).toBe(
      '1 error line(s) around save-session-errors; 1 trace(s) affected. Lambda runtime: 1 timed out.',
    );
    const blocks = JSON.stringify(message.blocks);
    // The runtime's finding comes first, named plainly with its function and request id.
    expect(blocks.indexOf('timed out after 6.00 s')).toBeLessThan(blocks.indexOf(T1));
    expect(blocks).toContain(
      'conference-save-session-dynamodb-lambda timed out after 6.00 s (request 0d1d9c47-1a2b-4c3d-8e9f-0a1b2c3d4e5f)',
    );
    expect(blocks).toContain('Scanned 3,600 records · 1.0 MB · 1.3 s');
  });
});

describe('Investigate counts, exact at any volume', () => {
  // The queries run on the local Logs Insights engine, which refuses what AWS refuses.
  const engine = (events: StoredLogEvent[]): LogSearch => ({
    run: async (request) => {
      const result = compileInsightsQuery(request.queryString).run(events, {
        startTimeMs: request.startTime.getTime(),
        endTimeMs: request.endTime.getTime(),
      });
      return {
        rows: result.results.map((fields) => Object.fromEntries(fields.map((f) => [f.field, f.value]))),
        statistics: result.statistics,
        durationMs: 1,
      };
    },
  });

  it('counts every error line and trace in the window, though only the newest 50 lines are read', async () => {
    const start = Date.parse('2026-05-01T10:00:00Z');
    const events: StoredLogEvent[] = [];
    const line = (i: number, body: Record<string, unknown>) =>
      events.push({
        logGroupName: '/aws/lambda/conference-save-session-dynamodb-lambda',
        logStreamName: 's',
        eventId: `e${i}`,
        ingestionTime: start + i * 1000,
        timestamp: start + i * 1000,
        message: JSON.stringify({ functionName: 'conference-save-session-dynamodb-lambda', ...body }),
      });
    // 70 traces with two error lines each, 5 error lines without a trace id, 30 INFO lines.
    for (let t = 0; t < 70; t++) {
      const traceId = `00000000-0000-4000-8000-${String(t).padStart(12, '0')}`;
      line(t * 2, { level: 'ERROR', traceId, message: 'boom' });
      line(t * 2 + 1, { level: 'INFO', traceId, exception: { name: 'SaveError', message: 'x' } });
    }
    for (let i = 0; i < 5; i++) line(200 + i, { level: 'ERROR', message: 'no trace' });
    for (let i = 0; i < 30; i++) line(300 + i, { level: 'INFO', message: 'fine' });
    const window = { start: new Date(start - 60_000), end: new Date(start + 3_600_000) };

    const message = await investigateAlarm(
      { alarmName: 'save-session-errors', functions: ['conference-save-session-dynamodb-lambda'], window },
      engine(events),
    );

    expect(message.text).toBe('145 error line(s) around save-session-errors; 70 trace(s) affected.');
    const blocks = JSON.stringify(message.blocks);
    expect(blocks).toContain('5 line(s) without a trace id');
    expect(blocks).toContain('the traces below come from the newest 50');
    expectWithinSlackLimits(message);
  });
});
