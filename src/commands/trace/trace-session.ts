import type { InvestigationConfig } from '../config';
import { GumshoeError, InvalidInputError } from '../errors';
import { type Flow, type FlowSet, flowNamed } from '../flows/flow-set';
import { type FlowLearner, type LearnedFlows, uncachedFlowLearner } from '../flows/learned-flows';
import { LOG_FIELD_PRESETS, LOG_FORMATS, type LogFields, type LogFormat } from '../flows/log-fields';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../runtime/runtime-findings';
import { sumScans } from '../slack/block-kit';
import { learnedFlowOfTrace, learningNote, RELEARN_ON_MISS_MS } from './trace-learning';
import { CORRELATION_ID, lookupCandidates, matchedField, parseTraceLookupId, pickFlow } from './trace-lookup';
import {
  buildExceptionQuery,
  buildMilestonesQuery,
  buildShowLogsQuery,
  buildTraceRequestsQuery,
  TRACE_LOOKUP_LIMIT,
  traceDetailWindow,
} from './trace-query';
import {
  buildTimeline,
  collectXRayTraces,
  findMissingMilestones,
  normalizeRow,
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
  /** Learns the flow of a trace without a config; learns anew on every /trace without it. */
  readonly learner?: FlowLearner | undefined;
}

export { parseTraceLookupId };

const scanOf = (r: LogSearchResult) => ({
  recordsScanned: r.statistics.recordsScanned,
  bytesScanned: r.statistics.bytesScanned,
  durationMs: r.durationMs,
});

/**
 * The /trace use case: finds every trace of an id (a business id of any flow, or the correlation id
 * itself), then reads the newest trace's milestones and exceptions over a narrowed window, in
 * parallel. The flow is the one whose fields matched; its graph says what is missing.
 */
export async function investigateTrace(
  input: { readonly id: string },
  ports: TracePorts,
  config: Pick<InvestigationConfig, 'logGroupNames' | 'traceLookbackMs' | 'region'> & {
    readonly flows?: FlowSet | undefined;
  },
): Promise<TraceReport> {
  const lookup = parseTraceLookupId(input.id);
  const now = ports.clock.now();
  const candidates = lookupCandidates(lookup, config.flows);
  const lookups = await Promise.all(
    candidates.map((c) =>
      ports.logs.run({
        queryString: c.query,
        logGroupNames: config.logGroupNames,
        startTime: new Date(now.getTime() - config.traceLookbackMs),
        endTime: now,
      }),
    ),
  );
  const found = candidates
    .map((candidate, i) => ({
      candidate,
      rawRows: lookups[i]?.rows.length ?? 0,
      newest: readSightings((lookups[i]?.rows ?? []).map((r) => normalizeRow(r, candidate.where.fields))),
    }))
    .filter((f) => f.newest.length > 0)
    .sort((a, b) => (b.newest[0]?.lastSeen.getTime() ?? 0) - (a.newest[0]?.lastSeen.getTime() ?? 0))[0];
  const lookupScan = sumScans(lookups.map(scanOf), true);
  const newest = found?.newest[0];
  if (!found || !newest)
    return { kind: 'not_found', id: lookup.id, lookbackMs: config.traceLookbackMs, scan: lookupScan };

  const traceId = newest.traceId;
  if (!CORRELATION_ID.test(traceId)) {
    // A correlation id with other characters would be unsafe to carry in a button or a query.
    throw new InvalidInputError(
      'logged correlation id has unexpected characters',
      'The logs hold a trace id in an unexpected format.',
    );
  }
  const { fields } = found.candidate.where;
  const window = traceDetailWindow(newest.firstSeen, newest.lastSeen, now);
  const request = { logGroupNames: config.logGroupNames, startTime: window.start, endTime: window.end };
  const requestsQuery = buildTraceRequestsQuery(traceId, TRACE_REQUEST_LIMIT, fields);
  const none: LogSearchResult = {
    rows: [],
    statistics: { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
    durationMs: 0,
  };
  // Without a config the flow is the one a day of complete traces shows; learned beside the reads.
  const learner = ports.learner ?? uncachedFlowLearner;
  const learnRequest = { logGroupNames: config.logGroupNames, fields };
  const learning: Promise<LearnedFlows | { failed: string } | undefined> = config.flows
    ? Promise.resolve(undefined)
    : learner
        .learn(ports.logs, learnRequest, now)
        // A trace without its graph is still worth showing: the timeline as logged, and why.
        .catch((error: unknown) => ({
          failed: error instanceof GumshoeError ? error.userMessage : 'an unexpected error',
        }));
  const [milestones, exceptions, requests, runtime, learned] = await Promise.all([
    ports.logs.run({ ...request, queryString: buildMilestonesQuery(traceId, fields) }),
    ports.logs.run({ ...request, queryString: buildExceptionQuery(traceId, undefined, fields) }),
    requestsQuery ? ports.logs.run({ ...request, queryString: requestsQuery }) : Promise.resolve(none),
    ports.logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    learning,
  ]);
  const milestoneRows = milestones.rows.map((r) => normalizeRow(r, fields));
  const exceptionRows = exceptions.rows.map((r) => normalizeRow(r, fields));
  const seen = new Set(milestoneRows.flatMap((r) => (r.milestone ? [r.milestone] : [])));
  const learnedOfTrace = learned
    ? await learnedFlowOfTrace(learned, seen, () =>
        learner.learn(ports.logs, learnRequest, now, { refreshAfterMs: RELEARN_ON_MISS_MS }),
      )
    : undefined;
  const flow =
    learnedOfTrace?.learning.outcome === 'flow'
      ? learnedOfTrace.learning.flow
      : pickFlow(found.candidate.flows, seen);
  const timeline = buildTimeline(milestoneRows, flow?.milestones);
  const { missing, logsLookIncomplete } = findMissingMilestones(
    new Set(timeline.map((e) => e.milestone)),
    flow?.milestones ?? [],
  );
  const runtimeFindings = summarizeRuntimeErrors(runtime.rows, RUNTIME_ERROR_LIMIT);
  const runtimeFailures = runtimeFailuresOfTrace(
    runtimeFindings.findings,
    readTraceRequestIds(requests.rows.map((r) => normalizeRow(r, fields))),
  );
  return {
    kind: 'found',
    id: lookup.id,
    traceId,
    ...(flow ? { flow: flow.name } : {}),
    ...logsFlowOf(fields, flow, config.flows),
    ...(learnedOfTrace ? { learned: learningNote(learnedOfTrace.learning) } : {}),
    matchedBy: matchedField(lookup, traceId, found.candidate.where),
    otherTraces: found.newest.slice(1),
    otherTracesCapped: found.rawRows >= TRACE_LOOKUP_LIMIT,
    timeline,
    missing,
    logsLookIncomplete,
    exception: readException(exceptionRows),
    exceptionCount: exceptionRows.filter((r) => r['exception.name']).length,
    runtimeFailures,
    missingReason: reasonForMissing(missing[0], runtimeFailures),
    runtimeCapped: runtimeFindings.capped || requests.rows.length >= TRACE_REQUEST_LIMIT,
    xrayTraces: collectXRayTraces(milestoneRows, exceptionRows),
    window,
    region: config.region,
    scan: sumScans([
      lookupScan,
      sumScans(
        [...[milestones, exceptions, requests, runtime].map(scanOf), ...(learnedOfTrace?.scans ?? [])],
        true,
      ),
    ]),
  };
}

/**
 * What "Show logs" must carry to read the trace's lines through the right fields: with a config the
 * flow (when its fields differ from the config's default); without one the preset the trace was
 * found through (when it is not this repo's logger).
 */
function logsFlowOf(
  fields: LogFields,
  flow: Flow | undefined,
  flows: FlowSet | undefined,
): { logsFlow?: string } {
  if (flows)
    return flow && JSON.stringify(flow.fields) !== JSON.stringify(flows.fields)
      ? { logsFlow: flow.name }
      : {};
  const preset = LOG_FORMATS.find((f) => JSON.stringify(LOG_FIELD_PRESETS[f]) === JSON.stringify(fields));
  return preset && preset !== 'gumshoe' ? { logsFlow: preset } : {};
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
    /** The flow the trace belongs to (its fields); the config's default fields without it. */
    readonly flow?: string | undefined;
  },
  ports: TracePorts,
  config: Pick<InvestigationConfig, 'logGroupNames'> & { readonly flows?: FlowSet | undefined },
): Promise<TraceLogs> {
  if (
    !CORRELATION_ID.test(input.traceId) ||
    !/^[A-Za-z0-9_-]{1,64}$/.test(input.functionName) ||
    !(input.fromMs <= input.toMs)
  ) {
    throw new InvalidInputError('bad show-logs request', 'That button carries an invalid trace.');
  }
  const presetOfButton = LOG_FORMATS.find((f): f is LogFormat => f === input.flow);
  const fields = config.flows
    ? input.flow
      ? flowNamed(config.flows, input.flow).fields
      : config.flows.fields
    : LOG_FIELD_PRESETS[presetOfButton ?? 'gumshoe'];
  const traceId = { data: input.traceId };
  const result = await ports.logs.run({
    queryString: buildShowLogsQuery(traceId.data, input.functionName, undefined, fields),
    logGroupNames: config.logGroupNames,
    startTime: new Date(input.fromMs),
    endTime: new Date(input.toMs),
  });
  return {
    traceId: traceId.data,
    functionName: input.functionName,
    lines: result.rows
      .map((raw) => normalizeRow(raw, fields))
      .map((r) => ({
        at: r['@timestamp'] ?? '',
        level: r.level ?? '',
        message: r.message ?? r['@message'] ?? '',
      })),
    scan: scanOf(result),
  };
}
