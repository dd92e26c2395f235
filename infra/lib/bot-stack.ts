import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { logGroupOf } from '../../src/conference-app/contract/function-names';
import type { GumshoeConfig } from './config';
import { GumshoeFunction } from './constructs/gumshoe-function';
import { alarmTopicArn, logGroupArn, Names } from './naming';

/** Props of {@link BotStack}. */
export interface BotStackProps extends StackProps {
  readonly config: GumshoeConfig;
  readonly projectRoot: string;
  /** The function names the bot investigates; their log groups are the only ones it may query. */
  readonly watchedFunctions: readonly string[];
}

/** The env names the bot handlers read (src/bot/config.ts). */
export const BotEnv = {
  secretArn: 'SLACK_SECRET_ARN',
  channelId: 'GUMSHOE_CHANNEL',
  workerFunction: 'GUMSHOE_WORKER_FUNCTION',
  logGroups: 'GUMSHOE_LOG_GROUPS',
  architectures: 'GUMSHOE_ARCHITECTURES',
  defaultArchitecture: 'GUMSHOE_DEFAULT_ARCHITECTURE',
} as const;

/** The env names the alarm Lambdas and the alarm buttons read (src/bot/alarms/alarm-config.ts). */
export const AlarmEnv = {
  table: 'GUMSHOE_ALARM_TABLE',
  accountAliases: 'GUMSHOE_ACCOUNT_ALIASES',
  mentionHere: 'GUMSHOE_ALARM_MENTION_HERE',
  reminderMinutes: 'GUMSHOE_ALARM_REMINDER_MINUTES',
  /** Alarm function only: the queue whose deferred records it makes visible again sooner. */
  queueUrl: 'GUMSHOE_ALARM_QUEUE_URL',
} as const;

/**
 * How long one alarm invocation may run: a batch of 100 notifications at about one post per second
 * fits, so a storm of that size is posted in one invocation rather than cut and retried.
 */
export const ALARM_FUNCTION_TIMEOUT = Duration.minutes(2);

/** How the alarm queue feeds the alarm function (an SQS event source mapping). */
export const ALARM_QUEUE_SOURCE = {
  /** A storm of up to this many notifications is grouped into one summary message. */
  batchSize: 100,
  /** How long Lambda gathers messages before invoking: a storm's alarms arrive within seconds. */
  maxBatchingWindow: Duration.seconds(20),
  /**
   * The lowest value the setting takes (Lambda requires 2 to 1000). One channel takes about one
   * message per second, so two batches at most run at once; they share the channel's post slots
   * (pace#<channel> in the alarm-state table), a 429 is waited out, and whatever does not fit is
   * returned as a batch item failure.
   */
  maxConcurrency: 2,
  /** Receives before a notification is moved to the dead-letter queue. */
  maxReceiveCount: 5,
} as const;

/** Formats an account alias map as GUMSHOE_ACCOUNT_ALIASES reads it: `123456789012=prod,210987654321=staging`. */
export function accountAliasesEnv(aliases: Readonly<Record<string, string>>): string {
  return Object.entries(aliases)
    .map(([account, alias]) => `${account}=${alias}`)
    .join(',');
}

/**
 * The Slack bot: request function behind a Function URL, worker, weekly /cost schedule, secret, and
 * the alarm path (alarm queue on the alarm topic feeding the alarm function, reminder schedule, alarm-state table, DLQ).
 */
export class BotStack extends Stack {
  readonly slackEvents: GumshoeFunction;
  readonly worker: GumshoeFunction;
  readonly weeklyCost: GumshoeFunction;
  readonly alarm: GumshoeFunction;
  readonly alarmReminder: GumshoeFunction;
  readonly alarmTable: Table;
  /** Where an alarm notification lands when the alarm function still fails after Lambda's retries. */
  readonly alarmDlq: Queue;
  /** The queue subscribed to the alarm topic; the alarm function reads it in batches. */
  readonly alarmQueue: Queue;
  readonly secret: Secret;
  /** ARN of the conference stack's alarm topic, which the alarm queue subscribes to. */
  readonly alarmTopicArn: string;
  readonly functionUrl: string;
  private readonly watchedLogGroupArns: string[];
  private readonly props: BotStackProps;

  constructor(scope: Construct, id: string, props: BotStackProps) {
    super(scope, id, props);
    this.props = props;
    const { config } = props;
    this.alarmTopicArn = alarmTopicArn(this);
    // Both forms: StartQuery has been seen authorizing against `log-group:<name>:log-stream:`, which
    // only the `:*` form matches; the suffix widens to the group's own streams, never another group.
    this.watchedLogGroupArns = props.watchedFunctions.flatMap((name) => {
      const arn = logGroupArn(this, name);
      return [arn, `${arn}:*`];
    });

    // Placeholder values only: the operator stores the real token and signing secret with
    // `aws secretsmanager put-secret-value` after deploy, so they never enter the template.
    this.secret = new Secret(this, 'SlackSecret', {
      secretName: Names.slackSecret,
      description: 'Slack bot token and signing secret of Gumshoe: {"botToken","signingSecret"}',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ botToken: '', signingSecret: '' }),
        generateStringKey: 'placeholder',
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Slack issues the bot token and signing secret; they are rotated in Slack, then stored by hand.',
    });

    // One item per alarm plus short-lived `msg#…` delivery markers (expired by TTL). Kept on stack
    // deletion like the service's tables: it holds the Slack thread of every open alarm.
    this.alarmTable = new Table(this, 'AlarmState', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const alarmEnv = {
      [AlarmEnv.table]: this.alarmTable.tableName,
      [AlarmEnv.accountAliases]: accountAliasesEnv(config.aliases),
      [AlarmEnv.mentionHere]: String(config.alarmMentionHere),
      [AlarmEnv.reminderMinutes]: String(config.alarmReminderMinutes),
    };

    this.worker = this.botFunction(
      'Worker',
      Names.bot.worker,
      'src/bot/handlers/worker.ts',
      'Runs slow investigations',
      {
        timeout: Duration.minutes(2),
      },
    );
    this.slackEvents = this.botFunction(
      'SlackEvents',
      Names.bot.slackEvents,
      'src/bot/handlers/slack-events.ts',
      'Verifies and acknowledges Slack requests',
      {
        timeout: Duration.seconds(10),
        extraEnv: { [BotEnv.workerFunction]: Names.bot.worker, ...alarmEnv },
      },
    );
    this.weeklyCost = this.botFunction(
      'WeeklyCost',
      Names.bot.weeklyCost,
      'src/bot/handlers/weekly-cost.ts',
      'Posts the weekly /cost report',
      { timeout: Duration.minutes(2) },
    );
    // No reserved concurrency: the alarm queue's event source caps it (maxConcurrency in
    // wireAlarmFunction), and reserved concurrency under an SQS event source only throttles batches
    // back onto the queue, each throttle counting towards maxReceiveCount.
    this.alarm = this.botFunction(
      'Alarm',
      Names.bot.alarm,
      'src/bot/handlers/alarm.ts',
      'Posts CloudWatch alarm notifications to Slack',
      { timeout: ALARM_FUNCTION_TIMEOUT, extraEnv: alarmEnv },
    );
    this.alarmReminder = this.botFunction(
      'AlarmReminder',
      Names.bot.alarmReminder,
      'src/bot/handlers/alarm-reminder.ts',
      'Reminds the channel of alarms still in ALARM',
      { timeout: Duration.minutes(1), extraEnv: alarmEnv },
    );

    // Slack cannot present AWS credentials; the function verifies Slack's HMAC signature on every
    // request (signing secret from Secrets Manager) and rejects anything unsigned with 401.
    const url = this.slackEvents.fn.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
    this.functionUrl = url.url;

    this.slackEvents.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['lambda:InvokeFunction'],
        resources: [this.worker.fn.functionArn],
      }),
    );
    for (const f of [this.slackEvents, this.worker, this.weeklyCost, this.alarm, this.alarmReminder]) {
      this.secret.grantRead(f.fn);
    }
    this.grantInvestigations(this.worker);
    this.grantLogQueries(this.weeklyCost);

    const wired = this.wireAlarmFunction();
    this.alarmDlq = wired.dlq;
    this.alarmQueue = wired.queue;
    // Exactly the item operations each caller makes (src/aws/alarm-state-store.ts): the alarm
    // function claims, completes and releases delivery markers; the reminder lists open alarms by
    // Scan; both reserve the channel's shared post slot (UpdateItem on pace#<channel>); the buttons
    // read and save one alarm record.
    this.grantAlarmTable(this.alarm, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
    ]);
    this.grantAlarmTable(this.alarmReminder, [
      'dynamodb:Scan',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    this.grantAlarmTable(this.slackEvents, ['dynamodb:GetItem', 'dynamodb:PutItem']);
    this.grantAlarmMutes(this.slackEvents);

    // Its own role, so the schedule can invoke the weekly-cost function and nothing else.
    const schedulerRole = new Role(this, 'WeeklyCostSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    new Schedule(this, 'WeeklyCostSchedule', {
      description: 'Posts the /cost report every Monday at 09:00',
      schedule: ScheduleExpression.cron({
        minute: '0',
        hour: '9',
        weekDay: 'MON',
        timeZone: TimeZone.of(config.timeZone),
      }),
      target: new LambdaInvoke(this.weeklyCost.fn, {
        input: ScheduleTargetInput.fromObject({ source: 'gumshoe.weekly-cost', channelId: config.channelId }),
        retryAttempts: 2,
        role: schedulerRole,
      }),
    });
    this.acknowledgeSchedulerGrant(schedulerRole, this.weeklyCost, 'weekly-cost');

    const reminderRole = new Role(this, 'AlarmReminderSchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    });
    new Schedule(this, 'AlarmReminderSchedule', {
      description: `Reminds the channel of open alarms every ${config.alarmReminderMinutes} minutes`,
      schedule: ScheduleExpression.rate(Duration.minutes(config.alarmReminderMinutes)),
      target: new LambdaInvoke(this.alarmReminder.fn, {
        input: ScheduleTargetInput.fromObject({ source: 'gumshoe.alarm-reminder' }),
        // The next run reminds anyway; a retry storm would only add duplicate checks.
        retryAttempts: 0,
        role: reminderRole,
      }),
    });
    this.acknowledgeSchedulerGrant(reminderRole, this.alarmReminder, 'alarm-reminder');

    new CfnOutput(this, 'SlackRequestUrl', {
      value: `${url.url}slack/events`,
      description: 'Request URL for the Slack app manifest (slash commands and interactivity)',
    });
    new CfnOutput(this, 'FunctionUrl', { value: url.url });
    new CfnOutput(this, 'SlackSecretArn', { value: this.secret.secretArn });
    new CfnOutput(this, 'AlarmTableName', { value: this.alarmTable.tableName });
    new CfnOutput(this, 'AlarmQueueUrl', {
      value: this.alarmQueue.queueUrl,
      description: 'The queue between the alarm topic and the alarm function',
    });
    new CfnOutput(this, 'AlarmDlqUrl', {
      value: this.alarmDlq.queueUrl,
      description: 'Alarm notifications the alarm function failed to post after its retries',
    });
  }

  /**
   * Feeds the alarm function from the alarm topic through a queue, so a storm arrives as one batch
   * (SNS invokes Lambda with one record per invocation; an SQS event source batches). One
   * dead-letter queue keeps what still fails: messages the queue gave up on after maxReceiveCount
   * receives, and direct (asynchronous) invocations that failed after Lambda's two retries.
   */
  private wireAlarmFunction(): { dlq: Queue; queue: Queue } {
    const dlq = new Queue(this, 'AlarmDlq', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(dlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This queue is itself the alarm queue's and the alarm function's dead-letter queue.",
    });
    const queue = new Queue(this, 'AlarmQueue', {
      queueName: Names.alarmQueue,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // AWS's advice for an SQS event source: at least six times the function timeout, so a batch
      // still running (or retried after a throttle) is not handed to a second invocation.
      visibilityTimeout: Duration.seconds(ALARM_FUNCTION_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: dlq, maxReceiveCount: ALARM_QUEUE_SOURCE.maxReceiveCount },
    });
    // Raw delivery off: each body is the SNS envelope, whose MessageId is the exactly-once key.
    // The subscription also adds the queue policy letting only this topic send to the queue.
    const topic = Topic.fromTopicArn(this, 'AlarmTopic', this.alarmTopicArn);
    topic.addSubscription(new SqsSubscription(queue, { rawMessageDelivery: false }));
    this.alarm.fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: ALARM_QUEUE_SOURCE.batchSize,
        maxBatchingWindow: ALARM_QUEUE_SOURCE.maxBatchingWindow,
        maxConcurrency: ALARM_QUEUE_SOURCE.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    // The event source's grant already includes sqs:ChangeMessageVisibility on this queue (and only
    // it): with the URL the function hands deferred records back after 30 s, not the 12 min timeout.
    this.alarm.fn.addEnvironment(AlarmEnv.queueUrl, queue.queueUrl);
    // An alarm action may still invoke the function directly (asynchronously): kept on failure too.
    this.alarm.fn.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(dlq),
    });
    // Anything in the dead-letter queue is an alarm nobody saw in Slack.
    const dlqAlarm = new Alarm(this, 'AlarmDlqNotEmpty', {
      alarmName: Names.alarmDlqAlarm,
      alarmDescription:
        'Alarm notifications Gumshoe could not post to Slack are waiting in the dead-letter queue',
      metric: dlq.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    // To the same topic: once Slack answers again, the channel hears what it missed.
    dlqAlarm.addAlarmAction(new SnsAction(topic));
    // The alarm graph and the first error lines of the alarmed function's own log group.
    this.alarm.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cloudwatch:GetMetricWidgetImage'],
        resources: ['*'],
      }),
    );
    this.grantLogQueries(this.alarm);
    return { dlq, queue };
  }

  private grantAlarmTable(fn: GumshoeFunction, actions: string[]): void {
    fn.fn.addToRolePolicy(
      new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [this.alarmTable.tableArn] }),
    );
  }

  /**
   * The Mute / Unmute buttons: PutAlarmMuteRule is authorized on the mute rule and on each alarm it
   * targets; DeleteAlarmMuteRule on the mute rule. Both are scoped by name prefix.
   */
  private grantAlarmMutes(fn: GumshoeFunction): void {
    const muteRules = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm-mute-rule',
      resourceName: `${Names.muteRulePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const alarms = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${Names.alarmPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cloudwatch:PutAlarmMuteRule'],
        resources: [muteRules, alarms],
      }),
    );
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cloudwatch:DeleteAlarmMuteRule'],
        resources: [muteRules],
      }),
    );
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm-mute-rule:${Names.muteRulePrefix}*]`,
      reason: "Only Gumshoe's own mute rules, which all share this name prefix.",
    });
    Validations.of(fn).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${Names.alarmPrefix}*]`,
      reason: 'Only the conference service alarms, which all share this name prefix.',
    });
  }

  private acknowledgeSchedulerGrant(role: Role, target: GumshoeFunction, what: string): void {
    const resource = target.fn.node.defaultChild as CfnResource;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(resource)}.Arn>:*]`,
      reason: `The scheduler target grant covers the ${what} function and its versions only.`,
    });
  }

  /** Grants Logs Insights queries on the watched log groups only (what /cost and /leadtime read). */
  grantLogQueries(reader: GumshoeFunction): void {
    reader.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:StartQuery'],
        resources: this.watchedLogGroupArns,
      }),
    );
    // GetQueryResults and StopQuery take a query id, not a log group: they support no resource-level permissions.
    reader.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['logs:GetQueryResults', 'logs:StopQuery'],
        resources: ['*'],
      }),
    );
    for (const name of this.props.watchedFunctions) {
      Validations.of(reader).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${logGroupOf(name)}:*]`,
        reason: 'The streams of one watched log group: StartQuery authorizes at stream level.',
      });
    }
  }

  /**
   * Grants what an investigation reads: log queries, X-Ray traces, the service's alarms and metric
   * graphs. The alarm function of a later issue gets its permissions through this same method.
   */
  grantInvestigations(investigator: GumshoeFunction): void {
    this.grantLogQueries(investigator);
    // X-Ray's trace read actions and GetMetricWidgetImage support no resource-level permissions.
    investigator.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['xray:BatchGetTraces', 'xray:GetTraceSummaries', 'cloudwatch:GetMetricWidgetImage'],
        resources: ['*'],
      }),
    );
    const alarms = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${Names.alarmPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    investigator.fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['cloudwatch:DescribeAlarms'],
        resources: [alarms],
      }),
    );
    Validations.of(investigator).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${Names.alarmPrefix}*]`,
      reason: 'Only the conference service alarms, which all share this name prefix.',
    });
  }

  private botFunction(
    id: string,
    functionName: string,
    entry: string,
    description: string,
    options: {
      timeout: Duration;
      extraEnv?: Record<string, string>;
      reservedConcurrentExecutions?: number;
    },
  ): GumshoeFunction {
    const { config } = this.props;
    return new GumshoeFunction(this, id, {
      functionName,
      entry,
      projectRoot: this.props.projectRoot,
      description,
      timeout: options.timeout,
      memorySize: 512,
      logRetention: config.logRetentionDays as RetentionDays,
      adotLayerArn: config.adotLayerArn,
      ...(options.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: options.reservedConcurrentExecutions }
        : {}),
      environment: {
        [BotEnv.secretArn]: this.secret.secretArn,
        [BotEnv.channelId]: config.channelId,
        [BotEnv.logGroups]: this.props.watchedFunctions.map(logGroupOf).join(','),
        // Every function here is arm64 (GumshoeFunction); /cost prices by architecture.
        [BotEnv.architectures]: this.props.watchedFunctions.map((name) => `${name}=arm64`).join(','),
        [BotEnv.defaultArchitecture]: 'arm64',
        ...options.extraEnv,
      },
    });
  }
}
