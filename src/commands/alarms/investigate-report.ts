import { TraceId, XRayTraceId } from '../query/quote';
import { formatRuntimeFinding, invocationFailures, type RuntimeFindings } from '../runtime/runtime-findings';
import { truncate } from '../slack/block-kit';

/** One trace that logged errors in the window. */
export interface AffectedTrace {
  /** Our correlation id (the service's `traceId`, a UUID), or an X-Ray id when that is all we have. */
  readonly traceId: string;
  /** The X-Ray trace id logged beside it, when the service had one. */
  readonly xrayTraceId?: string;
  readonly count: number;
  readonly functions: string[];
  /** Exception names (or `ERROR` for plain error lines), most frequent first. */
  readonly exceptions: string[];
  readonly lastMessage?: string;
  readonly lastAt?: string;
}

/** Exact figures over every error line in the window (INVESTIGATE_TOTALS_QUERY). */
export interface InvestigationTotals {
  readonly errorLines: number;
  readonly traces: number;
  readonly untracedLines: number;
}

/** What the Investigate query found. */
export interface InvestigationSummary {
  /** Error lines read (at most the query's row limit), and those of them without a trace id. */
  readonly total: number;
  readonly withoutTrace: number;
  readonly traces: AffectedTrace[];
  /** The exact figures, when the totals query answered; the lines above may be only the newest. */
  readonly totals?: InvestigationTotals;
}

/** The totals query's one row as numbers; undefined when it returned nothing usable. */
export function readInvestigationTotals(
  rows: readonly Readonly<Record<string, string>>[],
): InvestigationTotals | undefined {
  const row = rows[0];
  if (!row) return { errorLines: 0, traces: 0, untracedLines: 0 };
  const num = (v: string | undefined) => (v === undefined || v === '' ? 0 : Number(v));
  const groups = num(row.groups);
  const errorLines = num(row.errorLines);
  const untracedLines = num(row.untracedLines);
  const untracedGroups = num(row.untracedGroups);
  if (![groups, errorLines, untracedLines, untracedGroups].every(Number.isFinite)) return undefined;
  return { errorLines, traces: groups - untracedGroups, untracedLines };
}

/** The trace id of a row when it is one we can pass to /trace (a UUID or an X-Ray id), lower case. */
function usableTraceId(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const uuid = TraceId.safeParse(value.trim());
  if (uuid.success) return uuid.data;
  const xray = XRayTraceId.safeParse(value.trim());
  return xray.success ? xray.data : undefined;
}

/** Groups the Investigate rows (field → value, as LogSearch returns them) by trace, most affected first. */
export function summarizeInvestigation(
  rows: readonly Readonly<Record<string, string>>[],
): InvestigationSummary {
  const byTrace = new Map<
    string,
    {
      count: number;
      functions: Set<string>;
      exceptions: Map<string, number>;
      xray?: string;
      lastAt?: string;
      lastMessage?: string;
    }
  >();
  let withoutTrace = 0;
  for (const row of rows) {
    const xray = usableTraceId(row.xrayTraceId);
    const traceId = usableTraceId(row.traceId) ?? xray;
    if (!traceId) {
      withoutTrace += 1;
      continue;
    }
    let entry = byTrace.get(traceId);
    if (!entry) {
      entry = { count: 0, functions: new Set(), exceptions: new Map() };
      byTrace.set(traceId, entry);
    }
    entry.count += 1;
    if (xray && xray !== traceId) entry.xray = xray;
    if (row.functionName) entry.functions.add(row.functionName);
    const exception = row['exception.name'] ?? (row.level === 'ERROR' ? 'ERROR' : undefined);
    if (exception) entry.exceptions.set(exception, (entry.exceptions.get(exception) ?? 0) + 1);
    const at = row['@timestamp'];
    // Rows come newest first (sort @timestamp desc), but do not rely on it.
    if (at && (!entry.lastAt || at > entry.lastAt)) {
      entry.lastAt = at;
      const message = row['exception.message'] ?? row.message;
      if (message) entry.lastMessage = message;
      else delete entry.lastMessage;
    }
  }
  const traces = [...byTrace.entries()]
    .map(([traceId, e]) => ({
      traceId,
      ...(e.xray ? { xrayTraceId: e.xray } : {}),
      count: e.count,
      functions: [...e.functions].sort(),
      exceptions: [...e.exceptions.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .map(([name]) => name),
      ...(e.lastAt ? { lastAt: e.lastAt } : {}),
      ...(e.lastMessage ? { lastMessage: e.lastMessage } : {}),
    }))
    .sort((a, b) => b.count - a.count || (b.lastAt ?? '').localeCompare(a.lastAt ?? ''));
  return { total: rows.length, withoutTrace, traces };
}

/**
 * The first error lines of an Investigate result, one short line each, for the alarm message; what
 * the Lambda runtime logged (timeouts, crashes, out-of-memory kills) comes first.
 */
export function firstErrorLines(
  rows: readonly Readonly<Record<string, string>>[],
  max = 5,
  runtime?: RuntimeFindings,
): string[] {
  const failures = runtime ? invocationFailures(runtime.findings) : [];
  const runtimeLines = failures.map((f) => truncate(formatRuntimeFinding(f), 300));
  const codeLines = rows.map((row) => {
    const at = row['@timestamp']?.slice(11, 19) ?? '';
    const what = row['exception.name']
      ? `${row['exception.name']}: ${row['exception.message'] ?? ''}`
      : (row.message ?? row.level ?? 'ERROR');
    return truncate([at, row.functionName, what.trim()].filter(Boolean).join(' '), 300);
  });
  return [...runtimeLines, ...codeLines].slice(0, max);
}
