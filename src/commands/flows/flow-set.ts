import type { z } from 'zod';
import { GumshoeError } from '../errors';
import { type FlowSpec, GumshoeConfigFile, type LogFieldOverrides } from './flow-config';
import { LOG_FIELD_PRESETS, type LogFields, type LogFormat } from './log-fields';

/** One milestone of a flow, resolved. */
export interface FlowMilestone {
  readonly name: string;
  readonly functionName: string | undefined;
  readonly logGroup: string | undefined;
  /** What it follows (expected once any of these was logged); empty for a root. */
  readonly after: readonly string[];
  readonly optional: boolean;
}

/** Log groups by name and by prefix. */
export interface LogGroupSelection {
  readonly names: readonly string[];
  readonly prefixes: readonly string[];
}

/** One flow, ready for the commands: its fields resolved from the preset and overrides. */
export interface Flow {
  readonly name: string;
  readonly description: string | undefined;
  readonly businessIds: readonly string[];
  readonly fields: LogFields;
  readonly milestones: readonly FlowMilestone[];
  /** Never empty: the configured pairs, or first to last milestone. */
  readonly leadTimes: readonly { readonly from: string; readonly to: string }[];
  /** Where this flow logs: its own groups plus each milestone's function or log group. */
  readonly logGroups: LogGroupSelection;
}

/** Every flow of a config, and the log groups the commands search. */
export interface FlowSet {
  /** Where it came from (the file path), for messages. */
  readonly source: string;
  readonly flows: readonly Flow[];
  /** The config's default fields (what Investigate reads when a line belongs to no flow). */
  readonly fields: LogFields;
  /** Every flow's groups and the config's own. */
  readonly logGroups: LogGroupSelection;
}

/** The default prefix of the log groups searched without a config (`GUMSHOE_LOG_GROUP_PREFIX`). */
export const DEFAULT_LOG_GROUP_PREFIX = '/aws/lambda/';

/** A config file that cannot be used: the message names the file, the path and the expected shape. */
export class FlowConfigError extends GumshoeError {
  override readonly name = 'FlowConfigError';
}

/** The CloudWatch log group of a Lambda function. */
export function lambdaLogGroup(functionName: string): string {
  return `/aws/lambda/${functionName}`;
}

function fieldsOf(
  format: LogFormat,
  ...overrides: (z.infer<typeof LogFieldOverrides> | undefined)[]
): LogFields {
  let fields: LogFields = LOG_FIELD_PRESETS[format];
  for (const o of overrides) {
    if (!o) continue;
    const defined = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    fields = { ...fields, ...defined };
  }
  return fields;
}

const unique = (items: readonly string[]) => [...new Set(items)];

function resolveFlow(spec: FlowSpec, file: GumshoeConfigFile): Flow {
  const fields = fieldsOf(
    spec.logFormat ?? file.logFormat,
    spec.logFormat ? undefined : file.fields,
    spec.fields,
    spec.correlation ? { correlation: spec.correlation } : undefined,
  );
  const milestones = spec.milestones.map((m) => ({
    name: m.name,
    functionName: m.function,
    logGroup: m.logGroup,
    after: m.after === undefined ? [] : Array.isArray(m.after) ? m.after : [m.after],
    optional: m.optional,
  }));
  const first = milestones[0]?.name ?? '';
  const last = milestones[milestones.length - 1]?.name ?? first;
  return {
    name: spec.name,
    description: spec.description,
    businessIds: spec.businessIds,
    fields,
    milestones,
    leadTimes: spec.leadTime.length > 0 ? spec.leadTime : [{ from: first, to: last }],
    logGroups: {
      names: unique([
        ...(spec.logGroups?.names ?? []),
        ...milestones.flatMap((m) => [
          ...(m.functionName ? [lambdaLogGroup(m.functionName)] : []),
          ...(m.logGroup ? [m.logGroup] : []),
        ]),
      ]),
      prefixes: unique(spec.logGroups?.prefixes ?? []),
    },
  };
}

/** The flows of a parsed config file. */
export function resolveFlowSet(file: GumshoeConfigFile, source: string): FlowSet {
  const flows = file.flows.map((f) => resolveFlow(f, file));
  return {
    source,
    flows,
    fields: fieldsOf(file.logFormat, file.fields),
    logGroups: {
      names: unique([...flows.flatMap((f) => f.logGroups.names), ...(file.logGroups?.names ?? [])]),
      prefixes: unique([...flows.flatMap((f) => f.logGroups.prefixes), ...(file.logGroups?.prefixes ?? [])]),
    },
  };
}

/** `flows[0].milestones[2].after` from a zod issue path. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`;
  return out || '(top level)';
}

/**
 * Validates a config already read from its file (JSON or YAML): all of it or nothing. The error
 * lists every problem as `<file>: <path>: <expected>`.
 */
export function parseFlowConfig(data: unknown, source: string): FlowSet {
  const parsed = GumshoeConfigFile.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${source}: ${formatIssuePath(i.path)}: ${i.message}`);
    throw new FlowConfigError(
      `invalid Gumshoe config\n${lines.join('\n')}`,
      `The Gumshoe config is invalid:\n${lines.join('\n')}`,
      {
        cause: parsed.error,
      },
    );
  }
  return resolveFlowSet(parsed.data, source);
}

/** The flow of a name, or an error listing the flows there are. */
export function flowNamed(set: FlowSet, name: string): Flow {
  const flow = set.flows.find((f) => f.name === name);
  if (!flow) {
    const names = set.flows.map((f) => `\`${f.name}\``).join(', ') || 'none';
    throw new FlowConfigError(`no flow ${name}`, `There is no flow \`${name}\`. Flows: ${names}.`);
  }
  return flow;
}
