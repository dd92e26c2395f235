import { z } from 'zod';

/** Which stack a resource belongs to in AWS (the local stack runs both). */
export const StackKey = z.enum(['conference', 'bot']);
export type StackKey = z.infer<typeof StackKey>;

/**
 * One environment variable's value: a plain string, or a reference to a resource of the system
 * (resolved by CDK to a token, by the local stack to the local resource).
 */
export const EnvValue = z.union([
  z.string(),
  z.object({ ref: z.literal('tableName'), table: z.string() }),
  z.object({ ref: z.literal('queueUrl'), queue: z.string() }),
  /** In AWS the secret's ARN; locally the secret's fields as the variables its `localEnv` names. */
  z.object({ ref: z.literal('secretArn'), secret: z.string() }),
]);
export type EnvValue = z.infer<typeof EnvValue>;
/** An environment value that names a resource (its value differs between AWS and local). */
export type EnvRef = Exclude<EnvValue, string>;

/** One Lambda function: its handler, sizing and environment. */
export const FunctionSpec = z.object({
  stack: StackKey,
  /** The deployed function name; log group `/aws/lambda/<name>`. */
  name: z.string().regex(/^[a-zA-Z0-9-_]{1,64}$/),
  /** The handler file relative to the repository root; it exports `handler`. */
  entry: z.string().regex(/^src\/.+\.ts$/),
  description: z.string().min(1),
  memoryMb: z.number().int().min(128).max(10_240),
  timeoutSeconds: z.number().int().min(1).max(900),
  architecture: z.enum(['arm64', 'x86_64']),
  /** Lambda active tracing (TracingConfig). */
  tracing: z.enum(['Active', 'PassThrough']),
  environment: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/), EnvValue),
  /** JSON log fields indexed for Logs Insights. */
  indexedFields: z.array(z.string()).default([]),
  /** Served at a public Function URL (the Slack request URL); Slack signs every request instead of IAM. */
  functionUrl: z.boolean().default(false),
  /**
   * Ships a source map and runs Node with `--enable-source-maps` (stack traces name our files).
   * Node reads and parses the map when it loads the bundle, so it costs cold-start time.
   */
  sourceMap: z.boolean().default(true),
});
export type FunctionSpec = z.infer<typeof FunctionSpec>;

/** A DynamoDB table (on demand), its keys, TTL and stream. */
export const TableSpec = z.object({
  stack: StackKey,
  name: z.string().min(3),
  partitionKey: z.string(),
  sortKey: z.string().optional(),
  timeToLiveAttribute: z.string().optional(),
  stream: z.enum(['NEW_AND_OLD_IMAGES', 'NEW_IMAGE', 'OLD_IMAGE', 'KEYS_ONLY']).optional(),
  /** Kept when the stack is deleted (what it holds outlives a redeploy). */
  retain: z.boolean().default(true),
});
export type TableSpec = z.infer<typeof TableSpec>;

/** An SQS queue (SSE-SQS, TLS only), with its dead-letter queue when it has one. */
export const QueueSpec = z.object({
  stack: StackKey,
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,80}$/),
  visibilityTimeoutSeconds: z.number().int().min(0).max(43_200).default(30),
  retentionDays: z.number().int().min(1).max(14).default(4),
  deadLetter: z.object({ queue: z.string(), maxReceiveCount: z.number().int().min(1) }).optional(),
});
export type QueueSpec = z.infer<typeof QueueSpec>;

/** An SNS topic. */
export const TopicSpec = z.object({ stack: StackKey, name: z.string().min(1) });
export type TopicSpec = z.infer<typeof TopicSpec>;

/** A topic delivering to a queue (SNS envelope bodies unless raw). */
export const SubscriptionSpec = z.object({
  /** The stack that owns the subscription (the subscriber's). */
  stack: StackKey,
  topic: z.string(),
  queue: z.string(),
  rawMessageDelivery: z.boolean(),
});
export type SubscriptionSpec = z.infer<typeof SubscriptionSpec>;

/** A secret the operator fills in after deploy; locally its fields come from the environment. */
export const SecretSpec = z.object({
  stack: StackKey,
  name: z.string().min(1),
  description: z.string().min(1),
  /** The JSON keys of the secret value (empty: the value is a plain string). */
  fields: z.array(z.string()),
  /** The variable that carries the secret's ARN in AWS. */
  arnVariable: z.string(),
  /** The variables that carry the secret's value locally, by field (`value` for a plain string). */
  localEnv: z.record(z.string(), z.string()),
});
export type SecretSpec = z.infer<typeof SecretSpec>;

/** An SQS event source mapping. */
export const SqsSourceSpec = z.object({
  type: z.literal('sqs'),
  function: z.string(),
  queue: z.string(),
  batchSize: z.number().int().min(1).max(10_000),
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
  /** Lambda's ScalingConfig.MaximumConcurrency (2 to 1000); unlimited when absent. */
  maxConcurrency: z.number().int().min(2).max(1000).optional(),
  reportBatchItemFailures: z.boolean(),
});
export type SqsSourceSpec = z.infer<typeof SqsSourceSpec>;

/** A DynamoDB stream event source mapping. */
export const StreamSourceSpec = z.object({
  type: z.literal('dynamodb'),
  function: z.string(),
  table: z.string(),
  batchSize: z.number().int().min(1).max(10_000),
  maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(0),
  /** Batches processed at once per shard (Lambda's ParallelizationFactor). */
  parallelizationFactor: z.number().int().min(1).max(10).default(1),
  startingPosition: z.enum(['LATEST', 'TRIM_HORIZON']),
  retryAttempts: z.number().int().min(-1).max(10_000),
  bisectBatchOnError: z.boolean(),
  reportBatchItemFailures: z.boolean(),
  maxRecordAgeSeconds: z.number().int().min(60).max(604_800),
  /** The queue a batch goes to once retries are exhausted. */
  onFailureQueue: z.string(),
});
export type StreamSourceSpec = z.infer<typeof StreamSourceSpec>;

export const EventSourceSpec = z.discriminatedUnion('type', [SqsSourceSpec, StreamSourceSpec]);
export type EventSourceSpec = z.infer<typeof EventSourceSpec>;

/** When a schedule fires: a fixed rate, or a weekly time in a time zone. */
export const ScheduleWhen = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rate'), minutes: z.number().int().min(1).max(1440) }),
  z.object({
    kind: z.literal('weekly'),
    weekDay: z.enum(['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT']),
    hour: z.number().int().min(0).max(23),
    minute: z.number().int().min(0).max(59),
    /** IANA zone; EventBridge Scheduler resolves daylight saving itself. */
    timeZone: z.string().min(1),
  }),
]);
export type ScheduleWhen = z.infer<typeof ScheduleWhen>;

/** An EventBridge Scheduler schedule invoking one function with a fixed input. */
export const ScheduleSpec = z.object({
  stack: StackKey,
  function: z.string(),
  description: z.string().min(1),
  when: ScheduleWhen,
  input: z.record(z.string(), z.string()),
  retryAttempts: z.number().int().min(0).max(185),
});
export type ScheduleSpec = z.infer<typeof ScheduleSpec>;

/** The HTTP API's routes (`METHOD /path` → function key). */
export const HttpApiSpec = z.object({
  stack: StackKey,
  name: z.string(),
  routes: z.record(z.string().regex(/^(GET|POST|PUT|DELETE) \/\S*$/), z.string()),
});
export type HttpApiSpec = z.infer<typeof HttpApiSpec>;

/** The whole system: what CDK deploys and what the local stack runs. */
export const Topology = z
  .object({
    functions: z.record(z.string(), FunctionSpec),
    tables: z.record(z.string(), TableSpec),
    queues: z.record(z.string(), QueueSpec),
    topics: z.record(z.string(), TopicSpec),
    secrets: z.record(z.string(), SecretSpec),
    subscriptions: z.array(SubscriptionSpec),
    eventSources: z.array(EventSourceSpec),
    schedules: z.record(z.string(), ScheduleSpec),
    httpApi: HttpApiSpec,
  })
  .superRefine((t, ctx) => {
    // Every key a part refers to must exist: a typo would otherwise surface only in CDK or locally.
    const check = (ok: boolean, path: (string | number)[], what: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message: `unknown ${what}` });
    };
    for (const [key, fn] of Object.entries(t.functions)) {
      for (const [name, value] of Object.entries(fn.environment)) {
        if (typeof value === 'string') continue;
        const path = ['functions', key, 'environment', name];
        if (value.ref === 'tableName') check(value.table in t.tables, path, `table ${value.table}`);
        if (value.ref === 'queueUrl') check(value.queue in t.queues, path, `queue ${value.queue}`);
        if (value.ref === 'secretArn') check(value.secret in t.secrets, path, `secret ${value.secret}`);
      }
    }
    for (const [key, q] of Object.entries(t.queues))
      if (q.deadLetter) check(q.deadLetter.queue in t.queues, ['queues', key], `queue ${q.deadLetter.queue}`);
    t.eventSources.forEach((s, i) => {
      check(s.function in t.functions, ['eventSources', i], `function ${s.function}`);
      if (s.type === 'sqs') check(s.queue in t.queues, ['eventSources', i], `queue ${s.queue}`);
      else {
        check(s.table in t.tables && t.tables[s.table]?.stream !== undefined, ['eventSources', i], 'stream');
        check(s.onFailureQueue in t.queues, ['eventSources', i], `queue ${s.onFailureQueue}`);
      }
    });
    t.subscriptions.forEach((s, i) => {
      check(s.topic in t.topics, ['subscriptions', i], `topic ${s.topic}`);
      check(s.queue in t.queues, ['subscriptions', i], `queue ${s.queue}`);
    });
    for (const [key, s] of Object.entries(t.schedules))
      check(s.function in t.functions, ['schedules', key], `function ${s.function}`);
    for (const [route, fn] of Object.entries(t.httpApi.routes))
      check(fn in t.functions, ['httpApi', 'routes', route], `function ${fn}`);
  });
export type Topology = z.infer<typeof Topology>;
