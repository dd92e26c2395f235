import { GumshoeError } from '../errors';
import { LOG_FIELD_PRESETS, type LogFields } from '../flows/log-fields';
import type { LogSearch } from '../ports';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../runtime/runtime-findings';
import { type SlackMessage, sumScans } from '../slack/block-kit';
import { normalizeRow } from '../trace/trace-report';
import { findFailedTraces, SERVICE_NAME_PATTERN, type TraceSummaryReader } from '../xray/trace-summaries';
import {
  buildInvestigateQuery,
  buildInvestigateQueryText,
  buildInvestigateTotalsQueryText,
  type InvestigateTarget,
} from './investigate-query';
import {
  type InvestigationTotals,
  readInvestigationTotals,
  summarizeInvestigation,
} from './investigate-report';
import { buildInvestigationMessage, type XRayFindings } from './investigate-view';

/**
 * The Investigate use case: runs the errors query over the alarm's functions and window and, when
 * X-Ray is wired, GetTraceSummaries for their failed traces in the same window, and builds the answer.
 * X-Ray failing with an expected error leaves a note; the log answer still comes.
 */
export async function investigateAlarm(
  target: InvestigateTarget,
  logs: LogSearch,
  xray?: TraceSummaryReader,
  fieldSets: readonly LogFields[] = [LOG_FIELD_PRESETS.gumshoe],
): Promise<SlackMessage> {
  const request = buildInvestigateQuery(target.functions, target.window);
  // One errors query (and one totals query) per distinct field set (flows logged with different loggers).
  const errorRuns = fieldSets.map((fields) =>
    logs.run({ ...request, queryString: buildInvestigateQueryText(fields) }),
  );
  const totalsRuns = fieldSets.map((fields) =>
    logs.run({ ...request, queryString: buildInvestigateTotalsQueryText(fields) }),
  );
  const [results, totalsResults, runtimeResult, findings] = await Promise.all([
    Promise.all(errorRuns),
    Promise.all(totalsRuns),
    logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    xray ? xrayFindings(xray, target) : Promise.resolve(undefined),
  ]);
  const rows = results.flatMap((result, i) =>
    result.rows.map((r) => normalizeRow(r, fieldSets[i] ?? LOG_FIELD_PRESETS.gumshoe)),
  );
  // A line two sets' queries both matched (same names) is counted once.
  const unique = [...new Map(rows.map((r) => [JSON.stringify(r), r])).values()];
  const scanOf = (r: typeof runtimeResult) => ({
    recordsScanned: r.statistics.recordsScanned,
    bytesScanned: r.statistics.bytesScanned,
    durationMs: r.durationMs,
  });
  const totals = sumTotals(totalsResults.map((r) => readInvestigationTotals(r.rows)));
  const summary = { ...summarizeInvestigation(unique), ...(totals ? { totals } : {}) };
  return buildInvestigationMessage(summary, {
    alarmName: target.alarmName,
    scan: sumScans([...results.map(scanOf), ...totalsResults.map(scanOf), scanOf(runtimeResult)], true),
    runtime: summarizeRuntimeErrors(runtimeResult.rows, RUNTIME_ERROR_LIMIT),
    ...(findings ? { xray: findings } : {}),
  });
}

async function xrayFindings(xray: TraceSummaryReader, target: InvestigateTarget): Promise<XRayFindings> {
  const services = target.functions.filter((f) => SERVICE_NAME_PATTERN.test(f));
  if (services.length === 0) return { unavailable: 'the alarm names no service to look for traces in.' };
  try {
    const slow = target.slowerThanSeconds;
    const found = await findFailedTraces(xray, {
      services,
      window: target.window,
      ...(slow !== undefined ? { slowerThanSeconds: slow } : {}),
    });
    return { found, ...(slow !== undefined ? { slowerThanSeconds: slow } : {}) };
  } catch (error) {
    if (error instanceof GumshoeError) return { unavailable: error.userMessage };
    throw error;
  }
}

/** The totals of every field set's query added up; unknown when any is. */
function sumTotals(all: readonly (InvestigationTotals | undefined)[]): InvestigationTotals | undefined {
  if (all.some((t) => t === undefined)) return undefined;
  return all.reduce<InvestigationTotals>(
    (sum, t) => ({
      errorLines: sum.errorLines + (t?.errorLines ?? 0),
      traces: sum.traces + (t?.traces ?? 0),
      untracedLines: sum.untracedLines + (t?.untracedLines ?? 0),
    }),
    { errorLines: 0, traces: 0, untracedLines: 0 },
  );
}
