import type { InvestigationConfig } from '../config';
import { InvalidInputError } from '../errors';
import { type Flow, type FlowSet, flowNamed, lambdaLogGroup } from '../flows/flow-set';
import { learnFlows } from '../flows/learn-flows';
import { LOG_FIELD_PRESETS } from '../flows/log-fields';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { sumScans } from '../slack/block-kit';
import { parseTimeWindow, type TimeWindowSpec, windowEndingAt } from '../time-window';
import {
  buildLeadTimeSummaryQuery,
  buildNeverArrivedSummaryQuery,
  buildOldestNeverArrivedQuery,
  buildSlowestTracesQuery,
  type LeadTimePair,
} from './leadtime-query';
import { IN_FLIGHT_MS, type LeadTimeReport, summarizeLeadTime } from './leadtime-report';

const scanOf = (r: LogSearchResult) => ({
  recordsScanned: r.statistics.recordsScanned,
  bytesScanned: r.statistics.bytesScanned,
  durationMs: r.durationMs,
});

/**
 * Reads the lead times of a window: four queries in parallel, the figures computed by Logs Insights
 * (exact for any number of traces), only the slowest and the oldest unfinished traces as rows.
 */
export async function readLeadTime(
  logs: LogSearch,
  request: {
    readonly logGroupNames: readonly string[];
    readonly window: LeadTimeReport['window'];
    readonly pair: LeadTimePair;
    readonly flow?: string | undefined;
  },
  now: Date,
): Promise<LeadTimeReport> {
  const { pair } = request;
  const run = (queryString: string) =>
    logs.run({
      queryString,
      logGroupNames: request.logGroupNames,
      startTime: request.window.start,
      endTime: request.window.end,
    });
  const [summary, neverArrivedSummary, slowest, oldestNeverArrived] = await Promise.all([
    run(buildLeadTimeSummaryQuery(pair)),
    run(buildNeverArrivedSummaryQuery(pair, new Date(now.getTime() - IN_FLIGHT_MS))),
    run(buildSlowestTracesQuery(pair)),
    run(buildOldestNeverArrivedQuery(pair)),
  ]);
  // The per-trace rows are keyed by the flow's correlation field; the report reads `traceId`.
  const byTrace = (rows: readonly Record<string, string>[]) =>
    rows.map((r) => ({ ...r, traceId: r[pair.fields.correlation] ?? r.traceId ?? '' }));
  return summarizeLeadTime(
    {
      summary: summary.rows,
      neverArrivedSummary: neverArrivedSummary.rows,
      slowest: byTrace(slowest.rows),
      oldestNeverArrived: byTrace(oldestNeverArrived.rows),
    },
    {
      window: request.window,
      pair: { from: pair.from, to: pair.to, ...(request.flow ? { flow: request.flow } : {}) },
      scan: sumScans([summary, neverArrivedSummary, slowest, oldestNeverArrived].map(scanOf), true),
    },
  );
}

/** What /leadtime was asked: a window, and optionally a flow and a milestone pair. */
export interface LeadTimeInput {
  readonly window?: TimeWindowSpec;
  readonly flow?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/** The flow, pair and log groups a /leadtime question is about; the flow's first pair by default. */
export function resolveLeadTimePair(
  input: LeadTimeInput,
  flows: FlowSet | undefined,
  allGroups: readonly string[],
): { pair: LeadTimePair; flow: Flow | undefined; logGroupNames: readonly string[] } {
  const flow = flows ? (input.flow ? flowNamed(flows, input.flow) : flows.flows[0]) : undefined;
  if (!flow) {
    if (input.flow)
      throw new InvalidInputError(
        `no flows, asked for ${input.flow}`,
        'No flow is configured (GUMSHOE_CONFIG).',
      );
    if (!input.from || !input.to)
      throw new InvalidInputError(
        'no flows and no pair',
        'No flow is configured: give the two milestones, e.g. `/leadtime ORDER_RECEIVED..ORDER_SHIPPED 1h`, or run `/gumshoe flows`.',
      );
    return {
      pair: { from: input.from, to: input.to, fields: flows?.fields ?? LOG_FIELD_PRESETS.gumshoe },
      flow: undefined,
      logGroupNames: allGroups,
    };
  }
  const chosen = input.from && input.to ? { from: input.from, to: input.to } : flow.leadTimes[0];
  if (!chosen)
    throw new InvalidInputError(`flow ${flow.name} has no pair`, `Flow \`${flow.name}\` has no milestones.`);
  const byName = new Map(flow.milestones.map((m) => [m.name, m]));
  for (const end of [chosen.from, chosen.to]) {
    if (!byName.has(end)) {
      throw new InvalidInputError(
        `no milestone ${end} in ${flow.name}`,
        `Flow \`${flow.name}\` has no milestone \`${end}\`. Its milestones: ${flow.milestones.map((m) => `\`${m.name}\``).join(', ')}.`,
      );
    }
  }
  // Only the two milestones' groups are read when both are known: less to scan, same answer.
  const groupOf = (name: string) => {
    const m = byName.get(name);
    return m?.functionName ? lambdaLogGroup(m.functionName) : m?.logGroup;
  };
  const own = [groupOf(chosen.from), groupOf(chosen.to)];
  const logGroupNames = own.every((g): g is string => g !== undefined) ? [...new Set(own)] : allGroups;
  return { pair: { ...chosen, fields: flow.fields }, flow, logGroupNames };
}

/** The /leadtime use case: the lead times of the window ending now, for a flow's pair of milestones. */
export async function investigateLeadTime(
  input: LeadTimeInput,
  ports: { readonly logs: LogSearch; readonly clock: Clock },
  config: Pick<InvestigationConfig, 'logGroupNames' | 'leadTimeDefaultWindow'> & {
    readonly flows?: FlowSet | undefined;
  },
): Promise<LeadTimeReport> {
  const spec = input.window ?? parseTimeWindow(config.leadTimeDefaultWindow);
  const now = ports.clock.now();
  const window = windowEndingAt(spec, now);
  if (!config.flows && !(input.from && input.to)) {
    // No config: the flow is the one the window's logs show (first to last milestone).
    const learned = await learnFlows(
      ports.logs,
      { logGroupNames: config.logGroupNames, window: { ...window, label: spec.label } },
      undefined,
      now,
    );
    const flow = learned.flows[0];
    const first = flow?.milestones[0]?.name;
    const last = flow?.milestones.at(-1)?.name;
    if (!flow || !first || !last || first === last)
      return summarizeLeadTime(
        { summary: [], neverArrivedSummary: [], slowest: [], oldestNeverArrived: [] },
        { window: { ...window, label: spec.label }, scan: learned.scan },
      );
    return readLeadTime(
      ports.logs,
      {
        logGroupNames: config.logGroupNames,
        window: { ...window, label: spec.label },
        pair: { from: first, to: last, fields: flow.fields },
        flow: flow.name,
      },
      now,
    );
  }
  const { pair, flow, logGroupNames } = resolveLeadTimePair(input, config.flows, config.logGroupNames);
  return readLeadTime(
    ports.logs,
    { logGroupNames, window: { ...window, label: spec.label }, pair, flow: flow?.name },
    now,
  );
}
