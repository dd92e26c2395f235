import { quote, type SessionId, type TraceId, type XRayTraceId } from '../query/quote';

/** What /trace was given: a UUID (a session id or our trace id) or an X-Ray trace id. */
export type TraceLookupId =
  | { readonly kind: 'uuid'; readonly id: SessionId | TraceId }
  | { readonly kind: 'xray'; readonly id: XRayTraceId };

/** How many distinct traces the lookup reports (a retried create gives a session several). */
export const TRACE_LOOKUP_LIMIT = 20;
/** At most this many exceptions are fetched per trace. */
export const EXCEPTION_LIMIT = 5;
/** At most this many log lines "Show logs" fetches. */
export const SHOW_LOGS_LIMIT = 50;

/**
 * Query 1: every trace that mentions the id, newest first, with when it was first and last seen.
 * A UUID may be a session id or our trace id, so one query tries both; grouping by traceId collects
 * all distinct traces rather than the first N lines of the busiest one.
 */
export function buildTraceLookupQuery(lookup: TraceLookupId, limit: number = TRACE_LOOKUP_LIMIT): string {
  const filter =
    lookup.kind === 'uuid'
      ? `| filter sessionId = ${quote(lookup.id)} or traceId = ${quote(lookup.id)}`
      : `| filter xrayTraceId = ${quote(lookup.id)}`;
  return [
    'fields @timestamp, traceId',
    filter,
    '| filter ispresent(traceId)',
    '| stats min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, count(*) as lines by traceId',
    '| sort lastSeen desc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/** Query 2: the milestones of one trace in time order, with the X-Ray ids logged beside them. */
export function buildMilestonesQuery(traceId: TraceId): string {
  return [
    'fields @timestamp, milestone, functionName, timestamp, xrayTraceId',
    `| filter traceId = ${quote(traceId)} and ispresent(milestone)`,
    '| sort @timestamp asc',
    '| limit 200',
  ].join('\n');
}

/** Query 3: the first exceptions logged for one trace. */
export function buildExceptionQuery(traceId: TraceId, limit: number = EXCEPTION_LIMIT): string {
  return [
    'fields @timestamp, functionName, exception.name, exception.message, exception.stack, xrayTraceId, @logStream',
    `| filter traceId = ${quote(traceId)} and ispresent(exception.name)`,
    '| sort @timestamp asc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/**
 * Query 4: the Lambda request ids of one trace's invocations, so the runtime's own failure lines
 * (which carry a request id but no traceId) can be tied to the trace.
 */
export function buildTraceRequestsQuery(traceId: TraceId, limit: number): string {
  return [
    'fields AWSRequestId, functionName',
    `| filter traceId = ${quote(traceId)} and ispresent(AWSRequestId)`,
    '| stats count(*) as lines by AWSRequestId, functionName',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/** The "Show logs" query: one function's log lines for one trace. */
export function buildShowLogsQuery(
  traceId: TraceId,
  functionName: string,
  limit: number = SHOW_LOGS_LIMIT,
): string {
  return [
    'fields @timestamp, level, message, @message',
    `| filter traceId = ${quote(traceId)} and functionName = ${quote(functionName)}`,
    '| sort @timestamp asc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/** How far before a trace's first sighting and after it the detail queries look. */
export const TRACE_WINDOW_BEFORE_MS = 5 * 60_000;
export const TRACE_WINDOW_AFTER_MS = 30 * 60_000;

/**
 * The narrowed window of the detail queries: 5 min before the first sighting to 30 min after it
 * (or just past the last sighting if later), never beyond now. Narrow windows scan less and cost less.
 */
export function traceDetailWindow(firstSeen: Date, lastSeen: Date, now: Date): { start: Date; end: Date } {
  const start = new Date(firstSeen.getTime() - TRACE_WINDOW_BEFORE_MS);
  const wanted = Math.max(firstSeen.getTime() + TRACE_WINDOW_AFTER_MS, lastSeen.getTime() + 60_000);
  return { start, end: new Date(Math.min(wanted, now.getTime())) };
}
