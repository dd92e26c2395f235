import type { InvestigationConfig } from '../config';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { sumScans } from '../slack/block-kit';
import { parseTimeWindow, type TimeWindowSpec, windowEndingAt } from '../time-window';
import {
  buildLeadTimeSummaryQuery,
  buildNeverArrivedSummaryQuery,
  buildOldestNeverArrivedQuery,
  buildSlowestTracesQuery,
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
  request: { readonly logGroupNames: readonly string[]; readonly window: LeadTimeReport['window'] },
  now: Date,
): Promise<LeadTimeReport> {
  const run = (queryString: string) =>
    logs.run({
      queryString,
      logGroupNames: request.logGroupNames,
      startTime: request.window.start,
      endTime: request.window.end,
    });
  const [summary, neverArrivedSummary, slowest, oldestNeverArrived] = await Promise.all([
    run(buildLeadTimeSummaryQuery()),
    run(buildNeverArrivedSummaryQuery(new Date(now.getTime() - IN_FLIGHT_MS))),
    run(buildSlowestTracesQuery()),
    run(buildOldestNeverArrivedQuery()),
  ]);
  return summarizeLeadTime(
    {
      summary: summary.rows,
      neverArrivedSummary: neverArrivedSummary.rows,
      slowest: slowest.rows,
      oldestNeverArrived: oldestNeverArrived.rows,
    },
    {
      window: request.window,
      scan: sumScans([summary, neverArrivedSummary, slowest, oldestNeverArrived].map(scanOf), true),
    },
  );
}

/** The /leadtime use case: the lead times of the window ending now. */
export async function investigateLeadTime(
  input: { readonly window?: TimeWindowSpec },
  ports: { readonly logs: LogSearch; readonly clock: Clock },
  config: Pick<InvestigationConfig, 'logGroupNames' | 'leadTimeDefaultWindow'>,
): Promise<LeadTimeReport> {
  const spec = input.window ?? parseTimeWindow(config.leadTimeDefaultWindow);
  const now = ports.clock.now();
  const window = windowEndingAt(spec, now);
  return readLeadTime(
    ports.logs,
    { logGroupNames: config.logGroupNames, window: { ...window, label: spec.label } },
    now,
  );
}
