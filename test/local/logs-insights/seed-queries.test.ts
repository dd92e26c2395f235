import { describe, expect, it } from 'vitest';
import { SEED_QUERIES } from '../../fixtures/seed-queries';
import { at, event, report, rowsOf, withoutPtr } from './events';

// The seven queries of /work/shared/README.md, verbatim.
const TRACE_ID_QUERY = `fields traceId
| filter sessionId="865ccaad-ced0-4de5-aec3-b3692b2e06a0"
| limit 1`;
const MILESTONES_QUERY = `fields milestone, functionName, timestamp
| filter traceId="bf769e94-4d48-4994-8c04-ebd00b51ecbd" and ispresent(milestone)
| sort timestamp asc`;
const MESSAGES_QUERY = `fields @message
| filter traceId="bf769e94-4d48-4994-8c04-ebd00b51ecbd" and functionName="conference-save-session-dynamodb-lambda"`;
const EXCEPTION_QUERY = `fields exception, traceId, functionName
| filter traceId="bf769e94-4d48-4994-8c04-ebd00b51ecbd"
| limit 1`;
const TRACE = 'bf769e94-4d48-4994-8c04-ebd00b51ecbd';
const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';

function line(time: string, fields: Record<string, unknown>) {
  return event(at(time), {
    timestamp: `2024-01-01T${time}Z`,
    level: 'INFO',
    message: 'm',
    AWSRequestId: 'r',
    ...fields,
  });
}

const serviceLog = [
  line('10:00:00.000', {
    functionName: 'conference-create-session',
    traceId: TRACE,
    sessionId: SESSION,
    milestone: 'CREATE_REQUEST_RECEIVED',
  }),
  line('10:00:00.200', {
    functionName: 'conference-save-session-dynamodb-lambda',
    traceId: TRACE,
    sessionId: SESSION,
    milestone: 'SAVED_IN_DATABASE',
  }),
  line('10:00:00.300', {
    functionName: 'conference-save-session-dynamodb-lambda',
    traceId: TRACE,
    sessionId: SESSION,
  }),
  line('10:00:01.750', {
    functionName: 'conference-notify',
    traceId: TRACE,
    milestone: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
  }),
  line('10:00:02.000', {
    functionName: 'conference-notify',
    traceId: TRACE,
    exception: { name: 'SlackError', message: 'rate limited' },
  }),
  // Second trace: 4.5 s lead time; third trace: only one milestone (lead time 0, filtered out).
  line('11:00:00.000', {
    functionName: 'conference-create-session',
    traceId: 't2',
    milestone: 'CREATE_REQUEST_RECEIVED',
  }),
  line('11:00:04.500', {
    functionName: 'conference-notify',
    traceId: 't2',
    milestone: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
  }),
  line('12:00:00.000', {
    functionName: 'conference-create-session',
    traceId: 't3',
    milestone: 'CREATE_REQUEST_RECEIVED',
  }),
  event(at('10:00:00.100'), 'START RequestId: r1 Version: $LATEST'),
  event(at('10:00:00.400'), report('r1', 101.5, 102, 1024, 80, 250.25), { logStreamName: 'a' }),
  event(at('10:00:00.500'), 'END RequestId: r1'),
  event(at('10:00:01.800'), report('r2', 48.1, 49, 512, 70), { logStreamName: 'b' }),
];

describe('the seed queries', () => {
  it('finds the traceId of a session', () => {
    expect(withoutPtr(rowsOf(TRACE_ID_QUERY, serviceLog))).toEqual([{ traceId: TRACE }]);
  });

  it('lists the milestones of a trace in time order', () => {
    const rows = withoutPtr(rowsOf(MILESTONES_QUERY, serviceLog));
    expect(rows.map((r) => r.milestone)).toEqual([
      'CREATE_REQUEST_RECEIVED',
      'SAVED_IN_DATABASE',
      'SLACK_NOTIFICATION_NEW_SESSION_SENT',
    ]);
    expect(rows[0]).toEqual({
      milestone: 'CREATE_REQUEST_RECEIVED',
      functionName: 'conference-create-session',
      timestamp: '2024-01-01T10:00:00.000Z',
    });
  });

  it('returns the raw messages of one function in a trace, newest first', () => {
    const rows = withoutPtr(rowsOf(MESSAGES_QUERY, serviceLog));
    expect(rows.map((r) => JSON.parse(r['@message'] as string).timestamp)).toEqual([
      '2024-01-01T10:00:00.300Z',
      '2024-01-01T10:00:00.200Z',
    ]);
  });

  it('finds the newest line of a trace with its exception fields', () => {
    const [row] = rowsOf(EXCEPTION_QUERY, serviceLog);
    expect(row?.traceId).toBe(TRACE);
    expect(row?.functionName).toBe('conference-notify');
    expect(JSON.parse(row?.exception ?? '{}')).toEqual({ name: 'SlackError', message: 'rate limited' });
  });

  it('computes the lead time per trace in seconds, drops zero and sorts descending', () => {
    expect(rowsOf(SEED_QUERIES.leadTime, serviceLog)).toEqual([
      { traceId: 't2', LeadTimeInSeconds: '4.5' },
      { traceId: TRACE, LeadTimeInSeconds: '1.75' },
    ]);
  });

  it('computes the billed GB-seconds and their cost from REPORT lines', () => {
    // 1024 MB × 0.102 s + 512 MB × 0.049 s = 0.102 + 0.0245 GB-s.
    const [row] = rowsOf(SEED_QUERIES.costTotal, serviceLog);
    expect(Number(row?.TotalBilledDurationInGBSeconds)).toBeCloseTo(0.1265, 10);
    expect(Number(row?.TotalCostInDollar)).toBeCloseTo(0.1265 * 0.00001667, 15);
    expect(Object.keys(row ?? {})).toEqual(['TotalBilledDurationInGBSeconds', 'TotalCostInDollar']);
  });

  it('counts invocations with ceil(avg), max and cost', () => {
    const [row] = rowsOf(SEED_QUERIES.costDetail, serviceLog);
    expect(row).toMatchObject({
      NumberOfInvocations: '2',
      AverageExecutionTime: '75',
      MaxExecutionTime: '101.5',
    });
    expect(Number(row?.TotalCostInDollar)).toBeCloseTo(0.1265 * 0.00001667, 15);
  });
});
