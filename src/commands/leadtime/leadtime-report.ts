import { parseInsightsTime, parseNumber } from '../query/rows';
import type { ScanSummary } from '../slack/block-kit';
import { LEAD_TIME_EDGES_MS } from './leadtime-query';

/** One trace's lead time. */
export interface TraceLeadTime {
  readonly traceId: string;
  readonly startedAt: Date;
  readonly leadTimeMs: number;
}

/** One histogram bucket: `[fromMs, toMs)` and how many traces fell in it. */
export interface HistogramBucket {
  readonly fromMs: number;
  readonly toMs: number;
  readonly count: number;
}

/** What /leadtime found over a window. Every figure is exact; only the lists are cut. */
export interface LeadTimeReport {
  readonly window: { readonly start: Date; readonly end: Date; readonly label: string };
  /** The milestones measured between, and their flow. */
  readonly pair?: { readonly flow?: string; readonly from: string; readonly to: string };
  readonly count: number;
  readonly p50Ms: number | undefined;
  readonly p90Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly histogram: readonly HistogramBucket[];
  /** The slowest traces (at most LEAD_TIME_LIST_LIMIT of `count`). */
  readonly slowest: readonly TraceLeadTime[];
  /** How many traces started in the window but never logged the end milestone. */
  readonly neverArrivedCount: number;
  /** The oldest of those (at most LEAD_TIME_LIST_LIMIT). */
  readonly neverArrived: readonly { readonly traceId: string; readonly startedAt: Date }[];
  /** Of those, the ones started so recently they may still be in flight. */
  readonly inFlight: number;
  readonly scan: ScanSummary;
}

/** Traces younger than this without an end milestone are counted as in flight, not lost. */
export const IN_FLIGHT_MS = 5 * 60_000;

/**
 * Nearest-rank percentile: the smallest value with at least p % of the values at or below it
 * (no interpolation, so every answer is a lead time that really happened). Undefined when empty.
 */
export function percentile(sortedAsc: readonly number[], p: number): number | undefined {
  if (sortedAsc.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sortedAsc.length));
  return sortedAsc[Math.min(rank, sortedAsc.length) - 1];
}

/** Counts lead times into the fixed, human-friendly buckets (the last one open-ended); empty tail buckets dropped. */
export function histogram(values: readonly number[]): HistogramBucket[] {
  const atLeast = LEAD_TIME_EDGES_MS.map((edge) => values.filter((v) => v >= edge).length);
  return histogramFromCounts(values.length, atLeast.slice(1));
}

/**
 * The histogram from how many traces took at least each edge (what Logs Insights counts): bucket i
 * holds atLeast(edge i) − atLeast(edge i+1).
 */
export function histogramFromCounts(total: number, atLeastAfterZero: readonly number[]): HistogramBucket[] {
  const atLeast = [total, ...atLeastAfterZero];
  const buckets = LEAD_TIME_EDGES_MS.map((fromMs, i) => ({
    fromMs,
    toMs: LEAD_TIME_EDGES_MS[i + 1] ?? Number.POSITIVE_INFINITY,
    count: (atLeast[i] ?? 0) - (atLeast[i + 1] ?? 0),
  }));
  let last = buckets.length;
  while (last > 1 && buckets[last - 1]?.count === 0) last--;
  return buckets.slice(0, last);
}

/** The rows of the four lead-time queries. */
export interface LeadTimeRows {
  readonly summary: readonly Record<string, string>[];
  readonly neverArrivedSummary: readonly Record<string, string>[];
  readonly slowest: readonly Record<string, string>[];
  readonly oldestNeverArrived: readonly Record<string, string>[];
}

const epoch = (v: string | undefined) => {
  const n = parseNumber(v);
  return n === undefined ? parseInsightsTime(v) : new Date(n);
};

/** Reads the lead-time queries' rows: the figures from Logs Insights' own aggregates, the lists as rows. */
export function summarizeLeadTime(
  rows: LeadTimeRows,
  context: {
    readonly window: LeadTimeReport['window'];
    readonly scan: ScanSummary;
    readonly pair?: LeadTimeReport['pair'];
  },
): LeadTimeReport {
  const s = rows.summary[0] ?? {};
  const count = parseNumber(s.traces) ?? 0;
  const n = rows.neverArrivedSummary[0] ?? {};
  const atLeast = LEAD_TIME_EDGES_MS.slice(1).map((e) => parseNumber(s[`atLeast${e}`]) ?? 0);
  const slowest: TraceLeadTime[] = [];
  for (const row of rows.slowest) {
    const startedAt = epoch(row.startedAt);
    const leadTimeMs = parseNumber(row.leadTimeMs);
    if (row.traceId && startedAt && leadTimeMs !== undefined)
      slowest.push({ traceId: row.traceId, startedAt, leadTimeMs });
  }
  const neverArrived: { traceId: string; startedAt: Date }[] = [];
  for (const row of rows.oldestNeverArrived) {
    const startedAt = epoch(row.startedAt);
    if (row.traceId && startedAt) neverArrived.push({ traceId: row.traceId, startedAt });
  }
  return {
    window: context.window,
    ...(context.pair ? { pair: context.pair } : {}),
    count,
    p50Ms: count > 0 ? parseNumber(s.p50) : undefined,
    p90Ms: count > 0 ? parseNumber(s.p90) : undefined,
    p99Ms: count > 0 ? parseNumber(s.p99) : undefined,
    maxMs: count > 0 ? parseNumber(s.maxMs) : undefined,
    histogram: count > 0 ? histogramFromCounts(count, atLeast) : [],
    slowest,
    neverArrivedCount: parseNumber(n.neverArrived) ?? 0,
    neverArrived,
    inFlight: parseNumber(n.inFlight) ?? 0,
    scan: context.scan,
  };
}
