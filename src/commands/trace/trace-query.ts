import { functionField, LOG_FIELD_PRESETS, type LogFields } from '../flows/log-fields';
import { quote } from '../query/quote';

/** What /trace was given: a UUID, an X-Ray trace id, or any other business or correlation id. */
export type TraceLookupId =
  | { readonly kind: 'uuid'; readonly id: string }
  | { readonly kind: 'xray'; readonly id: string }
  | { readonly kind: 'id'; readonly id: string };

/** Where one lookup searches: the fields of a flow and the business ids a user may type. */
export interface LookupFields {
  readonly fields: LogFields;
  /** The business id fields; none means the id is searched anywhere in the line (`@message like`). */
  readonly businessIds: readonly string[];
}

/** The conference service's lookup (this repo's logger, `sessionId`): the seed's own queries. */
export const SEED_LOOKUP: LookupFields = { fields: LOG_FIELD_PRESETS.gumshoe, businessIds: ['sessionId'] };

/** How many distinct traces the lookup reports (a retried create gives a session several). */
export const TRACE_LOOKUP_LIMIT = 20;
/** At most this many exceptions are fetched per trace. */
export const EXCEPTION_LIMIT = 5;
/** At most this many log lines "Show logs" fetches. */
export const SHOW_LOGS_LIMIT = 50;

const prelude = (fields: LogFields): string[] => [...fields.prelude];
/** Joins stages: the first after any `parse` prelude stands alone, the rest are piped. */
const stages = (fields: LogFields, lines: readonly string[]): string =>
  [...prelude(fields), ...lines].map((l, i) => (i === 0 || l.startsWith('|') ? l : `| ${l}`)).join('\n');

/**
 * Query 1: every trace that mentions the id, newest first, with when it was first and last seen.
 * The id may be a business id or the correlation id, so one query tries every field; grouping by
 * the correlation field collects all distinct traces rather than the first N lines of the busiest one.
 */
export function buildTraceLookupQuery(
  lookup: TraceLookupId,
  limit: number = TRACE_LOOKUP_LIMIT,
  where: LookupFields = SEED_LOOKUP,
): string {
  const { fields } = where;
  const id = quote(lookup.id);
  let filter: string;
  if (lookup.kind === 'xray' && fields.xrayTraceId) filter = `| filter ${fields.xrayTraceId} = ${id}`;
  else if (where.businessIds.length === 0) filter = `| filter @message like ${id}`;
  else
    filter = `| filter ${[...where.businessIds, fields.correlation].map((f) => `${f} = ${id}`).join(' or ')}`;
  return stages(fields, [
    `fields @timestamp, ${fields.correlation}`,
    filter,
    `| filter ispresent(${fields.correlation})`,
    `| stats min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, count(*) as lines by ${fields.correlation}`,
    '| sort lastSeen desc',
    `| limit ${Math.trunc(limit)}`,
  ]);
}

/** Query 2: the milestones of one trace in time order, with the X-Ray ids logged beside them. */
export function buildMilestonesQuery(traceId: string, fields: LogFields = LOG_FIELD_PRESETS.gumshoe): string {
  const read = [
    '@timestamp',
    fields.milestone,
    functionField(fields),
    ...(fields.timestamp ? [fields.timestamp] : []),
    ...(fields.xrayTraceId ? [fields.xrayTraceId] : []),
  ];
  return stages(fields, [
    `fields ${read.join(', ')}`,
    `| filter ${fields.correlation} = ${quote(traceId)} and ispresent(${fields.milestone})`,
    '| sort @timestamp asc',
    '| limit 200',
  ]);
}

/** Query 3: the first exceptions logged for one trace. */
export function buildExceptionQuery(
  traceId: string,
  limit: number = EXCEPTION_LIMIT,
  fields: LogFields = LOG_FIELD_PRESETS.gumshoe,
): string {
  const read = [
    '@timestamp',
    functionField(fields),
    fields.exceptionName,
    fields.exceptionMessage,
    fields.exceptionStack,
    ...(fields.xrayTraceId ? [fields.xrayTraceId] : []),
    '@logStream',
  ];
  return stages(fields, [
    `fields ${read.join(', ')}`,
    `| filter ${fields.correlation} = ${quote(traceId)} and ispresent(${fields.exceptionName})`,
    '| sort @timestamp asc',
    `| limit ${Math.trunc(limit)}`,
  ]);
}

/**
 * Query 4: the Lambda request ids of one trace's invocations, so the runtime's own failure lines
 * (which carry a request id but no correlation id) can be tied to the trace. Undefined when the
 * format logs no request id.
 */
export function buildTraceRequestsQuery(
  traceId: string,
  limit: number,
  fields: LogFields = LOG_FIELD_PRESETS.gumshoe,
): string | undefined {
  if (!fields.requestId) return undefined;
  const fn = functionField(fields);
  return stages(fields, [
    `fields ${fields.requestId}, ${fn}`,
    `| filter ${fields.correlation} = ${quote(traceId)} and ispresent(${fields.requestId})`,
    `| stats count(*) as lines by ${fields.requestId}, ${fn}`,
    `| limit ${Math.trunc(limit)}`,
  ]);
}

/** The "Show logs" query: one function's log lines for one trace. */
export function buildShowLogsQuery(
  traceId: string,
  functionName: string,
  limit: number = SHOW_LOGS_LIMIT,
  fields: LogFields = LOG_FIELD_PRESETS.gumshoe,
): string {
  const byFunction = fields.functionName
    ? `${fields.functionName} = ${quote(functionName)}`
    : `@log like ${quote(`/${functionName}`)}`;
  return stages(fields, [
    `fields @timestamp, ${fields.level}, ${fields.message}, @message`,
    `| filter ${fields.correlation} = ${quote(traceId)} and ${byFunction}`,
    '| sort @timestamp asc',
    `| limit ${Math.trunc(limit)}`,
  ]);
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
