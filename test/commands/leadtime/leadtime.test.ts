import { describe, expect, it } from 'vitest';
import { investigationConfig } from '../../../src/commands/config';
import { investigateLeadTime } from '../../../src/commands/leadtime/leadtime';
import { buildLeadTimeQuery } from '../../../src/commands/leadtime/leadtime-query';
import { histogram, percentile, summarizeLeadTime } from '../../../src/commands/leadtime/leadtime-report';
import { bar, formatHistogram, leadTimeMessage } from '../../../src/commands/leadtime/leadtime-view';
import { blockTextLength } from '../../../src/commands/slack/validate-message';
import { FakeLogSearch, fixedClock } from '../../fixtures/commands/fake-log-search';

const FROM = 'CREATE_REQUEST_RECEIVED';
const TO = 'SLACK_NOTIFICATION_NEW_SESSION_SENT';
const at = (ms: number) =>
  new Date(Date.parse('2026-11-24T11:00:00Z') + ms).toISOString().replace('T', ' ').replace('Z', '');
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

describe('/leadtime', () => {
  it('uses one query grouping first sightings by trace and milestone', () => {
    expect(buildLeadTimeQuery()).toBe(
      [
        'fields @timestamp, traceId, milestone',
        `| filter milestone in ["${FROM}", "${TO}"] and ispresent(traceId)`,
        '| stats min(@timestamp) as firstAt, count(*) as n by traceId, milestone',
        '| limit 10000',
      ].join('\n'),
    );
  });

  it('summarises lead times, slowest traces and those that never arrived', async () => {
    // Arrange: 20 finished traces (1..20 s), 2 lost long ago, 1 just started, 1 finishing a trace begun before the window.
    const rows = Array.from({ length: 20 }, (_, i) => [
      { traceId: uuid(i), milestone: FROM, firstAt: at(i * 60_000) },
      { traceId: uuid(i), milestone: TO, firstAt: at(i * 60_000 + (i + 1) * 1000) },
    ]).flat();
    rows.push(
      { traceId: uuid(100), milestone: FROM, firstAt: at(0) },
      { traceId: uuid(101), milestone: FROM, firstAt: at(1000) },
    );
    rows.push({ traceId: uuid(102), milestone: FROM, firstAt: at(3_540_000) });
    rows.push({ traceId: uuid(103), milestone: TO, firstAt: at(5000) });
    const logs = new FakeLogSearch([{ when: /milestone in/, rows }]);
    const clock = fixedClock('2026-11-24T12:00:00Z');

    // Act
    const report = await investigateLeadTime({}, { logs, clock }, investigationConfig());

    // Assert
    expect(logs.requests[0]).toMatchObject({ startTime: new Date('2026-11-24T11:00:00Z'), limit: 10_000 });
    expect(report.window.label).toBe('1h');
    expect(report.count).toBe(20);
    expect([report.p50Ms, report.p90Ms, report.p99Ms, report.maxMs]).toEqual([
      10_000, 18_000, 20_000, 20_000,
    ]);
    expect(report.slowest.map((s) => s.leadTimeMs)).toEqual(
      [20, 19, 18, 17, 16, 15, 14, 13, 12, 11].map((s) => s * 1000),
    );
    expect(report.neverArrived.map((m) => m.traceId)).toEqual([uuid(100), uuid(101), uuid(102)]);
    expect(report.inFlight).toBe(1);
    expect(report.truncated).toBe(false);

    const message = leadTimeMessage(report);
    const buttons = message.blocks.flatMap((b) => (b.type === 'section' && b.accessory ? [b.accessory] : []));
    expect(buttons.map((b) => b.action_id)).toEqual(Array(10).fill('trace_run'));
    expect(buttons[0]?.value).toBe(uuid(19));
    expect(message.text).toContain('20 traces, p50 10.0 s, p90 18.0 s, 3 never arrived');
  });

  it('says so when nothing happened', () => {
    const report = summarizeLeadTime([], {
      window: { start: new Date(0), end: new Date(3_600_000), label: '1h' },
      now: new Date(3_600_000),
      rowLimit: 10_000,
      scan: { recordsScanned: 0, bytesScanned: 0, durationMs: 10 },
    });
    expect(report.p50Ms).toBeUndefined();
    expect(JSON.stringify(leadTimeMessage(report).blocks)).toContain('No session was created');
  });

  it('stays within Slack limits with 5,000 traces and 1,000 lost, and flags a truncated result', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => [
      { traceId: uuid(i), milestone: FROM, firstAt: at(i) },
      ...(i < 4000 ? [{ traceId: uuid(i), milestone: TO, firstAt: at(i + ((i * 7919) % 400_000)) }] : []),
    ]).flat();
    const report = summarizeLeadTime(rows, {
      window: { start: new Date(0), end: new Date(1), label: '30d' },
      now: new Date('2026-12-01T00:00:00Z'),
      rowLimit: 9000,
      scan: { recordsScanned: 1e9, bytesScanned: 5e11, durationMs: 61_000 },
    });
    const message = leadTimeMessage(report);
    expect(report.truncated).toBe(true);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(11_000);
    expect(JSON.stringify(message.blocks)).toContain('and 990 more');
  });
});
