import { describe, expect, it } from 'vitest';
import { investigateLeadTime } from '../../../src/commands/leadtime/leadtime';
import {
  buildLeadTimeSummaryQuery,
  buildOldestNeverArrivedQuery,
  buildSlowestTracesQuery,
} from '../../../src/commands/leadtime/leadtime-query';
import { histogram, percentile, summarizeLeadTime } from '../../../src/commands/leadtime/leadtime-report';
import { bar, formatHistogram, leadTimeMessage } from '../../../src/commands/leadtime/leadtime-view';
import { blockTextLength } from '../../../src/commands/slack/validate-message';
import { FunctionNames, logGroupOf } from '../../../src/conference-app/contract';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { EngineLogSearch } from '../../fixtures/commands/engine-log-search';
import { fixedClock } from '../../fixtures/commands/fake-log-search';
import { conferenceInvestigationConfig, conferencePair } from '../../fixtures/flows/conference';

const FROM = 'CREATE_REQUEST_RECEIVED';
const TO = 'SLACK_NOTIFICATION_NEW_SESSION_SENT';
const uuid = (i: number) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;

describe('percentile (nearest rank)', () => {
  it('matches known vectors', () => {
    const v = [15, 20, 35, 40, 50];
    expect(percentile(v, 5)).toBe(15);
    expect(percentile(v, 30)).toBe(20);
    expect(percentile(v, 40)).toBe(20);
    expect(percentile(v, 50)).toBe(35);
    expect(percentile(v, 100)).toBe(50);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(hundred, 50), percentile(hundred, 90), percentile(hundred, 99)]).toEqual([50, 90, 99]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });
});

describe('histogram', () => {
  it('counts into fixed buckets and drops empty tail buckets', () => {
    const h = histogram([100, 499, 500, 1500, 1999, 4000]);
    expect(h.map((b) => [b.fromMs, b.count])).toEqual([
      [0, 2],
      [500, 1],
      [1000, 2],
      [2000, 1],
    ]);
    expect(histogram([10 * 60_000]).at(-1)).toEqual({
      fromMs: 300_000,
      toMs: Number.POSITIVE_INFINITY,
      count: 1,
    });
  });

  it('draws bars proportional to the largest bucket', () => {
    expect(bar(10, 10, 4)).toBe('████');
    expect(bar(5, 10, 4)).toBe('██');
    expect(bar(1, 100, 4)).toBe('▏');
    expect(bar(0, 10)).toBe('');
    expect(formatHistogram(histogram([100, 700]))).toBe(
      '0 ms–500 ms   │████████████████████████ 1\n500 ms–1.00 s │████████████████████████ 1',
    );
  });
});

const T0 = Date.parse('2026-11-24T11:00:00Z');
let seq = 0;
const milestoneEvent = (traceId: string, milestone: string, offsetMs: number): StoredLogEvent => {
  const fn = milestone === FROM ? FunctionNames.createSession : FunctionNames.notifyNewSession;
  return {
    logGroupName: logGroupOf(fn),
    logStreamName: '2026/11/24/[$LATEST]abc',
    timestamp: T0 + offsetMs,
    ingestionTime: T0 + offsetMs,
    message: JSON.stringify({ level: 'INFO', message: 'm', functionName: fn, traceId, milestone }),
    eventId: String(++seq),
  };
};

describe('/leadtime', () => {
  it('computes the figures in Logs Insights with two-stage stats, and fetches only the lists as rows', () => {
    const summary = buildLeadTimeSummaryQuery(conferencePair);
    expect(summary.match(/\| stats /g)).toHaveLength(2);
    expect(summary).toContain('pct(greatest(0, endedAt - startedAt), 90) as p90');
    expect(buildSlowestTracesQuery(conferencePair)).toMatch(/sort leadTimeMs desc\n\| limit 10$/);
    expect(buildOldestNeverArrivedQuery(conferencePair)).toMatch(/sort startedAt asc\n\| limit 10$/);
  });

  it('summarises lead times, slowest traces and those that never arrived (on the offline engine)', async () => {
    // Arrange: 20 finished traces (1..20 s; trace 5's notification retried later), 2 lost long ago,
    // 1 just started, 1 finishing a trace begun before the window.
    const events: StoredLogEvent[] = [];
    for (let i = 0; i < 20; i++) {
      events.push(milestoneEvent(uuid(i), FROM, i * 60_000));
      events.push(milestoneEvent(uuid(i), TO, i * 60_000 + (i + 1) * 1000));
    }
    events.push(milestoneEvent(uuid(5), TO, 5 * 60_000 + 30_000));
    events.push(milestoneEvent(uuid(100), FROM, 0), milestoneEvent(uuid(101), FROM, 1000));
    events.push(milestoneEvent(uuid(102), FROM, 3_540_000));
    events.push(milestoneEvent(uuid(103), TO, 5000));
    const logs = new EngineLogSearch(events);
    const clock = fixedClock('2026-11-24T12:00:00Z');

    // Act
    const report = await investigateLeadTime({}, { logs, clock }, conferenceInvestigationConfig());

    // Assert
    expect(logs.requests).toHaveLength(4);
    expect(logs.requests[0]).toMatchObject({ startTime: new Date('2026-11-24T11:00:00Z') });
    expect(report.window.label).toBe('1h');
    expect(report.count).toBe(20);
    expect([report.p50Ms, report.p90Ms, report.p99Ms, report.maxMs]).toEqual([
      10_000, 18_000, 20_000, 20_000,
    ]);
    expect(report.histogram.map((b) => [b.fromMs, b.count])).toEqual([
      [0, 0],
      [500, 0],
      [1000, 1],
      [2000, 3],
      [5000, 5],
      [10_000, 11],
    ]);
    expect(report.slowest.map((s) => s.leadTimeMs)).toEqual(
      [20, 19, 18, 17, 16, 15, 14, 13, 12, 11].map((s) => s * 1000),
    );
    expect(report.slowest[0]).toMatchObject({ traceId: uuid(19), startedAt: new Date(T0 + 19 * 60_000) });
    expect(report.neverArrivedCount).toBe(3);
    expect(report.neverArrived.map((m) => m.traceId)).toEqual([uuid(100), uuid(101), uuid(102)]);
    expect(report.inFlight).toBe(1);

    const message = leadTimeMessage(report);
    const buttons = message.blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => b.action_id)).toEqual(Array(10).fill('trace_run'));
    expect(buttons[0]?.value).toBe(uuid(19));
    expect(message.text).toContain('20 traces, p50 10.0 s, p90 18.0 s, 3 never arrived');
    expect(JSON.stringify(message.blocks)).toContain('the 10 slowest of 20');
  });

  it('says so when nothing happened', () => {
    const report = summarizeLeadTime(
      { summary: [{ traces: '0' }], neverArrivedSummary: [], slowest: [], oldestNeverArrived: [] },
      {
        window: { start: new Date(0), end: new Date(3_600_000), label: '1h' },
        scan: { recordsScanned: 0, bytesScanned: 0, durationMs: 10 },
      },
    );
    expect(report.p50Ms).toBeUndefined();
    expect(JSON.stringify(leadTimeMessage(report).blocks)).toContain('No session was created');
  });

  it('stays within Slack limits with 400,000 traces and 1,000 lost, and says the lists are cut', () => {
    const report = summarizeLeadTime(
      {
        summary: [
          {
            traces: '400000',
            p50: '1200',
            p90: '4000',
            p99: '90000',
            maxMs: '600000',
            atLeast500: '390000',
            atLeast1000: '300000',
            atLeast2000: '100000',
            atLeast5000: '20000',
            atLeast10000: '9000',
            atLeast30000: '5000',
            atLeast60000: '4000',
            atLeast300000: '10',
          },
        ],
        neverArrivedSummary: [{ neverArrived: '1000', inFlight: '3' }],
        slowest: Array.from({ length: 10 }, (_, i) => ({
          traceId: uuid(i),
          startedAt: String(T0 + i),
          leadTimeMs: String(600_000 - i),
        })),
        oldestNeverArrived: Array.from({ length: 10 }, (_, i) => ({
          traceId: uuid(i + 50),
          startedAt: String(T0),
        })),
      },
      {
        window: { start: new Date(0), end: new Date(1), label: '30d' },
        scan: { recordsScanned: 1e9, bytesScanned: 5e11, durationMs: 61_000 },
      },
    );
    expect(report.histogram.map((b) => b.count)).toEqual([
      10_000, 90_000, 200_000, 80_000, 11_000, 4000, 1000, 3990, 10,
    ]);
    const message = leadTimeMessage(report);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(11_000);
    expect(JSON.stringify(message.blocks)).toContain('and 990 more');
    expect(JSON.stringify(message.blocks)).toContain('the 10 slowest of 400000');
  });
});
