import { LOG_FIELD_PRESETS } from '../../src/commands/flows/log-fields';
import { readLeadTime } from '../../src/commands/leadtime/leadtime';
import type { LeadTimeReport } from '../../src/commands/leadtime/leadtime-report';
import type { LogSearch } from '../../src/commands/ports';
import { logGroupOf } from '../../src/conference-app/contract/function-names';
import { LEAD_TIME_FROM, LEAD_TIME_TO, MILESTONES } from '../../src/conference-app/contract/milestones';

// The two functions that log the lead-time milestones: the only groups the query needs.
const LEAD_TIME_LOG_GROUPS = MILESTONES.filter(
  (m) => m.name === LEAD_TIME_FROM || m.name === LEAD_TIME_TO,
).map((m) => logGroupOf(m.functionName));

/** Reads the lead times of a load run's window with /leadtime's own queries (same exact figures). */
export async function readLeadTimes(
  logs: LogSearch,
  window: { start: Date; end: Date },
  now: Date = new Date(),
): Promise<LeadTimeReport> {
  return readLeadTime(
    logs,
    {
      logGroupNames: LEAD_TIME_LOG_GROUPS,
      window: { ...window, label: 'load run' },
      pair: { from: LEAD_TIME_FROM, to: LEAD_TIME_TO, fields: LOG_FIELD_PRESETS.gumshoe },
    },
    now,
  );
}

const ms = (v: number | undefined) => (v === undefined ? '–' : `${v} ms`);

/** The lead-time part of the load report as printed lines. */
export function formatLeadTimes(report: LeadTimeReport): string[] {
  const lines = [
    `lead time count=${report.count} p50=${ms(report.p50Ms)} p90=${ms(report.p90Ms)} p99=${ms(report.p99Ms)} max=${ms(report.maxMs)}`,
  ];
  if (report.neverArrivedCount > 0) {
    lines.push(
      `          ${report.neverArrivedCount} created but not notified (${report.inFlight} may still be in flight)`,
    );
  }
  return lines;
}
