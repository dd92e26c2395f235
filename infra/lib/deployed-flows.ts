import path from 'node:path';
import { readFlowConfigFile } from '../../src/bot/flow-config-file';
import { DEFAULT_LOG_GROUP_PREFIX, FlowConfigError, type FlowSet } from '../../src/commands/flows/flow-set';
import { BotEnv, type Topology } from '../../src/topology';
import { InfraConfigError } from './config';

/** The flow config a deploy bundles (`-c gumshoeConfig=…`): validated at synth, copied into its readers. */
export interface DeployedFlowConfig {
  /** The file on the machine running synth (absolute). */
  readonly source: string;
  /** Its name inside each bundle, which GUMSHOE_CONFIG gives (read from the function's code folder). */
  readonly bundledName: string;
  readonly flows: FlowSet;
}

/**
 * Reads and validates the config with the bot's own loader, so a file the bot would refuse at
 * start-up fails synth instead, with the same message (file, path, expected shape).
 */
export function readDeployedFlowConfig(file: string, cwd: string = process.cwd()): DeployedFlowConfig {
  const source = path.resolve(cwd, file);
  try {
    const flows = readFlowConfigFile(source);
    // The extension decides how the bot parses it (`.json` as JSON, anything else as YAML).
    const bundledName = source.endsWith('.json') ? 'gumshoe.config.json' : 'gumshoe.config.yaml';
    return { source, bundledName, flows };
  } catch (error) {
    if (!(error instanceof FlowConfigError)) throw error;
    throw new InfraConfigError(`-c gumshoeConfig=${file}: ${error.message}`, { cause: error });
  }
}

/** The log groups the bot may query: names (exact) and prefixes. */
export interface LogGroupScope {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
}

/**
 * What the bot's functions search, as src/bot/investigation-scope.ts decides it from the same
 * inputs: with a config, its names and prefixes plus GUMSHOE_LOG_GROUPS; without, GUMSHOE_LOG_GROUPS,
 * else every group under GUMSHOE_LOG_GROUP_PREFIX (`/aws/lambda/` by default).
 */
export function logGroupScope(topology: Topology, flows: FlowSet | undefined): LogGroupScope {
  const env = topology.functions.worker?.environment ?? {};
  const listed = env[BotEnv.logGroups];
  const names = typeof listed === 'string' ? listed.split(',').filter((n) => n.length > 0) : [];
  if (flows)
    return {
      names: [...new Set([...flows.logGroups.names, ...names])],
      prefixes: [...flows.logGroups.prefixes],
    };
  if (names.length > 0) return { names, prefixes: [] };
  const prefix = env[BotEnv.logGroupPrefix];
  return { names: [], prefixes: [typeof prefix === 'string' ? prefix : DEFAULT_LOG_GROUP_PREFIX] };
}
