import type { InvestigationConfig } from '../config';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { parseInsightsTime, parseNumber } from '../query/rows';
import { type ScanSummary, sumScans } from '../slack/block-kit';
import { type TimeWindowSpec, windowEndingAt } from '../time-window';
import { normalizeRow } from '../trace/trace-report';
import type { FlowSet } from './flow-set';
import { investigateFieldsOf } from './investigate-fields';
import { type LearnedFlow, learnFlowGraphs, type MilestoneSighting } from './learn-graph';
import { functionField, LOG_FIELD_PRESETS, LOG_FORMATS, type LogFields, type LogFormat } from './log-fields';

/** Traces first seen this recently may still be in flight: they are not learned from. */
export const LEARN_IN_FLIGHT_MS = 5 * 60_000;
/** The learning query's row cap (one row per trace and milestone). */
export const LEARN_ROW_LIMIT = 10_000;

/** One learned flow, with the fields it was read through and a name to give it. */
export interface NamedLearnedFlow extends LearnedFlow {
  readonly name: string;
  readonly fields: LogFields;
  /** The preset the fields are, when they are one. */
  readonly logFormat: LogFormat | undefined;
  /** Fields ending in Id/_id on the flow's lines: the business ids a user would type. */
  readonly businessIds: readonly string[];
}

/** What `/gumshoe flows` learned over a window. */
export interface LearnReport {
  readonly window: { readonly start: Date; readonly end: Date; readonly label: string };
  readonly flows: readonly NamedLearnedFlow[];
  /** The learning query hit its row cap: the graphs come from the newest traces only. */
  readonly capped: boolean;
  /** The configured flows, when there is a config, to compare with. */
  readonly configured: readonly string[];
  readonly scan: ScanSummary;
}

/** Per trace and milestone: when first logged, by which function, how many times. */
export function buildLearnQuery(fields: LogFields, limit: number = LEARN_ROW_LIMIT): string {
  const fn = functionField(fields);
  return [
    ...fields.prelude.map((stage, i) => (i === 0 ? stage : `| ${stage}`)),
    `${fields.prelude.length > 0 ? '| ' : ''}fields @timestamp, ${fields.correlation}, ${fields.milestone}, ${fn}`,
    `| filter ispresent(${fields.correlation}) and ispresent(${fields.milestone})`,
    `| stats min(@timestamp) as at, count(*) as lines by ${fields.correlation}, ${fields.milestone}, ${fn}`,
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/** A sample of milestone lines, to find the business id fields they carry. */
export function buildSampleQuery(fields: LogFields): string {
  return [
    'fields @timestamp, @message',
    `| filter ispresent(${fields.correlation}) and ispresent(${fields.milestone})`,
    '| sort @timestamp desc',
    '| limit 200',
  ].join('\n');
}

/** Reads the learning query's rows into sightings. */
export function readSightingRows(
  rows: readonly Record<string, string>[],
  fields: LogFields,
): MilestoneSighting[] {
  return rows.flatMap((raw) => {
    const row = normalizeRow(raw, fields);
    const at = parseInsightsTime(row.at)?.getTime();
    if (!row.traceId || !row.milestone || at === undefined) return [];
    return [
      {
        traceId: row.traceId,
        milestone: row.milestone,
        functionName: row.functionName,
        at,
        count: parseNumber(row.lines) ?? 1,
      },
    ];
  });
}

const ID_FIELD = /^[A-Za-z][A-Za-z0-9]*(Id|_id)$/;

/** The id-like top-level keys most of a flow's JSON milestone lines carry, other than the trace's own ids. */
export function businessIdsOf(
  messages: readonly string[],
  milestones: ReadonlySet<string>,
  fields: LogFields,
): string[] {
  const skip = new Set([
    fields.correlation,
    fields.xrayTraceId,
    fields.requestId,
    'AWSRequestId',
    'requestId',
    'xrayTraceId',
    'xray_trace_id',
    'traceId',
    'correlation_id',
    'function_request_id',
  ]);
  const counts = new Map<string, number>();
  let lines = 0;
  for (const message of messages) {
    let line: unknown;
    try {
      line = JSON.parse(message);
    } catch {
      continue;
    }
    if (!line || typeof line !== 'object') continue;
    const record = line as Record<string, unknown>;
    if (!milestones.has(String(record[fields.milestone]))) continue;
    lines += 1;
    for (const [key, value] of Object.entries(record))
      if (ID_FIELD.test(key) && !skip.has(key) && typeof value === 'string')
        counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()]
    .filter(([, n]) => n * 2 >= lines)
    .sort((a, b) => b[1] - a[1])
    .map(([k]) => k);
}

const presetOf = (fields: LogFields): LogFormat | undefined =>
  LOG_FORMATS.find((f) => JSON.stringify(LOG_FIELD_PRESETS[f]) === JSON.stringify(fields));

/** A flow's name: its business id without `Id` (`orderId` → `order`), else its first milestone's first word. */
function nameOf(flow: LearnedFlow, businessIds: readonly string[], taken: Set<string>): string {
  const base =
    businessIds[0]?.replace(/(Id|_id)$/, '').toLowerCase() ??
    flow.milestones[0]?.name.split(/[^A-Za-z0-9]/)[0]?.toLowerCase() ??
    'flow';
  let name = /^[a-z][a-z0-9-]{0,39}$/.test(base) ? base : 'flow';
  for (let i = 2; taken.has(name); i++) name = `${base}-${i}`;
  taken.add(name);
  return name;
}

/**
 * The learning use case: reads every milestone of the window through each known field set and
 * learns each flow's graph from its complete traces (what `/gumshoe flows` and `npm run flows` show).
 */
export async function learnFlows(
  logs: LogSearch,
  request: {
    readonly logGroupNames: readonly string[];
    readonly window: LearnReport['window'];
    /** Only these field sets (default: every one the config or the presets name). */
    readonly fieldSets?: readonly LogFields[];
    /**
     * How far back from the window's end the sample that finds business ids reads (it is a second
     * scan); the whole window by default.
     */
    readonly sampleLastMs?: number;
  },
  flows: FlowSet | undefined,
  now: Date,
): Promise<LearnReport> {
  const sets = request.fieldSets ?? investigateFieldsOf(flows);
  const { start, end } = request.window;
  const sampleStart =
    request.sampleLastMs === undefined
      ? start
      : new Date(Math.max(start.getTime(), end.getTime() - request.sampleLastMs));
  const run = (queryString: string, startTime = start) =>
    logs.run({ queryString, logGroupNames: request.logGroupNames, startTime, endTime: end });
  const results = await Promise.all(
    sets.map((f) => Promise.all([run(buildLearnQuery(f)), run(buildSampleQuery(f), sampleStart)])),
  );
  const taken = new Set<string>();
  const learned: NamedLearnedFlow[] = [];
  const seenMilestones = new Set<string>();
  results.forEach(([graph, sample], i) => {
    const fields = sets[i] ?? LOG_FIELD_PRESETS.gumshoe;
    const graphs = learnFlowGraphs(readSightingRows(graph.rows, fields), now.getTime() - LEARN_IN_FLIGHT_MS);
    for (const flow of graphs) {
      // Two field sets can read the same lines (same names): learn each flow once.
      if (flow.milestones.every((m) => seenMilestones.has(m.name))) continue;
      for (const m of flow.milestones) seenMilestones.add(m.name);
      const messages = sample.rows.map((r) => r['@message'] ?? '');
      const businessIds = businessIdsOf(messages, new Set(flow.milestones.map((m) => m.name)), fields);
      learned.push({
        ...flow,
        name: nameOf(flow, businessIds, taken),
        fields,
        logFormat: presetOf(fields),
        businessIds,
      });
    }
  });
  const scanOf = (r: LogSearchResult) => ({
    recordsScanned: r.statistics.recordsScanned,
    bytesScanned: r.statistics.bytesScanned,
    durationMs: r.durationMs,
  });
  return {
    window: request.window,
    flows: learned,
    capped: results.some(([graph]) => graph.rows.length >= LEARN_ROW_LIMIT),
    configured: flows?.flows.map((f) => f.name) ?? [],
    scan: sumScans(results.flat().map(scanOf), true),
  };
}

/** `/gumshoe flows [window]`: learns over the window ending now (a day by default). */
export async function learnFlowsOfWindow(
  input: { readonly window: TimeWindowSpec },
  ports: { readonly logs: LogSearch; readonly clock: Clock },
  config: Pick<InvestigationConfig, 'logGroupNames' | 'flows'>,
): Promise<LearnReport> {
  const now = ports.clock.now();
  const window = windowEndingAt(input.window, now);
  return learnFlows(
    ports.logs,
    { logGroupNames: config.logGroupNames, window: { ...window, label: input.window.label } },
    config.flows,
    now,
  );
}
