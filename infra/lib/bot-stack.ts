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
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
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
  aliases: 'GUMSHOE_ALIASES',
  timeZone: 'GUMSHOE_TIME_ZONE',
  alarmTopicArn: 'GUMSHOE_ALARM_TOPIC_ARN',
  architectures: 'GUMSHOE_ARCHITECTURES',
  defaultArchitecture: 'GUMSHOE_DEFAULT_ARCHITECTURE',
} as const;

/** The Slack bot: request function behind a Function URL, worker, weekly /cost schedule, secret. */
export class BotStack extends Stack {
  readonly slackEvents: GumshoeFunction;
  readonly worker: GumshoeFunction;
  readonly weeklyCost: GumshoeFunction;
  readonly secret: Secret;
  /** ARN of the conference stack's alarm topic: the alarm function (a later issue) subscribes here. */
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
      { timeout: Duration.seconds(10), extraEnv: { [BotEnv.workerFunction]: Names.bot.worker } },
    );
    this.weeklyCost = this.botFunction(
      'WeeklyCost',
      Names.bot.weeklyCost,
      'src/bot/handlers/weekly-cost.ts',
      'Posts the weekly /cost report',
      { timeout: Duration.minutes(2) },
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
    for (const f of [this.slackEvents, this.worker, this.weeklyCost]) this.secret.grantRead(f.fn);
    this.grantInvestigations(this.worker);
    this.grantLogQueries(this.weeklyCost);

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
    const weeklyCostResource = this.weeklyCost.fn.node.defaultChild as CfnResource;
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(weeklyCostResource)}.Arn>:*]`,
      reason: 'The scheduler target grant covers the weekly-cost function and its versions only.',
    });

    new CfnOutput(this, 'SlackRequestUrl', {
      value: `${url.url}slack/events`,
      description: 'Request URL for the Slack app manifest (slash commands and interactivity)',
    });
    new CfnOutput(this, 'FunctionUrl', { value: url.url });
    new CfnOutput(this, 'SlackSecretArn', { value: this.secret.secretArn });
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
    options: { timeout: Duration; extraEnv?: Record<string, string> },
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
      environment: {
        [BotEnv.secretArn]: this.secret.secretArn,
        [BotEnv.channelId]: config.channelId,
        [BotEnv.logGroups]: this.props.watchedFunctions.map(logGroupOf).join(','),
        [BotEnv.aliases]: JSON.stringify(config.aliases),
        [BotEnv.timeZone]: config.timeZone,
        [BotEnv.alarmTopicArn]: this.alarmTopicArn,
        // Every function here is arm64 (GumshoeFunction); /cost prices by architecture.
        [BotEnv.architectures]: this.props.watchedFunctions.map((name) => `${name}=arm64`).join(','),
        [BotEnv.defaultArchitecture]: 'arm64',
        ...options.extraEnv,
      },
    });
  }
}
