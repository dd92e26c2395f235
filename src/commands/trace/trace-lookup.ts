import { InvalidInputError } from '../errors';
import type { Flow, FlowSet } from '../flows/flow-set';
import { LOG_FIELD_PRESETS } from '../flows/log-fields';
import { usageText } from '../help/usage';
import { BUSINESS_ID, SessionId, XRayTraceId } from '../query/quote';
import { buildTraceLookupQuery, type LookupFields, type TraceLookupId } from './trace-query';

/** A correlation id read from the logs, safe to quote and to carry in a button. */
export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,80}$/;

/** Validates what the user gave /trace: a UUID, an X-Ray trace id, or any business or correlation id. */
export function parseTraceLookupId(id: string): TraceLookupId {
  const uuid = SessionId.safeParse(id);
  if (uuid.success) return { kind: 'uuid', id: uuid.data };
  const xray = XRayTraceId.safeParse(id);
  if (xray.success) return { kind: 'xray', id: xray.data };
  if (BUSINESS_ID.test(id)) return { kind: 'id', id };
  throw new InvalidInputError(
    'not a business, correlation or X-Ray id',
    `That is not an id Gumshoe can look up.\n${usageText('trace')}`,
  );
}

/** One lookup query and the flows whose traces it finds (flows with the same fields share one). */
export interface LookupCandidate {
  readonly where: LookupFields;
  readonly flows: readonly Flow[];
  readonly query: string;
}

/**
 * Without a config a business id is searched anywhere in a line, once per correlation field the
 * presets know (this repo's logger's `traceId`, Powertools' `correlation_id`).
 */
const UNCONFIGURED: readonly LookupFields[] = [
  { fields: LOG_FIELD_PRESETS.gumshoe, businessIds: [] },
  { fields: LOG_FIELD_PRESETS.powertools, businessIds: [] },
];

/** The lookup queries of an id: one per distinct query over the configured flows. */
export function lookupCandidates(lookup: TraceLookupId, flows: FlowSet | undefined): LookupCandidate[] {
  const byQuery = new Map<string, { where: LookupFields; flows: Flow[] }>();
  const wheres = flows
    ? flows.flows.map((flow) => ({ where: { fields: flow.fields, businessIds: flow.businessIds }, flow }))
    : UNCONFIGURED.map((where) => ({ where, flow: undefined }));
  for (const { where, flow } of wheres) {
    const query = buildTraceLookupQuery(lookup, undefined, where);
    const entry = byQuery.get(query) ?? { where, flows: [] };
    if (flow) entry.flows.push(flow);
    byQuery.set(query, entry);
  }
  return [...byQuery.entries()].map(([query, e]) => ({ query, where: e.where, flows: e.flows }));
}

/** Among flows that share fields, the one whose milestones the trace logged most of (the first on a tie). */
export function pickFlow(flows: readonly Flow[], seen: ReadonlySet<string>): Flow | undefined {
  let best: Flow | undefined;
  let bestScore = -1;
  for (const flow of flows) {
    const score = flow.milestones.filter((m) => seen.has(m.name)).length;
    if (score > bestScore) {
      best = flow;
      bestScore = score;
    }
  }
  return best;
}

/** Which field matched: the correlation field when the id is the trace's own, else the business ids. */
export function matchedField(lookup: TraceLookupId, traceId: string, where: LookupFields): string {
  if (lookup.id === traceId) return where.fields.correlation;
  if (lookup.kind === 'xray' && where.fields.xrayTraceId) return where.fields.xrayTraceId;
  return where.businessIds.length > 0 ? where.businessIds.join(' or ') : 'the log line';
}
