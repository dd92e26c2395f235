import { describe, expect, it } from 'vitest';
import { buildJsonCostQuery, buildTextCostQuery } from '../../../src/commands/cost/cost-query';
import { readUsage } from '../../../src/commands/cost/cost-report';
import { readLeadTime } from '../../../src/commands/leadtime/leadtime';
import { SessionId, TraceId } from '../../../src/commands/query/quote';
import {
  buildExceptionQuery,
  buildMilestonesQuery,
  buildTraceLookupQuery,
} from '../../../src/commands/trace/trace-query';
import { buildTimeline, readException, readSightings } from '../../../src/commands/trace/trace-report';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery } from '../../../src/local/logs-insights';
import { EngineLogSearch } from '../../fixtures/commands/engine-log-search';
import { conferencePair } from '../../fixtures/flows/conference';

// Our queries run through the offline Logs Insights engine: proves they parse and that the
// interpretation reads what a real run returns (string values, printed timestamps, @log).
const T0 = Date.parse('2026-11-24T10:00:00Z');
const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const TRACE = 'bf769e94-4d48-4994-8c04-ebd00b51ecbd';
let seq = 0;
const event = (group: string, offsetMs: number, message: string): StoredLogEvent => ({
  logGroupName: group,
  logStreamName: '2026/11/24/[$LATEST]abc',
  timestamp: T0 + offsetMs,
  ingestionTime: T0 + offsetMs + 5,
  message,
  eventId: String(++seq),
});
const line = (fn: string, offsetMs: number, extra: Record<string, unknown>) =>
  event(
    `/aws/lambda/${fn}`,
    offsetMs,
    JSON.stringify({
      timestamp: new Date(T0 + offsetMs).toISOString(),
      level: 'INFO',
      message: 'm',
      functionName: fn,
      AWSRequestId: 'r',
      traceId: TRACE,
      ...extra,
    }),
  );

const events: StoredLogEvent[] = [
  line('conference-create-session-lambda', 0, {
    sessionId: SESSION,
    milestone: 'CREATE_REQUEST_RECEIVED',
    xrayTraceId: '1-6a99c470-a01ef2a0f003da37183f4fcc',
  }),
  line('conference-save-session-dynamodb-lambda', 700, {
    sessionId: SESSION,
    milestone: 'SAVED_IN_DATABASE',
  }),
  line('conference-slack-notification-lambda', 900, {
    level: 'ERROR',
    exception: {
      name: 'SlackWebhookError',
      message: 'webhook returned 500',
      stack: 'SlackWebhookError: webhook returned 500\n    at post (n.js:1:1)',
    },
  }),
  line('conference-forward-session-lambda', 1500, { milestone: 'SESSION_FORWARDED' }),
  // Text-format REPORT: 1000 ms billed at 512 MB = 0.5 GB-s; init is inside the billed duration.
  event(
    '/aws/lambda/conference-create-session-lambda',
    100,
    'REPORT RequestId: 3f9c\tDuration: 812.30 ms\tBilled Duration: 1000 ms\tMemory Size: 512 MB\tMax Memory Used: 81 MB\tInit Duration: 236.17 ms\t',
  ),
  // JSON-format platform.report: 2000 ms billed at 256 MB = 0.5 GB-s.
  event(
    '/aws/lambda/conference-list-sessions-lambda',
    200,
    JSON.stringify({
      time: new Date(T0 + 200).toISOString(),
      type: 'platform.report',
      record: {
        requestId: 'x',
        metrics: {
          durationMs: 1900.5,
          billedDurationMs: 2000,
          memorySizeMB: 256,
          maxMemoryUsedMB: 90,
          initDurationMs: 300,
        },
      },
    }),
  ),
];

const run = (query: string) =>
  compileInsightsQuery(query)
    .run(events, { startTimeMs: T0 - 60_000, endTimeMs: T0 + 60_000 })
    .results.map((cells) =>
      Object.fromEntries(cells.filter((c) => c.field !== '@ptr').map((c) => [c.field, c.value])),
    );

describe('our queries on the offline Logs Insights engine', () => {
  it('find the trace of a session and read its milestones and exception', () => {
    const sightings = readSightings(
      run(buildTraceLookupQuery({ kind: 'uuid', id: SessionId.parse(SESSION) })),
    );
    expect(sightings.map((s) => s.traceId)).toEqual([TRACE]);
    const timeline = buildTimeline(run(buildMilestonesQuery(TraceId.parse(TRACE))));
    expect(timeline.map((e) => [e.milestone, e.deltaMs])).toEqual([
      ['CREATE_REQUEST_RECEIVED', null],
      ['SAVED_IN_DATABASE', 700],
      ['SESSION_FORWARDED', 800],
    ]);
    expect(readException(run(buildExceptionQuery(TraceId.parse(TRACE))))).toMatchObject({
      name: 'SlackWebhookError',
      functionName: 'conference-slack-notification-lambda',
      stackTop: ['at post (n.js:1:1)'],
    });
  });

  it('measure lead time and report the traces that never reached the notification', async () => {
    const report = await readLeadTime(
      new EngineLogSearch(events),
      {
        logGroupNames: [...new Set(events.map((e) => e.logGroupName))],
        window: { start: new Date(T0), end: new Date(T0 + 60_000), label: '1h' },
        pair: conferencePair,
      },
      new Date(T0 + 3_600_000),
    );
    expect(report.count).toBe(0);
    expect(report.neverArrived.map((m) => m.traceId)).toEqual([TRACE]);
    expect(report.inFlight).toBe(0);
  });

  it('compute GB-seconds from both REPORT formats with the right memory units', () => {
    const usage = readUsage([run(buildTextCostQuery()), run(buildJsonCostQuery())]);
    const byName = Object.fromEntries(usage.map((u) => [u.functionName, u]));
    expect(byName['conference-create-session-lambda']).toMatchObject({ invocations: 1, gbSeconds: 0.5 });
    expect(byName['conference-list-sessions-lambda']).toMatchObject({ invocations: 1, gbSeconds: 0.5 });
  });
});
