import { LEAD_TIME_FROM, LEAD_TIME_TO } from '../../conference-app/contract';
import { parseInsightsTime } from '../query/rows';
import type { ScanSummary } from '../slack/block-kit';

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

/** What /leadtime found over a window. */
export interface LeadTimeReport {
  readonly window: { readonly start: Date; readonly end: Date; readonly label: string };
  readonly count: number;
  readonly p50Ms: number | undefined;
  readonly p90Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly histogram: readonly HistogramBucket[];
  readonly slowest: readonly TraceLeadTime[];
  /** Traces that started in the window but never logged the end milestone (oldest first). */
  readonly neverArrived: readonly { readonly traceId: string; readonly startedAt: Date }[];
  /** Of those, the ones started so recently they may still be in flight. */
  readonly inFlight: number;
  /** The query hit its row cap: figures cover only part of the window. */
  readonly truncated: boolean;
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

// Bucket edges people read easily; the last bucket is open-ended.
const EDGES_MS = [0, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000];

/** Counts lead times into fixed, human-friendly buckets (the last one open-ended); empty buckets at the tail are dropped. */
export function histogram(values: readonly number[]): HistogramBucket[] {
  const buckets = EDGES_MS.map((fromMs, i) => ({
    fromMs,
    toMs: EDGES_MS[i + 1] ?? Number.POSITIVE_INFINITY,
    count: 0,
  }));
  for (const v of values) {
    const bucket = buckets.findLast((b) => v >= b.fromMs);
    if (bucket) bucket.count += 1;
  }
  let last = buckets.length;
  while (last > 1 && buckets[last - 1]?.count === 0) last--;
  return buckets.slice(0, last);
}

/** Reads the query's rows (one per trace and milestone) and summarises the lead times. */
export function summarizeLeadTime(
  rows: readonly Record<string, string>[],
  context: {
    readonly window: LeadTimeReport['window'];
    readonly now: Date;
    readonly rowLimit: number;
    readonly scan: ScanSummary;
  },
): LeadTimeReport {
  const traces = new Map<string, { start?: Date; end?: Date }>();
  for (const row of rows) {
    const at = parseInsightsTime(row.firstAt);
    if (!row.traceId || !at) continue;
    const t = traces.get(row.traceId) ?? {};
    if (row.milestone === LEAD_TIME_FROM) t.start = at;
    if (row.milestone === LEAD_TIME_TO) t.end = at;
    traces.set(row.traceId, t);
  }
  const done: TraceLeadTime[] = [];
  const missing: { traceId: string; startedAt: Date }[] = [];
  for (const [traceId, t] of traces) {
    // A trace that ended in the window but started before it has no start here: not ours to judge.
    if (!t.start) continue;
    if (t.end)
      done.push({
        traceId,
        startedAt: t.start,
        leadTimeMs: Math.max(0, t.end.getTime() - t.start.getTime()),
      });
    else missing.push({ traceId, startedAt: t.start });
  }
  const sorted = done.map((d) => d.leadTimeMs).sort((a, b) => a - b);
  missing.sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
  return {
    window: context.window,
    count: done.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1),
    histogram: histogram(sorted),
    slowest: [...done].sort((a, b) => b.leadTimeMs - a.leadTimeMs).slice(0, 10),
    neverArrived: missing,
    inFlight: missing.filter((m) => context.now.getTime() - m.startedAt.getTime() < IN_FLIGHT_MS).length,
    truncated: rows.length >= context.rowLimit,
    scan: context.scan,
  };
}
