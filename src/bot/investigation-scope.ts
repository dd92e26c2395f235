import type { InvestigationConfig } from '../commands/config';
import type { FlowSet } from '../commands/flows/flow-set';
import { type LogGroupCatalog, resolveLogGroupNames } from '../commands/flows/log-groups';
import type { FlowEnvironment } from './flow-config-file';

/**
 * The investigation settings of one job: the flows of the config, and the log groups every command
 * searches, resolved. With a config: its groups (each milestone's function, its names and prefixes)
 * plus GUMSHOE_LOG_GROUPS; without: GUMSHOE_LOG_GROUPS, else every group under the prefix.
 */
export function investigationScope(
  base: InvestigationConfig,
  flowEnv: FlowEnvironment,
  catalog: LogGroupCatalog,
): () => Promise<InvestigationConfig> {
  const flows: FlowSet | undefined = flowEnv.flows;
  const selection = flows
    ? { names: [...flows.logGroups.names, ...base.logGroupNames], prefixes: flows.logGroups.prefixes }
    : base.logGroupNames.length > 0
      ? { names: base.logGroupNames, prefixes: [] }
      : { names: [], prefixes: [flowEnv.logGroupPrefix] };
  return async () => ({
    ...base,
    ...(flows ? { flows } : {}),
    logGroupNames:
      selection.prefixes.length === 0
        ? [...new Set(selection.names)]
        : await resolveLogGroupNames(selection, catalog),
  });
}
