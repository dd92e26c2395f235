import { GumshoeError } from '../errors';
import type { LogSearch } from '../ports';
import { buildRuntimeErrorQuery, RUNTIME_ERROR_LIMIT } from '../runtime/runtime-error-query';
import { summarizeRuntimeErrors } from '../runtime/runtime-findings';
import { type SlackMessage, sumScans } from '../slack/block-kit';
import { findFailedTraces, SERVICE_NAME_PATTERN, type TraceSummaryReader } from '../xray/trace-summaries';

import { buildInvestigateQuery, INVESTIGATE_TOTALS_QUERY, type InvestigateTarget } from './investigate-query';
import { readInvestigationTotals, summarizeInvestigation } from './investigate-report';
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
): Promise<SlackMessage> {
  const request = buildInvestigateQuery(target.functions, target.window);
  const [result, totalsResult, runtimeResult, findings] = await Promise.all([
    logs.run(request),
    logs.run({ ...request, queryString: INVESTIGATE_TOTALS_QUERY }),
    logs.run({ ...request, queryString: buildRuntimeErrorQuery() }),
    xray ? xrayFindings(xray, target) : Promise.resolve(undefined),
  ]);
  const scanOf = (r: typeof result) => ({
    recordsScanned: r.statistics.recordsScanned,
    bytesScanned: r.statistics.bytesScanned,
    durationMs: r.durationMs,
  });
  const totals = readInvestigationTotals(totalsResult.rows);
  const summary = { ...summarizeInvestigation(result.rows), ...(totals ? { totals } : {}) };
  return buildInvestigationMessage(summary, {
    alarmName: target.alarmName,
    scan: sumScans([scanOf(result), scanOf(totalsResult), scanOf(runtimeResult)], true),
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
