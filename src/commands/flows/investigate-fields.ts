import type { FlowSet } from './flow-set';
import { LOG_FIELD_PRESETS, type LogFields } from './log-fields';

/**
 * The field sets the Investigate button reads error lines through: each configured flow's (one
 * query per distinct set), or without a config every preset that names a correlation field
 * (this repo's logger and Powertools Logger).
 */
export function investigateFieldsOf(flows: FlowSet | undefined): LogFields[] {
  const sets = flows
    ? [flows.fields, ...flows.flows.map((f) => f.fields)]
    : [LOG_FIELD_PRESETS.gumshoe, LOG_FIELD_PRESETS.powertools];
  const byKey = new Map<string, LogFields>();
  for (const fields of sets) byKey.set(JSON.stringify(fields), fields);
  return [...byKey.values()];
}
