import { LEAD_TIME_FROM, LEAD_TIME_TO } from '../../conference-app/contract';
import { quote } from '../query/quote';

/** Row cap of the lead-time query: two rows per trace, so up to 5,000 traces per window. */
export const LEAD_TIME_ROW_LIMIT = 10_000;

/**
 * The first sighting of the start and end milestones per trace. Grouping by trace AND milestone
 * (plain `min`, supported everywhere) gives both the lead time and the traces that never reached the
 * end milestone in one query; the seed's earliest/latest difference hides the latter.
 */
export function buildLeadTimeQuery(): string {
  return [
    'fields @timestamp, traceId, milestone',
    `| filter milestone in [${quote(LEAD_TIME_FROM)}, ${quote(LEAD_TIME_TO)}] and ispresent(traceId)`,
    '| stats min(@timestamp) as firstAt, count(*) as n by traceId, milestone',
    `| limit ${LEAD_TIME_ROW_LIMIT}`,
  ].join('\n');
}
