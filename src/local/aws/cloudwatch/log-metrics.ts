import { FunctionNames, LEAD_TIME_FROM, LEAD_TIME_TO, logGroupOf } from '../../../conference-app/contract';
import type { LogStore } from '../../logs/log-store';

/** A metric as CloudWatch names it. */
export interface MetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly name: string; readonly value: string }[];
}

/** One raw observation of a metric (epoch ms). */
export interface MetricSample {
  readonly timestamp: number;
  readonly value: number;
}

/** Where metric samples come from; undefined for a metric the source does not know. */
export interface MetricSource {
  samples(metric: MetricId, startMs: number, endMs: number): MetricSample[] | undefined;
}

/** The custom namespace and metric of the service's lead time (create request → Slack notification). */
export const LEAD_TIME_METRIC = {
  namespace: 'ConferenceSessions',
  metricName: 'NotificationLeadTime',
  unit: 'Milliseconds',
} as const;

/** How far back an invocation's ERROR line may precede its REPORT line. */
const ERROR_LOOKBACK_MS = 15 * 60 * 1000;
/** How far back a lead time's start may precede its end. */
const LEAD_TIME_LOOKBACK_MS = 60 * 60 * 1000;

const REPORT = /^REPORT RequestId: (\S+)\tDuration: ([\d.]+) ms/;
const TAB_LINE = /^\S+\t(\S+)\tERROR\t/;
const TIMED_OUT = /^\S+ (\S+) Task timed out after/;

/** The request id of an invocation that failed, if this line says it failed. */
function failedRequestId(message: string): string | undefined {
  const tab = TAB_LINE.exec(message);
  if (tab) return tab[1];
  const timeout = TIMED_OUT.exec(message);
  if (timeout) return timeout[1];
  if (message.startsWith('{') && message.includes('"ERROR"')) {
    try {
      const line = JSON.parse(message) as { level?: unknown; AWSRequestId?: unknown };
      if (line.level === 'ERROR' && typeof line.AWSRequestId === 'string') return line.AWSRequestId;
    } catch {
      // Not JSON after all: not an error line.
    }
  }
  return undefined;
}

/**
 * Metrics derived from the captured logs the way the local stack can: AWS/Lambda `Invocations`,
 * `Duration` and `Errors` per FunctionName from the REPORT lines (an invocation counts as an error
 * when it logged `Invoke Error`, an ERROR line or a timeout), and the service's lead time.
 */
export class LogDerivedMetrics implements MetricSource {
  constructor(private readonly logs: LogStore) {}

  samples(metric: MetricId, startMs: number, endMs: number): MetricSample[] | undefined {
    if (metric.namespace === 'AWS/Lambda') {
      const fn = metric.dimensions.find((d) => d.name === 'FunctionName')?.value;
      if (!fn || !['Invocations', 'Duration', 'Errors'].includes(metric.metricName)) return undefined;
      return this.lambdaSamples(fn, metric.metricName, startMs, endMs);
    }
    if (metric.namespace === LEAD_TIME_METRIC.namespace && metric.metricName === LEAD_TIME_METRIC.metricName)
      return this.leadTimes(startMs, endMs);
    return undefined;
  }

  private lambdaSamples(fn: string, name: string, startMs: number, endMs: number): MetricSample[] {
    const group = logGroupOf(fn);
    if (!this.logs.hasGroup(group)) return [];
    const failed = new Set<string>();
    const out: MetricSample[] = [];
    const reports: { timestamp: number; requestId: string; durationMs: number }[] = [];
    for (const event of this.logs.scan([group], startMs - ERROR_LOOKBACK_MS, endMs)) {
      const report = REPORT.exec(event.message);
      if (report) {
        if (event.timestamp >= startMs)
          reports.push({
            timestamp: event.timestamp,
            requestId: report[1] ?? '',
            durationMs: Number(report[2]),
          });
        continue;
      }
      const id = failedRequestId(event.message);
      if (id) failed.add(id);
    }
    for (const r of reports) {
      const value =
        name === 'Invocations' ? 1 : name === 'Duration' ? r.durationMs : failed.has(r.requestId) ? 1 : 0;
      out.push({ timestamp: r.timestamp, value });
    }
    return out;
  }

  private leadTimes(startMs: number, endMs: number): MetricSample[] {
    const starts = new Map<string, number>();
    const ends: { traceId: string; timestamp: number }[] = [];
    const groups = [
      logGroupOf(FunctionNames.createSession),
      logGroupOf(FunctionNames.notifyNewSession),
    ].filter((g) => this.logs.hasGroup(g));
    for (const event of this.logs.scan(groups, startMs - LEAD_TIME_LOOKBACK_MS, endMs)) {
      if (!event.message.includes('"milestone"')) continue;
      let line: { milestone?: unknown; traceId?: unknown; timestamp?: unknown };
      try {
        line = JSON.parse(event.message) as typeof line;
      } catch {
        continue;
      }
      if (typeof line.traceId !== 'string') continue;
      const at = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : event.timestamp;
      if (line.milestone === LEAD_TIME_FROM && !starts.has(line.traceId)) starts.set(line.traceId, at);
      if (line.milestone === LEAD_TIME_TO && event.timestamp >= startMs)
        ends.push({ traceId: line.traceId, timestamp: at });
    }
    const out: MetricSample[] = [];
    for (const end of ends) {
      const start = starts.get(end.traceId);
      if (start !== undefined) out.push({ timestamp: end.timestamp, value: end.timestamp - start });
    }
    return out;
  }
}

/** One statistic over samples: Sum, Average, Minimum, Maximum, SampleCount or a percentile `pNN`. */
export function statistic(values: readonly number[], stat: string): number | undefined {
  if (values.length === 0) return undefined;
  switch (stat) {
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'Average':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'Minimum':
      return Math.min(...values);
    case 'Maximum':
      return Math.max(...values);
    case 'SampleCount':
      return values.length;
  }
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (!percentile) return undefined;
  // Nearest rank, as CloudWatch's percentiles on raw samples are.
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((Number(percentile[1]) / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** True for the statistics {@link statistic} computes. */
export function isSupportedStat(stat: string): boolean {
  return statistic([1], stat) !== undefined;
}

/** Datapoints per period (aligned to the period), oldest first; periods without samples are left out. */
export function aggregate(
  samples: readonly MetricSample[],
  startMs: number,
  endMs: number,
  periodSeconds: number,
  stat: string,
): { timestamp: number; value: number }[] {
  const periodMs = periodSeconds * 1000;
  const buckets = new Map<number, number[]>();
  for (const s of samples) {
    if (s.timestamp < startMs || s.timestamp >= endMs) continue;
    const bucket = Math.floor(s.timestamp / periodMs) * periodMs;
    const values = buckets.get(bucket);
    if (values) values.push(s.value);
    else buckets.set(bucket, [s.value]);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([timestamp, values]) => ({ timestamp, value: statistic(values, stat) ?? 0 }));
}
