import type { InvestigationConfig } from '../config';
import type { Clock, LogSearch, LogSearchResult } from '../ports';
import { sumScans } from '../slack/block-kit';
import {
  parseTimeWindow,
  previousWindow,
  type TimeWindow,
  type TimeWindowSpec,
  windowEndingAt,
} from '../time-window';
import { buildJsonCostQuery, buildTextCostQuery } from './cost-query';
import { type CostReport, readUsage, summarizeCost } from './cost-report';

/**
 * The /cost use case (and the weekly scheduled post): both log formats, for this period and the
 * previous one of the same length, four queries in parallel.
 */
export async function investigateCost(
  input: { readonly period?: TimeWindowSpec },
  ports: { readonly logs: LogSearch; readonly clock: Clock },
  config: Pick<InvestigationConfig, 'logGroupNames' | 'pricing' | 'architectures' | 'defaultArchitecture'>,
): Promise<CostReport> {
  const spec = input.period ?? parseTimeWindow('week');
  const current = windowEndingAt(spec, ports.clock.now());
  const previous = previousWindow(current);
  const run = (window: TimeWindow, queryString: string) =>
    ports.logs.run({
      queryString,
      logGroupNames: config.logGroupNames,
      startTime: window.start,
      endTime: window.end,
    });
  const results: LogSearchResult[] = await Promise.all([
    run(current, buildTextCostQuery()),
    run(current, buildJsonCostQuery()),
    run(previous, buildTextCostQuery()),
    run(previous, buildJsonCostQuery()),
  ]);
  const [curText, curJson, prevText, prevJson] = results;
  return summarizeCost({
    current: readUsage([curText?.rows ?? [], curJson?.rows ?? []]),
    previous: readUsage([prevText?.rows ?? [], prevJson?.rows ?? []]),
    period: { ...current, label: spec.label },
    pricing: config.pricing,
    architectures: config.architectures,
    defaultArchitecture: config.defaultArchitecture,
    scan: sumScans(
      results.map((r) => ({
        recordsScanned: r.statistics.recordsScanned,
        bytesScanned: r.statistics.bytesScanned,
        durationMs: r.durationMs,
      })),
      true,
    ),
  });
}
