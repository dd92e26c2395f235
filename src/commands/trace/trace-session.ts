import type { InvestigationConfig } from '../config';
import { InvalidInputError } from '../errors';
import { usageText } from '../help/usage';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { SessionId, TraceId, XRayTraceId } from '../query/quote';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../runtime/runtime-findings';
import { sumScans } from '../slack/block-kit';
import {
  buildExceptionQuery,
  buildMilestonesQuery,
  buildShowLogsQuery,
  buildTraceLookupQuery,
  buildTraceRequestsQuery,
  TRACE_LOOKUP_LIMIT,
  type TraceLookupId,
  traceDetailWindow,
} from './trace-query';
import {
  buildTimeline,
  collectXRayTraces,
  findMissingMilestones,
  readException,
  readSightings,
  type TraceReport,
} from './trace-report';
import {
  readTraceRequestIds,
  reasonForMissing,
  runtimeFailuresOfTrace,
  TRACE_REQUEST_LIMIT,
} from './trace-runtime';

/** The ports /trace needs. */
export interface TracePorts {
  readonly logs: LogSearch;
  readonly clock: Clock;
}

/** Validates what the user gave /trace: a UUID (session or trace id) or an X-Ray trace id. */
export function parseTraceLookupId(id: string): TraceLookupId {
  const uuid = SessionId.safeParse(id);
  if (uuid.success) return { kind: 'uuid', id: uuid.data };
  const xray = XRayTraceId.safeParse(id);
  if (xray.success) return { kind: 'xray', id: xray.data };
  throw new InvalidInputError(
    'not a session, trace or X-Ray id',
    `That is not a session id or trace id.\n${usageText('trace')}`,
  );
}

const scanOf = (r: LogSearchResult) => ({
  recordsScanned: r.statistics.recordsScanned,
  bytesScanned: r.statistics.bytesScanned,
  durationMs: r.durationMs,
});

/**
 * The /trace use case: finds every trace of a session id (or takes a trace id directly), then reads
 * the newest trace's milestones and exceptions over a narrowed window, in parallel.
 */
export async function investigateTrace(
  input: { readonly id: string },
  ports: TracePorts,
  config: Pick<InvestigationConfig, 'logGroupNames' | 'traceLookbackMs' | 'region'>,
): Promise<TraceReport> {
  const lookup = parseTraceLookupId(input.id);
  const now = ports.clock.now();
  const found = await ports.logs.run({
    queryString: buildTraceLookupQuery(lookup),
    logGroupNames: config.logGroupNames,
    startTime: new Date(now.getTime() - config.traceLookbackMs),
    endTime: now,
  });
  const sightings = readSightings(found.rows);
  const newest = sightings[0];
  if (!newest)
    return { kind: 'not_found', id: lookup.id, lookbackMs: config.traceLookbackMs, scan: scanOf(found) };

  const traceId = TraceId.safeParse(newest.traceId);
  if (!traceId.success) {
    // A traceId the service logged that is not a UUID would be unsafe to quote blindly.
    throw new InvalidInputError(
      `logged traceId is not a UUID`,
      'The logs hold a trace id in an unexpected format.',
    );
  }
  const window = traceDetailWindow(newest.firstSeen, newest.lastSeen, now);
  const request = { logGroupNames: config.logGroupNames, startTime: window.start, endTime: window.end };
  const [milestones, exceptions, requests, runtime] = await Promise.all([
    ports.logs.run({ ...request, queryString: buildMilestonesQuery(traceId.data) }),
    ports.logs.run({ ...request, queryString: buildExceptionQuery(traceId.data) }),
    ports.logs.run({ ...request, queryString: buildTraceRequestsQuery(traceId.data, TRACE_REQUEST_LIMIT) }),
    ports.logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
  ]);
  const timeline = buildTimeline(milestones.rows);
  const { missing, logsLookIncomplete } = findMissingMilestones(new Set(timeline.map((e) => e.milestone)));
  const runtimeFindings = summarizeRuntimeErrors(runtime.rows, RUNTIME_ERROR_LIMIT);
  const runtimeFailures = runtimeFailuresOfTrace(
    runtimeFindings.findings,
    readTraceRequestIds(requests.rows),
  );
  return {
    kind: 'found',
    id: lookup.id,
    traceId: traceId.data,
    otherTraces: sightings.slice(1),
    otherTracesCapped: found.rows.length >= TRACE_LOOKUP_LIMIT,
    timeline,
    missing,
    logsLookIncomplete,
    exception: readException(exceptions.rows),
    exceptionCount: exceptions.rows.filter((r) => r['exception.name']).length,
    runtimeFailures,
    missingReason: reasonForMissing(missing[0], runtimeFailures),
    runtimeCapped: runtimeFindings.capped || requests.rows.length >= TRACE_REQUEST_LIMIT,
    xrayTraces: collectXRayTraces(milestones.rows, exceptions.rows),
    window,
    region: config.region,
    scan: sumScans([scanOf(found), sumScans([milestones, exceptions, requests, runtime].map(scanOf), true)]),
  };
}

/** One function's log lines for one trace ("Show logs"). */
export interface TraceLogs {
  readonly traceId: string;
  readonly functionName: string;
  readonly lines: readonly { readonly at: string; readonly level: string; readonly message: string }[];
  readonly scan: ReturnType<typeof scanOf>;
}

/** The "Show logs" use case: one function's lines for one trace within the window the button carries. */
export async function showTraceLogs(
  input: {
    readonly traceId: string;
    readonly functionName: string;
    readonly fromMs: number;
    readonly toMs: number;
  },
  ports: TracePorts,
  config: Pick<InvestigationConfig, 'logGroupNames'>,
): Promise<TraceLogs> {
  const traceId = TraceId.safeParse(input.traceId);
  if (
    !traceId.success ||
    !/^[A-Za-z0-9_-]{1,64}$/.test(input.functionName) ||
    !(input.fromMs <= input.toMs)
  ) {
    throw new InvalidInputError('bad show-logs request', 'That button carries an invalid trace.');
  }
  const result = await ports.logs.run({
    queryString: buildShowLogsQuery(traceId.data, input.functionName),
    logGroupNames: config.logGroupNames,
    startTime: new Date(input.fromMs),
    endTime: new Date(input.toMs),
  });
  return {
    traceId: traceId.data,
    functionName: input.functionName,
    lines: result.rows.map((r) => ({
      at: r['@timestamp'] ?? '',
      level: r.level ?? '',
      message: r.message ?? r['@message'] ?? '',
    })),
    scan: scanOf(result),
  };
}
