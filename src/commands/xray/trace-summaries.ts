import * as z from 'zod';
import { InvalidInputError } from '../errors';
import { XRayTraceId } from '../query/quote';
import type { TimeWindow } from '../time-window';

/**
 * Service names we accept in a filter expression: letters, digits and `._:/@-`, no quotes or
 * backslashes, so a name can never close the string it sits in.
 */
export const SERVICE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;

/** What to look for in the traces of an alarm window. */
export interface TraceFilterOptions {
  /** The X-Ray service names (for Lambda, the function name). */
  readonly services: readonly string[];
  /** Also match slow traces: response time above this many seconds. */
  readonly slowerThanSeconds?: number;
  /** Match 4xx errors as well as faults (default true). */
  readonly includeErrors?: boolean;
}

/** A quoted X-Ray filter string; the pattern check above already excludes `"` and `\`. */
function quoteService(name: string): string {
  if (!SERVICE_NAME_PATTERN.test(name)) {
    throw new InvalidInputError(
      `unsafe service name for a filter expression: ${JSON.stringify(name)}`,
      'That service name contains characters X-Ray filters cannot take.',
    );
  }
  return `"${name}"`;
}

/** The GetTraceSummaries filter expression for failed (or slow) traces of the given services. */
export function buildTraceSummaryFilter(options: TraceFilterOptions): string {
  if (options.services.length === 0) {
    throw new InvalidInputError(
      'no services to filter on',
      'The alarm names no service to look for traces in.',
    );
  }
  const conditions = ['fault = true'];
  if (options.includeErrors !== false) conditions.push('error = true');
  if (options.slowerThanSeconds !== undefined) {
    if (!Number.isFinite(options.slowerThanSeconds) || options.slowerThanSeconds < 0) {
      throw new InvalidInputError(
        'bad response time',
        'The response time must be a positive number of seconds.',
      );
    }
    conditions.push(`responsetime > ${options.slowerThanSeconds}`);
  }
  const inner = conditions.join(' OR ');
  return [...new Set(options.services)].map((s) => `service(${quoteService(s)}) { ${inner} }`).join(' OR ');
}

/** The longest window we ask GetTraceSummaries for at once; the console caps deep links at 6 h. */
export const MAX_SUMMARY_WINDOW_MS = 6 * 60 * 60 * 1000;

/** Splits a window into consecutive chunks of at most `maxMs`, newest first so recent traces come back first. */
export function splitTraceWindow(window: TimeWindow, maxMs = MAX_SUMMARY_WINDOW_MS): TimeWindow[] {
  const start = window.start.getTime();
  const end = window.end.getTime();
  if (!(end > start)) return [];
  if (!(maxMs > 0)) throw new InvalidInputError('chunk size must be positive', 'Invalid time window.');
  const chunks: TimeWindow[] = [];
  for (let to = end; to > start; to -= maxMs) {
    chunks.push({ start: new Date(Math.max(start, to - maxMs)), end: new Date(to) });
  }
  return chunks;
}

/** The fields of one GetTraceSummaries summary we read, named as the SDK names them. */
export interface TraceSummaryRow {
  readonly Id?: string | undefined;
  readonly StartTime?: Date | undefined;
  readonly Duration?: number | undefined;
  readonly ResponseTime?: number | undefined;
  readonly HasFault?: boolean | undefined;
  readonly HasError?: boolean | undefined;
  readonly HasThrottle?: boolean | undefined;
}

/** Lists the trace summaries matching a filter expression in one window of at most 6 h (GetTraceSummaries, pages followed). */
export interface TraceSummaryReader {
  traceSummaries(
    filterExpression: string,
    window: TimeWindow,
    maxSummaries?: number,
  ): Promise<readonly TraceSummaryRow[]>;
}

/** One failed (or slow) trace of an alarm window. */
export interface FailedTrace {
  readonly id: XRayTraceId;
  readonly startTime?: Date;
  readonly durationSeconds?: number;
  readonly fault: boolean;
  readonly error: boolean;
  readonly throttle: boolean;
}

/** What GetTraceSummaries found for a window: newest first, and whether more matched than were kept. */
export interface FailedTraces {
  readonly traces: FailedTrace[];
  readonly truncated: boolean;
}

/** What {@link findFailedTraces} looks for. */
export interface FailedTraceQuery extends TraceFilterOptions {
  readonly window: TimeWindow;
  /** Traces kept at most (default 50). */
  readonly max?: number;
}

// The SDK's output is typed but not checked: an id we would put in a button must be a real trace id.
const SummaryRow = z.object({
  Id: XRayTraceId,
  StartTime: z.date().optional(),
  Duration: z.number().nonnegative().optional(),
  HasFault: z.boolean().optional(),
  HasError: z.boolean().optional(),
  HasThrottle: z.boolean().optional(),
});

/**
 * Finds the failed (fault or error, optionally slow) traces of the given services in a window with
 * GetTraceSummaries, one call per chunk of at most 6 h, newest chunk first, stopping at `max`.
 */
export async function findFailedTraces(
  reader: TraceSummaryReader,
  query: FailedTraceQuery,
): Promise<FailedTraces> {
  const max = query.max ?? 50;
  const filter = buildTraceSummaryFilter(query);
  const byId = new Map<string, FailedTrace>();
  let truncated = false;
  for (const chunk of splitTraceWindow(query.window)) {
    // One more than we keep tells us whether anything was left out.
    const rows = await reader.traceSummaries(filter, chunk, max - byId.size + 1);
    for (const row of rows) {
      const parsed = SummaryRow.safeParse(row);
      if (!parsed.success || byId.has(parsed.data.Id)) continue;
      if (byId.size === max) {
        truncated = true;
        break;
      }
      const r = parsed.data;
      byId.set(r.Id, {
        id: r.Id,
        ...(r.StartTime ? { startTime: r.StartTime } : {}),
        ...(r.Duration !== undefined ? { durationSeconds: r.Duration } : {}),
        fault: r.HasFault ?? false,
        error: r.HasError ?? false,
        throttle: r.HasThrottle ?? false,
      });
    }
    if (truncated) break;
  }
  const traces = [...byId.values()].sort(
    (a, b) => (b.startTime?.getTime() ?? 0) - (a.startTime?.getTime() ?? 0),
  );
  return { traces, truncated };
}
