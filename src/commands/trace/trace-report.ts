import type { FlowMilestone } from '../flows/flow-set';
import { functionOfRow, type LogFields } from '../flows/log-fields';
import { parseInsightsTime, parseNumber } from '../query/rows';
import type { RuntimeFinding } from '../runtime/runtime-findings';
import type { ScanSummary } from '../slack/block-kit';

/** One trace that mentions the looked-up id. */
export interface TraceSighting {
  readonly traceId: string;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
  readonly lines: number;
}

/** One milestone on the timeline (retries collapse into one row with `occurrences` > 1). */
export interface TimelineEntry {
  readonly milestone: string;
  readonly functionName: string;
  readonly at: Date;
  /** Time since the previous row; null for the first. */
  readonly deltaMs: number | null;
  readonly occurrences: number;
}

/** An expected milestone nobody logged, and the function that should have. */
export interface MissingMilestone {
  readonly milestone: string;
  readonly functionName: string;
  readonly after: string | null;
}

/** The first exception of a trace, trimmed for Slack. */
export interface TraceException {
  readonly name: string;
  readonly message: string;
  readonly stackTop: readonly string[];
  readonly functionName: string;
  readonly at: Date | undefined;
  readonly logStream: string | undefined;
}

/** Without a config, what learning the trace's flow gave: a flow (from how many traces), none yet, or a failure. */
export type TraceLearningNote =
  | { readonly outcome: 'flow'; readonly traces: number; readonly windowLabel: string }
  | { readonly outcome: 'none'; readonly windowLabel: string; readonly inFlightMs: number }
  | { readonly outcome: 'failed'; readonly reason: string };

/** Everything /trace found out about one id. */
export type TraceReport =
  | {
      readonly kind: 'not_found';
      readonly id: string;
      readonly lookbackMs: number;
      readonly scan: ScanSummary;
    }
  | {
      readonly kind: 'found';
      readonly id: string;
      readonly traceId: string;
      /** The flow the trace belongs to: configured (by the fields that matched) or, without a config, learned. */
      readonly flow?: string;
      /** The field the id was found in (`orderId`, `correlation_id`, …). */
      readonly matchedBy?: string;
      /** The flow (or, without a config, the preset) "Show logs" must name: only when its fields differ from the default. */
      readonly logsFlow?: string;
      /** Without a config: what learning the flow gave (from how many traces, none yet, or a failure). */
      readonly learned?: TraceLearningNote;
      /** Other traces of the same id (e.g. a retried create), newest first. */
      readonly otherTraces: readonly TraceSighting[];
      /** The lookup returned its row limit: older traces for this id may exist beyond those listed. */
      readonly otherTracesCapped: boolean;
      readonly timeline: readonly TimelineEntry[];
      /** Expected milestones that are missing; the first is the one to look at. */
      readonly missing: readonly MissingMilestone[];
      /** Later milestones were logged although an earlier one is missing: the logs look incomplete. */
      readonly logsLookIncomplete: boolean;
      readonly exception: TraceException | undefined;
      readonly exceptionCount: number;
      /** What the Lambda runtime logged for the trace's own requests (timeouts, crashes, out of memory). */
      readonly runtimeFailures: readonly RuntimeFinding[];
      /** The runtime failure that explains the first missing milestone, when there is one. */
      readonly missingReason: RuntimeFinding | undefined;
      /** The runtime-error or request-id query hit its row cap: a failure may be missing. */
      readonly runtimeCapped: boolean;
      /** The trace's X-Ray traces (an SQS or stream hop starts a new one), with the functions that logged each. */
      readonly xrayTraces: readonly XRayTraceRef[];
      readonly window: { readonly start: Date; readonly end: Date };
      readonly region: string;
      readonly scan: ScanSummary;
    };

/** How many stack lines a report keeps. */
export const STACK_LINES = 5;

/** Reads the lookup query's rows into sightings, newest first; rows without a usable time are dropped. */
export function readSightings(rows: readonly Record<string, string>[]): TraceSighting[] {
  const sightings: TraceSighting[] = [];
  for (const row of rows) {
    const traceId = row.traceId;
    const firstSeen = parseInsightsTime(row.firstSeen);
    const lastSeen = parseInsightsTime(row.lastSeen) ?? firstSeen;
    if (!traceId || !firstSeen || !lastSeen) continue;
    sightings.push({ traceId, firstSeen, lastSeen, lines: parseNumber(row.lines) ?? 0 });
  }
  return sightings.sort((a, b) => b.lastSeen.getTime() - a.lastSeen.getTime());
}

/**
 * A row with a flow's field names read into the names this module reads (`traceId`, `milestone`,
 * `functionName`, `exception.name` …): identical for this repo's logger.
 */
export function normalizeRow(
  row: Readonly<Record<string, string>>,
  fields: LogFields,
): Record<string, string> {
  const out: Record<string, string> = { ...row };
  const copy = (to: string, from: string | undefined) => {
    const value = from === undefined ? undefined : row[from];
    if (value !== undefined && value !== '') out[to] = value;
  };
  copy('traceId', fields.correlation);
  copy('milestone', fields.milestone);
  copy('timestamp', fields.timestamp);
  copy('xrayTraceId', fields.xrayTraceId);
  copy('AWSRequestId', fields.requestId);
  copy('level', fields.level);
  copy('message', fields.message);
  copy('exception.name', fields.exceptionName);
  copy('exception.message', fields.exceptionMessage);
  copy('exception.stack', fields.exceptionStack);
  const fn = functionOfRow(row, fields);
  if (fn) out.functionName = fn;
  return out;
}

/**
 * Builds the timeline from milestone rows: one row per milestone at its first sighting (retries
 * counted, not repeated), in time order, each with the delta from the previous row. A row without
 * its function takes the one the flow expects.
 */
export function buildTimeline(
  rows: readonly Record<string, string>[],
  milestones: readonly FlowMilestone[] = [],
): TimelineEntry[] {
  const byName = new Map(milestones.map((m) => [m.name, m]));
  const first = new Map<string, { functionName: string; at: Date; occurrences: number }>();
  for (const row of rows) {
    const milestone = row.milestone;
    // The service's own ISO `timestamp` has the precise time; @timestamp is the fallback.
    const at = parseInsightsTime(row.timestamp) ?? parseInsightsTime(row['@timestamp']);
    if (!milestone || !at) continue;
    const seen = first.get(milestone);
    if (seen) {
      seen.occurrences += 1;
      if (at < seen.at) seen.at = at;
      continue;
    }
    const known = byName.get(milestone);
    const functionName = row.functionName || known?.functionName || known?.logGroup || 'unknown';
    first.set(milestone, { functionName, at, occurrences: 1 });
  }
  const ordered = [...first.entries()].sort(([, a], [, b]) => a.at.getTime() - b.at.getTime());
  return ordered.map(([milestone, e], i) => {
    const prev = i > 0 ? ordered[i - 1] : undefined;
    return {
      milestone,
      functionName: e.functionName,
      at: e.at,
      deltaMs: prev ? e.at.getTime() - prev[1].at.getTime() : null,
      occurrences: e.occurrences,
    };
  });
}

/**
 * The expected milestones that are missing, in the flow's order. A milestone is expected once one
 * it follows (`after`) was logged; a missing root is always expected; an optional one never is.
 * Milestones under a missing one are not listed: the first missing explains them.
 */
export function findMissingMilestones(
  seen: ReadonlySet<string>,
  milestones: readonly FlowMilestone[],
): {
  missing: MissingMilestone[];
  logsLookIncomplete: boolean;
} {
  const missing: MissingMilestone[] = [];
  let logsLookIncomplete = false;
  for (const m of milestones) {
    const expected = m.after.length === 0 || m.after.some((a) => seen.has(a));
    if (expected && !m.optional && !seen.has(m.name))
      missing.push({
        milestone: m.name,
        functionName: m.functionName ?? m.logGroup ?? 'unknown',
        after: m.after[0] ?? null,
      });
    if (!expected && seen.has(m.name)) logsLookIncomplete = true;
  }
  return { missing, logsLookIncomplete };
}

/** Reads the first exception row (name, message, top stack lines). */
export function readException(rows: readonly Record<string, string>[]): TraceException | undefined {
  const row = rows.find((r) => r['exception.name']);
  if (!row) return undefined;
  const stack = (row['exception.stack'] ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  // V8 stacks start with "Name: message"; the frames are what help.
  const frames = stack[0]?.startsWith(row['exception.name'] ?? '') ? stack.slice(1) : stack;
  return {
    name: row['exception.name'] ?? 'Error',
    message: row['exception.message'] ?? '',
    stackTop: frames.slice(0, STACK_LINES),
    functionName: row.functionName ?? 'unknown',
    at: parseInsightsTime(row['@timestamp']),
    logStream: row['@logStream'],
  };
}

/** One X-Ray trace a /trace answer links to, and the functions whose lines carry it. */
export interface XRayTraceRef {
  readonly id: string;
  readonly functions: readonly string[];
}

/** The distinct X-Ray trace ids in any rows, in first-seen order, each with the functions that logged it. */
export function collectXRayTraces(
  ...rowSets: readonly (readonly Record<string, string>[])[]
): XRayTraceRef[] {
  const byId = new Map<string, Set<string>>();
  for (const rows of rowSets)
    for (const row of rows) {
      if (!row.xrayTraceId) continue;
      const functions = byId.get(row.xrayTraceId) ?? new Set<string>();
      if (row.functionName) functions.add(row.functionName);
      byId.set(row.xrayTraceId, functions);
    }
  return [...byId.entries()].map(([id, functions]) => ({ id, functions: [...functions] }));
}
