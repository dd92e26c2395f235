import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_LOG_GROUP_PREFIX,
  FlowConfigError,
  type FlowSet,
  parseFlowConfig,
} from '../commands/flows/flow-set';
import { flowConfigPath } from './flow-config-path';

/** The env names of the flow config (README "Point Gumshoe at your service"). */
export const FlowConfigEnv = {
  /** A JSON or YAML file; unset (or empty) means no config. */
  file: 'GUMSHOE_CONFIG',
  /** The log groups searched without a config; `/aws/lambda/` by default. */
  logGroupPrefix: 'GUMSHOE_LOG_GROUP_PREFIX',
} as const;

/**
 * Reads and validates a config file: `.json` as JSON, anything else as YAML (a superset of JSON).
 * Any problem throws FlowConfigError naming the file and the path; nothing half-loads.
 */
export function readFlowConfigFile(path: string): FlowSet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FlowConfigError(
      `${path}: cannot read the Gumshoe config`,
      `Cannot read the Gumshoe config ${path}.`,
      {
        cause: error,
      },
    );
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const kind = path.endsWith('.json') ? 'JSON' : 'YAML';
    throw new FlowConfigError(
      `${path}: not valid ${kind}: ${reason}`,
      `The Gumshoe config ${path} is not valid ${kind}: ${reason}`,
      {
        cause: error,
      },
    );
  }
  return parseFlowConfig(data, path);
}

/** What the environment says about flows: the config (when set) and the fallback prefix. */
export interface FlowEnvironment {
  readonly flows: FlowSet | undefined;
  readonly logGroupPrefix: string;
}

/** Reads GUMSHOE_CONFIG and GUMSHOE_LOG_GROUP_PREFIX; a bad config throws at start-up. */
export function loadFlowEnvironment(env: NodeJS.ProcessEnv = process.env): FlowEnvironment {
  const file = env[FlowConfigEnv.file]?.trim();
  const prefix = env[FlowConfigEnv.logGroupPrefix]?.trim();
  if (prefix !== undefined && prefix !== '' && !/^[A-Za-z0-9_./#-]{1,512}$/.test(prefix)) {
    throw new FlowConfigError(
      `${FlowConfigEnv.logGroupPrefix}: expected a log group name prefix such as /aws/lambda/, got ${JSON.stringify(prefix)}`,
      'The log group prefix is invalid.',
    );
  }
  return {
    flows: file ? readFlowConfigFile(flowConfigPath(file, env)) : undefined,
    logGroupPrefix: prefix || DEFAULT_LOG_GROUP_PREFIX,
  };
}
