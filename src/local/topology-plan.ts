import { join } from 'node:path';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import type { EnvValue, QueueSpec, TableSpec, Topology } from '../topology';
import type { LocalFunctionSpec } from './runner';

/** The local stand-ins for what a deployed function finds through a resource reference. */
export interface LocalResolvers {
  /** URL of each queue of the description, once created locally. */
  queueUrl(key: string): string;
  /** The value of each secret, by field (`value` for a plain-string secret). */
  secretValue(key: string, field: string): string;
}

/**
 * A function's environment as the local stack gives it: literals as deployed, table names as
 * deployed, the local queue URL for a queue URL, and a secret's value in the variables its
 * `localEnv` names in place of its ARN (no Secrets Manager runs locally).
 */
export function localEnvironment(
  topology: Topology,
  env: Readonly<Record<string, EnvValue>>,
  r: LocalResolvers,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (typeof value === 'string') out[name] = value;
    else if (value.ref === 'tableName') out[name] = tableOf(topology, value.table).name;
    else if (value.ref === 'queueUrl') out[name] = r.queueUrl(value.queue);
    else {
      const secret = topology.secrets[value.secret];
      if (!secret) throw new Error(`no secret ${value.secret} in the description`);
      for (const [field, variable] of Object.entries(secret.localEnv))
        out[variable] = r.secretValue(value.secret, field);
    }
  }
  return out;
}

/** Every function of the description as the local runner runs it (same memory, timeout, tracing). */
export function localFunctionSpecs(
  topology: Topology,
  options: {
    repoRoot: string;
    resolvers: LocalResolvers;
    /** Variables only the local stack sets (the local Slack's API URL), by function key. */
    extraEnv?: (key: string) => Record<string, string>;
  },
): LocalFunctionSpec[] {
  return Object.entries(topology.functions).map(([key, fn]) => ({
    name: fn.name,
    entry: join(options.repoRoot, fn.entry),
    memoryMb: fn.memoryMb,
    timeoutMs: fn.timeoutSeconds * 1000,
    tracing: fn.tracing === 'Active',
    env: { ...localEnvironment(topology, fn.environment, options.resolvers), ...options.extraEnv?.(key) },
  }));
}

/** The CreateTable input of a table of the description (on demand, string keys, TTL set apart). */
export function createTableInput(spec: TableSpec): CreateTableCommandInput {
  const keys = [spec.partitionKey, ...(spec.sortKey ? [spec.sortKey] : [])];
  return {
    TableName: spec.name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keys.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: keys.map((name, i) => ({ AttributeName: name, KeyType: i === 0 ? 'HASH' : 'RANGE' })),
    ...(spec.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: spec.stream } } : {}),
  };
}

/** The queues in creation order: each dead-letter queue before the queue that redrives to it. */
export function queuesInCreationOrder(topology: Topology): [string, QueueSpec][] {
  const ordered: [string, QueueSpec][] = [];
  const visit = (key: string) => {
    if (ordered.some(([k]) => k === key)) return;
    const spec = topology.queues[key];
    if (!spec) throw new Error(`no queue ${key} in the description`);
    if (spec.deadLetter) visit(spec.deadLetter.queue);
    ordered.push([key, spec]);
  };
  for (const key of Object.keys(topology.queues)) visit(key);
  return ordered;
}

/** The CreateQueue attributes of a queue of the description; `deadLetterArn` when it has one. */
export function queueAttributes(spec: QueueSpec, deadLetterArn?: string): Record<string, string> {
  return {
    VisibilityTimeout: String(spec.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(spec.retentionDays * 86_400),
    ...(spec.deadLetter && deadLetterArn
      ? {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: deadLetterArn,
            maxReceiveCount: spec.deadLetter.maxReceiveCount,
          }),
        }
      : {}),
  };
}

function tableOf(topology: Topology, key: string): TableSpec {
  const table = topology.tables[key];
  if (!table) throw new Error(`no table ${key} in the description`);
  return table;
}
