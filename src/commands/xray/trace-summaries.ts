import { InvalidInputError } from '../errors';
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
