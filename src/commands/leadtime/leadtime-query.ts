import type { LogFields } from '../flows/log-fields';
import { quote } from '../query/quote';

/** What one lead-time measurement is between: two milestones of a flow, read through its fields. */
export interface LeadTimePair {
  readonly from: string;
  readonly to: string;
  /** The flow's correlation and milestone fields (and a text format's `parse` prelude). */
  readonly fields: Pick<LogFields, 'correlation' | 'milestone' | 'prelude'>;
}

/** How many of the slowest traces, and of the oldest never-finished ones, come back as rows. */
export const LEAD_TIME_LIST_LIMIT = 10;

/** The fixed histogram edges (ms) people read easily; the last bucket is open-ended. */
export const LEAD_TIME_EDGES_MS = [0, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 300_000] as const;

// Added to the timestamp of the "other" milestone so that min() over a trace's lines picks the
// first line of the wanted one; any real epoch-ms time is far below it (year 2286).
const FAR = 10_000_000_000_000;

/** The percentiles /leadtime reports. */
export const LEAD_TIME_PERCENTILES = [50, 90, 99] as const;

/**
 * Stage one, per trace: the first start milestone and the first end milestone (retries do not
 * stretch the lead time) and how many end lines there were. Logs Insights has no conditional
 * aggregate, so `strcontains` (1 or 0) marks end lines and pushes the other milestone's times out
 * of `min()`'s reach. Traces whose start lies before the window are dropped (`startedAt < FAR`).
 */
function perTrace({ from, to, fields }: LeadTimePair): string[] {
  const { correlation: trace, milestone } = fields;
  // strcontains is a substring test: mark by whichever name does not contain the other.
  const isEnd = from.includes(to)
    ? `1 - strcontains(${milestone}, ${quote(from)})`
    : `strcontains(${milestone}, ${quote(to)})`;
  const first = `fields @timestamp, ${trace}, ${milestone}`;
  return [
    ...fields.prelude.map((stage, i) => (i === 0 ? stage : `| ${stage}`)),
    fields.prelude.length > 0 ? `| ${first}` : first,
    `| filter ${milestone} in [${quote(from)}, ${quote(to)}] and ispresent(${trace})`,
    `| fields ${isEnd} as isEnd`,
    `| fields @timestamp + (1 - isEnd) * ${FAR} as endAt, @timestamp + isEnd * ${FAR} as startAt`,
    `| stats min(startAt) as startedAt, min(endAt) as endedAt, sum(isEnd) as ends by ${trace}`,
  ];
}

const LEAD = 'greatest(0, endedAt - startedAt)';

/**
 * The exact figures over every finished trace, computed by Logs Insights (stage two): count,
 * nearest-rank percentiles, max and, per histogram edge E, how many took at least E
 * (`least(1, floor(lead / E))` is 1 exactly when lead ≥ E). One row, whatever the volume.
 */
export function buildLeadTimeSummaryQuery(pair: LeadTimePair): string {
  const atLeast = LEAD_TIME_EDGES_MS.filter((e) => e > 0).map(
    (e) => `sum(least(1, floor(${LEAD} / ${e}))) as atLeast${e}`,
  );
  return [
    ...perTrace(pair),
    `| filter ends > 0 and startedAt < ${FAR}`,
    `| stats count(*) as traces, ${LEAD_TIME_PERCENTILES.map((p) => `pct(${LEAD}, ${p}) as p${p}`).join(', ')}, max(${LEAD}) as maxMs, ${atLeast.join(', ')}`,
  ].join('\n');
}

/**
 * The traces that started in the window and never logged the end milestone: how many, and how many
 * of them started after `inFlightSince` (`floor(startedAt / cutoff)` is 1 exactly when startedAt ≥ cutoff
 * within a window shorter than the epoch).
 */
export function buildNeverArrivedSummaryQuery(pair: LeadTimePair, inFlightSince: Date): string {
  return [
    ...perTrace(pair),
    '| filter ends = 0',
    `| stats count(*) as neverArrived, sum(least(1, floor(startedAt / ${inFlightSince.getTime()}))) as inFlight`,
  ].join('\n');
}

/** The slowest finished traces, slowest first: the only per-trace rows the figures need. */
export function buildSlowestTracesQuery(pair: LeadTimePair, limit: number = LEAD_TIME_LIST_LIMIT): string {
  return [
    ...perTrace(pair),
    `| filter ends > 0 and startedAt < ${FAR}`,
    `| fields ${LEAD} as leadTimeMs`,
    '| sort leadTimeMs desc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}

/** The oldest traces that never logged the end milestone. */
export function buildOldestNeverArrivedQuery(
  pair: LeadTimePair,
  limit: number = LEAD_TIME_LIST_LIMIT,
): string {
  return [
    ...perTrace(pair),
    '| filter ends = 0',
    '| sort startedAt asc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}
