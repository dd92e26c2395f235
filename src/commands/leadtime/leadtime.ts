import type { InvestigationConfig } from '../config';
import type { Clock, LogSearch } from '../ports';
import { parseTimeWindow, type TimeWindowSpec, windowEndingAt } from '../time-window';
import { buildLeadTimeQuery, LEAD_TIME_ROW_LIMIT } from './leadtime-query';
import { type LeadTimeReport, summarizeLeadTime } from './leadtime-report';

/** The /leadtime use case: one query over the window ending now, summarised. */
export async function investigateLeadTime(
  input: { readonly window?: TimeWindowSpec },
  ports: { readonly logs: LogSearch; readonly clock: Clock },
  config: Pick<InvestigationConfig, 'logGroupNames' | 'leadTimeDefaultWindow'>,
): Promise<LeadTimeReport> {
  const spec = input.window ?? parseTimeWindow(config.leadTimeDefaultWindow);
  const now = ports.clock.now();
  const window = windowEndingAt(spec, now);
  const result = await ports.logs.run({
    queryString: buildLeadTimeQuery(),
    logGroupNames: config.logGroupNames,
    startTime: window.start,
    endTime: window.end,
    limit: LEAD_TIME_ROW_LIMIT,
  });
  return summarizeLeadTime(result.rows, {
    window: { ...window, label: spec.label },
    now,
    rowLimit: LEAD_TIME_ROW_LIMIT,
    scan: {
      recordsScanned: result.statistics.recordsScanned,
      bytesScanned: result.statistics.bytesScanned,
      durationMs: result.durationMs,
    },
  });
}
