import {
  ArnFormat,
  CfnOutput,
  type CfnResource,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ALARM_FUNCTION_TIMEOUT_SECONDS, BotEnv, type FunctionKey, type Topology } from '../../src/topology';
import { type GumshoeConfig, isStandalone } from './config';
import { alarmTopic } from './constructs/alarm-topic';
import { GumshoeFunction } from './constructs/gumshoe-function';
import { LogQueryGrants } from './constructs/log-query-grants';
import { addEventSource, queuesFrom, resolveEnv, scheduleFrom, tableFrom } from './constructs/system-parts';
import type { DeployedFlowConfig, LogGroupScope } from './deployed-flows';
import { alarmTopicArn, Names } from './naming';

/** Props of {@link BotStack}. */
export interface BotStackProps extends StackProps {
  readonly config: GumshoeConfig;
  /** The system description both CDK and the local stack are built from. */
  readonly topology: Topology;
  readonly projectRoot: string;
  /** The log groups the bot investigates (names and prefixes): the only ones it may query. */
  readonly logScope: LogGroupScope;
  /** The flow config bundled with the functions that read it; none when absent. */
  readonly flowConfig?: DeployedFlowConfig | undefined;
}

export { AlarmEnv, accountAliasesEnv, BotEnv } from '../../src/topology';

/** How long one alarm invocation may run (the description's value, as a Duration). */
export const ALARM_FUNCTION_TIMEOUT = Duration.seconds(ALARM_FUNCTION_TIMEOUT_SECONDS);

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
  /**
   * The topics the alarm queue subscribes to: the conference stack's by default; alone, the bot's
   * own topic first (when it creates one), then the existing topics given by ARN.
   */
  readonly alarmTopics: readonly ITopic[];
  readonly functionUrl: string;
  private readonly logGrants: LogQueryGrants;
  private readonly props: BotStackProps;

  constructor(scope: Construct, id: string, props: BotStackProps) {
    super(scope, id, props);
    this.props = props;
    const { config } = props;
    const { topology } = props;
    this.alarmTopics = this.alarmTopicsOf(config, topology);
    this.logGrants = new LogQueryGrants(this, props.logScope);

    const slack = required(topology.secrets.slack, 'secret slack');
    // Placeholder values only: the operator stores the real token and signing secret with
    // `aws secretsmanager put-secret-value` after deploy, so they never enter the template.
    this.secret = new Secret(this, 'SlackSecret', {
      secretName: slack.name,
      description: slack.description,
      generateSecretString: {
        secretStringTemplate: JSON.stringify(Object.fromEntries(slack.fields.map((f) => [f, '']))),
        generateStringKey: 'placeholder',
      },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Slack issues the bot token and signing secret; they are rotated in Slack, then stored by hand.',
    });

    // Kept on stack deletion like the service's tables: it holds the Slack thread of every open alarm.
    this.alarmTable = tableFrom(this, 'AlarmState', required(topology.tables.alarmState, 'table alarmState'));
    const botQueues = Object.fromEntries(
      Object.entries(topology.queues).filter(([, q]) => q.stack === 'bot'),
    );
    // The alarm dead-letter queue is also the alarm function's on-failure destination.
    const queues = queuesFrom(this, botQueues, new Set(['alarmDlq']));
    this.alarmQueue = required(queues.alarm, 'queue alarm');
    this.alarmDlq = required(queues.alarmDlq, 'queue alarmDlq');
    const resolvers = {
      tableName: (key: string) => {
        if (key !== 'alarmState') throw new Error(`table ${key} is not in the bot stack`);
        return this.alarmTable.tableName;
      },
      queueUrl: (key: string) => required(queues[key], `queue ${key}`).queueUrl,
      secretArn: (key: string) => {
        if (key !== 'slack') throw new Error(`secret ${key} is not in the bot stack`);
        return this.secret.secretArn;
      },
    };
    // No reserved concurrency on the alarm function: its event source caps it (maxConcurrency), and
    // reserved concurrency under an SQS event source only throttles batches back onto the queue.
    const fn = (id: string, key: FunctionKey): GumshoeFunction => {
      const spec = required(topology.functions[key], `function ${key}`);
      return GumshoeFunction.fromSpec(this, id, spec, {
        projectRoot: props.projectRoot,
        logRetention: config.logRetentionDays as RetentionDays,
        environment: resolveEnv(spec.environment, resolvers),
        bundledFiles: this.flowConfigFor(spec.environment),
      });
    };
    this.worker = fn('Worker', 'worker');
    this.slackEvents = fn('SlackEvents', 'slackEvents');
    this.weeklyCost = fn('WeeklyCost', 'weeklyCost');
    this.alarm = fn('Alarm', 'alarm');
    this.alarmReminder = fn('AlarmReminder', 'alarmReminder');
    const byKey: Partial<Record<string, GumshoeFunction>> = {
      worker: this.worker,
      slackEvents: this.slackEvents,
      weeklyCost: this.weeklyCost,
      alarm: this.alarm,
      alarmReminder: this.alarmReminder,
    };

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
    // GetSecretValue only: Secret.grantRead adds DescribeSecret, which no function calls.
    for (const f of [this.slackEvents, this.worker, this.weeklyCost, this.alarm, this.alarmReminder]) {
      f.fn.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['secretsmanager:GetSecretValue'],
          resources: [this.secret.secretArn],
        }),
      );
    }
    this.logGrants.grantInvestigations(this.worker);
    this.logGrants.grantQueries(this.weeklyCost);
    this.logGrants.grantListing(this.worker);
    this.logGrants.grantListing(this.weeklyCost);

    for (const source of topology.eventSources) {
      const consumer = byKey[source.function];
      if (consumer)
        addEventSource(consumer, source, {
          queue: (key) => required(queues[key], `queue ${key}`),
          table: () => this.alarmTable,
        });
    }
    for (const subscription of topology.subscriptions.filter((s) => s.stack === 'bot')) {
      // Each subscription also adds the queue policy letting only its topic send to the queue.
      if (subscription.topic !== 'alarm') throw new Error(`topic ${subscription.topic} is not imported`);
      for (const topic of this.alarmTopics)
        topic.addSubscription(
          new SqsSubscription(required(queues[subscription.queue], `queue ${subscription.queue}`), {
            rawMessageDelivery: subscription.rawMessageDelivery,
          }),
        );
    }
    this.wireAlarmFunction();
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

    // Each schedule its own role, so it can invoke its function and nothing else.
    for (const [key, spec] of Object.entries(topology.schedules).filter(([, s]) => s.stack === 'bot')) {
      const target = required(byKey[spec.function], `function ${spec.function}`);
      const id = key.charAt(0).toUpperCase() + key.slice(1);
      const role = new Role(this, `${id}SchedulerRole`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      });
      scheduleFrom(this, `${id}Schedule`, spec, target, role);
      this.acknowledgeSchedulerGrant(role, target, spec.function);
    }

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
  private wireAlarmFunction(): void {
    const dlq = this.alarmDlq;
    const topic = required(this.alarmTopics[0], 'alarm topic');
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
    this.logGrants.grantQueries(this.alarm);
  }

  /** The alarm topics, as {@link alarmTopics} says; the bot's own one allows this account's CloudWatch alarms to publish. */
  private alarmTopicsOf(config: GumshoeConfig, topology: Topology): ITopic[] {
    const spec = required(topology.topics.alarm, 'topic alarm');
    const topics: ITopic[] = [];
    if (spec.stack === 'bot') {
      const own = alarmTopic(this, 'AlarmTopic', spec.name);
      topics.push(own);
      new CfnOutput(this, 'AlarmTopicArn', {
        value: own.topicArn,
        description: "The bot's own alarm topic: point your CloudWatch alarms' actions at it",
      });
    } else if (!isStandalone(config)) {
      // The conference stack's topic, rebuilt from its fixed name (no Fn::ImportValue).
      topics.push(Topic.fromTopicArn(this, 'AlarmTopic', alarmTopicArn(this)));
    }
    config.alarmTopicArns.forEach((arn, i) => {
      topics.push(Topic.fromTopicArn(this, `ExistingAlarmTopic${i + 1}`, arn));
    });
    if (topics.length === 0) throw new Error('the bot stack has no alarm topic');
    return topics;
  }

  /** The config file for a function whose environment names it (GUMSHOE_CONFIG); nothing otherwise. */
  private flowConfigFor(environment: Topology['functions'][string]['environment']) {
    const named = environment[BotEnv.flowConfig];
    const config = this.props.flowConfig;
    if (named === undefined || !config) return [];
    if (named !== config.bundledName)
      throw new Error(`GUMSHOE_CONFIG is ${String(named)}, but the bundle holds ${config.bundledName}`);
    return [{ source: config.source, name: config.bundledName }];
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
    const alarmPrefix =
      this.props.config.alarmNamePrefix ?? (isStandalone(this.props.config) ? '' : Names.alarmPrefix);
    const muteRules = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm-mute-rule',
      resourceName: `${Names.muteRulePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const alarms = this.formatArn({
      service: 'cloudwatch',
      resource: 'alarm',
      resourceName: `${alarmPrefix}*`,
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
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:${alarmPrefix}*]`,
      reason: alarmPrefix
        ? 'Only the watched service alarms, which all share this name prefix (-c alarmNamePrefix).'
        : 'Any alarm of this account and region may notify the alarm topics, so any may be muted from Slack; -c alarmNamePrefix narrows it.',
    });
  }

  private acknowledgeSchedulerGrant(role: Role, target: GumshoeFunction, what: string): void {
    const resource = target.fn.node.defaultChild as CfnResource;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(resource)}.Arn>:*]`,
      reason: `The scheduler target grant covers the ${what} function and its versions only.`,
    });
  }
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the description has no ${what}`);
  return value;
}
