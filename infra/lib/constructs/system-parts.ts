import { Duration, RemovalPolicy, TimeZone, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { EnvValue, EventSourceSpec, QueueSpec, ScheduleSpec, TableSpec } from '../../../src/topology';
import type { GumshoeFunction } from './gumshoe-function';

/** A DynamoDB table as the description gives it: on demand, PITR, kept on stack deletion unless it says not. */
export function tableFrom(scope: Construct, id: string, spec: TableSpec): Table {
  return new Table(scope, id, {
    tableName: spec.name,
    partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
    ...(spec.sortKey ? { sortKey: { name: spec.sortKey, type: AttributeType.STRING } } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    ...(spec.stream ? { stream: StreamViewType[spec.stream] } : {}),
    ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    removalPolicy: spec.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
  });
}

/**
 * The queues of one stack, dead-letter queues first: SSE-SQS, TLS only. A queue that is some
 * queue's (or destination's) dead letter is itself alarmed on, so it needs no dead letter of its own.
 */
export function queuesFrom(
  scope: Construct,
  specs: Readonly<Record<string, QueueSpec>>,
  deadLetterOnly: ReadonlySet<string>,
): Record<string, Queue> {
  const queues: Record<string, Queue> = {};
  const build = (key: string): Queue => {
    const existing = queues[key];
    if (existing) return existing;
    const spec = specs[key];
    if (!spec) throw new Error(`no queue ${key} in this stack`);
    const dlq = spec.deadLetter ? build(spec.deadLetter.queue) : undefined;
    const queue = new Queue(scope, `Queue-${key}`, {
      queueName: spec.name,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(spec.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(spec.retentionDays),
      ...(dlq && spec.deadLetter
        ? { deadLetterQueue: { queue: dlq, maxReceiveCount: spec.deadLetter.maxReceiveCount } }
        : {}),
    });
    if (deadLetterOnly.has(key))
      Validations.of(queue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (or failure destination); its depth is alarmed on.',
      });
    queues[key] = queue;
    return queue;
  };
  for (const key of Object.keys(specs)) build(key);
  return queues;
}

/** How a stack turns the description's resource references into values (tokens). */
export interface EnvResolvers {
  tableName(key: string): string;
  queueUrl(key: string): string;
  secretArn(key: string): string;
}

/** A function's environment with every resource reference resolved. */
export function resolveEnv(env: Readonly<Record<string, EnvValue>>, r: EnvResolvers): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      if (value.ref === 'tableName') return [name, r.tableName(value.table)];
      if (value.ref === 'queueUrl') return [name, r.queueUrl(value.queue)];
      return [name, r.secretArn(value.secret)];
    }),
  );
}

/** Adds one event source mapping of the description to its function. */
export function addEventSource(
  fn: GumshoeFunction,
  spec: EventSourceSpec,
  lookup: { queue(key: string): Queue; table(key: string): Table },
): void {
  const window =
    spec.maxBatchingWindowSeconds > 0 ? Duration.seconds(spec.maxBatchingWindowSeconds) : undefined;
  if (spec.type === 'sqs') {
    fn.fn.addEventSource(
      new SqsEventSource(lookup.queue(spec.queue), {
        batchSize: spec.batchSize,
        ...(window ? { maxBatchingWindow: window } : {}),
        ...(spec.maxConcurrency ? { maxConcurrency: spec.maxConcurrency } : {}),
        reportBatchItemFailures: spec.reportBatchItemFailures,
      }),
    );
    return;
  }
  fn.fn.addEventSource(
    new DynamoEventSource(lookup.table(spec.table), {
      startingPosition: StartingPosition[spec.startingPosition],
      batchSize: spec.batchSize,
      ...(window ? { maxBatchingWindow: window } : {}),
      parallelizationFactor: spec.parallelizationFactor,
      retryAttempts: spec.retryAttempts,
      bisectBatchOnError: spec.bisectBatchOnError,
      reportBatchItemFailures: spec.reportBatchItemFailures,
      maxRecordAge: Duration.seconds(spec.maxRecordAgeSeconds),
      onFailure: new SqsDlq(lookup.queue(spec.onFailureQueue)),
    }),
  );
}

/** An EventBridge Scheduler schedule invoking `target` with the description's input. */
export function scheduleFrom(
  scope: Construct,
  id: string,
  spec: ScheduleSpec,
  target: GumshoeFunction,
  role: IRole,
): Schedule {
  const { when } = spec;
  const expression =
    when.kind === 'rate'
      ? ScheduleExpression.rate(Duration.minutes(when.minutes))
      : ScheduleExpression.cron({
          minute: String(when.minute),
          hour: String(when.hour),
          weekDay: when.weekDay,
          timeZone: TimeZone.of(when.timeZone),
        });
  return new Schedule(scope, id, {
    description: spec.description,
    schedule: expression,
    target: new LambdaInvoke(target.fn, {
      input: ScheduleTargetInput.fromObject(spec.input),
      retryAttempts: spec.retryAttempts,
      role,
    }),
  });
}
