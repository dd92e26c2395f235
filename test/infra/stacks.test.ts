import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';
import { FunctionNames } from '../../src/conference-app/contract/function-names';
import { STREAM_CONSUMER_SETTINGS } from '../../src/conference-app/contract/stream-consumers';
import { conferenceOf } from './synth-gumshoe';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

// One synthesis for the whole file: building the app is the slow part.
let conference: Template;
let bot: Template;
let synthError: unknown;

beforeAll(() => {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      channelId: 'C0123ABCD',
      timeZone: 'Europe/Paris',
      aliases: '{"123456789012":"prod","210987654321":"staging"}',
      alarmReminderMinutes: '15',
      alarmMentionHere: 'true',
    },
  });
  const stacks = buildGumshoeApp(app, PROJECT_ROOT);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    app.synth();
  } catch (error) {
    synthError = error;
  }
  conference = Template.fromStack(conferenceOf(stacks));
  bot = Template.fromStack(stacks.bot);
  // Synthesis takes seconds alone and much longer on a loaded machine.
}, 180_000);

function statementsOf(template: Template, roleId?: string): Statement[] {
  const filter = roleId ? { Properties: { Roles: [{ Ref: roleId }] } } : undefined;
  return Object.values(template.findResources('AWS::IAM::Policy', filter)).flatMap(
    (p) =>
      (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument
        .Statement,
  );
}

function statementsWith(template: Template, action: string): Statement[] {
  return statementsOf(template).filter((s) => [s.Action].flat().includes(action));
}

function roleOf(template: Template, functionName: string): string {
  const fn = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } });
  const role = (Object.values(fn)[0] as { Properties: { Role: { 'Fn::GetAtt': [string, string] } } })
    .Properties.Role;
  return role['Fn::GetAtt'][0];
}

function functionLogicalId(template: Template, name: string): string {
  const found = template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: name } });
  const [id] = Object.keys(found);
  if (!id) throw new Error(`no function ${name}`);
  return id;
}

describe('cdk-nag (AwsSolutions)', () => {
  it('reports no unacknowledged finding', () => {
    expect(synthError === undefined ? 'none' : String(synthError)).toBe('none');
  });
});

describe('ConferenceStack', () => {
  it('routes POST and GET /sessions on an HTTP API', () => {
    conference.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /sessions' });
    conference.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /sessions' });
  });

  it('runs every service function on nodejs22.x arm64 with tracing and TEXT logs, without the ADOT layer wrapper', () => {
    for (const name of Object.values(FunctionNames)) {
      conference.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: Match.objectLike({ LogFormat: 'Text' }),
        Layers: Match.absent(),
        Environment: { Variables: Match.objectLike({ AWS_LAMBDA_EXEC_WRAPPER: Match.absent() }) },
      });
    }
  });

  it("lets the save function send its spans to X-Ray's OTLP endpoint (PutSpans, PutSpansForIndexing)", () => {
    const statements = statementsOf(conference, roleOf(conference, FunctionNames.saveSession));
    const spans = statements.find((s) => [s.Action].flat().includes('xray:PutSpans'));

    expect([spans?.Action].flat().sort()).toEqual(['xray:PutSpans', 'xray:PutSpansForIndexing']);
    expect(spans?.Resource).toBe('*');
  });

  it('turns on Transaction Search, letting only X-Ray of this account write the span log groups', () => {
    conference.hasResourceProperties('AWS::XRay::TransactionSearchConfig', { IndexingPercentage: 1 });
    const [policy] = Object.values(conference.findResources('AWS::Logs::ResourcePolicy')) as {
      Properties: { PolicyDocument: unknown };
    }[];
    const document = JSON.stringify(policy?.Properties.PolicyDocument);

    expect(document).toContain('xray.amazonaws.com');
    expect(document).toContain('logs:PutLogEvents');
    expect(document).toContain('aws/spans');
    expect(document).toContain('aws:SourceAccount');
  });

  it('indexes traceId and sessionId in every service log group, with retention', () => {
    for (const name of Object.values(FunctionNames)) {
      conference.hasResourceProperties('AWS::Logs::LogGroup', {
        LogGroupName: `/aws/lambda/${name}`,
        RetentionInDays: 30,
        FieldIndexPolicies: [{ Fields: ['traceId', 'sessionId'] }],
      });
    }
  });

  it('streams new and old images from the sessions table and keeps PITR on both tables', () => {
    conference.hasResourceProperties('AWS::DynamoDB::Table', {
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    conference.resourcePropertiesCountIs(
      'AWS::DynamoDB::Table',
      {
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      3,
    );
  });

  it('keeps a delivery ledger with a TTL that only the notification and forwarding functions write', () => {
    conference.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    for (const name of [FunctionNames.notifyNewSession, FunctionNames.forwardSession]) {
      conference.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Environment: { Variables: Match.objectLike({ DELIVERIES_TABLE_NAME: Match.anyValue() }) },
      });
    }
  });

  it('consumes the stream twice with the shared settings: bisect, partial failures, max record age, retries and an SQS destination', () => {
    const mappings = conference.findResources('AWS::Lambda::EventSourceMapping', {
      Properties: {
        BatchSize: STREAM_CONSUMER_SETTINGS.batchSize,
        ParallelizationFactor: STREAM_CONSUMER_SETTINGS.parallelizationFactor,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRecordAgeInSeconds: STREAM_CONSUMER_SETTINGS.maxRecordAgeSeconds,
        MaximumRetryAttempts: STREAM_CONSUMER_SETTINGS.retryAttempts,
        DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      },
    });
    expect(Object.keys(mappings)).toHaveLength(2);
  });

  it('feeds the save function from SQS with partial batch failures, behind a DLQ', () => {
    conference.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(conference, FunctionNames.saveSession) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    conference.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 3 },
    });
  });

  it('alarms on errors of each function, lead time, DLQ depth, API 5xx and p99 latency, all to the alarms topic', () => {
    const topic = conference.findResources('AWS::SNS::Topic', {
      Properties: { TopicName: Match.stringLikeRegexp('alarms') },
    });
    const [topicId] = Object.keys(topic);
    expect(topicId).toBeDefined();
    const alarms = Object.values(conference.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmName: string; AlarmActions: unknown[] };
    }[];
    const names = alarms.map((a) => a.Properties.AlarmName).sort();
    expect(names).toEqual(
      [
        ...Object.values(FunctionNames).map((n) => `conference-errors-${n}`),
        ...Object.values(FunctionNames).map((n) => `conference-logged-errors-${n}`),
        'conference-notification-lead-time',
        'conference-save-dlq-depth',
        'conference-stream-dlq-depth',
        'conference-api-5xx',
        'conference-api-latency-p99',
      ].sort(),
    );
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('counts logged ERROR lines per function, so failures reported as partial batch failures alarm within a minute', () => {
    conference.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: Match.anyValue(),
      FilterPattern: '{ $.level = "ERROR" }',
      MetricTransformations: [
        Match.objectLike({
          MetricName: 'LoggedErrors',
          MetricValue: '1',
          Dimensions: [{ Key: 'FunctionName', Value: '$.functionName' }],
        }),
      ],
    });
    conference.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `conference-logged-errors-${FunctionNames.saveSession}`,
      MetricName: 'LoggedErrors',
      Dimensions: [{ Name: 'FunctionName', Value: FunctionNames.saveSession }],
      Period: 60,
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('measures lead time with a metric filter on the notification line', () => {
    conference.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: Match.stringLikeRegexp('SLACK_NOTIFICATION_NEW_SESSION_SENT'),
      MetricTransformations: [Match.objectLike({ MetricValue: '$.leadTimeMs' })],
    });
  });

  it('puts the seed lead-time query on the dashboard', () => {
    const [dashboard] = Object.values(conference.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify((dashboard as { Properties: unknown }).Properties);
    expect(body).toContain('LeadTimeInSeconds by traceId');
    expect(body).toContain('TotalCostInDollar');
    expect(body).toContain("SOURCE '/aws/lambda/conference-slack-notification-lambda'");
  });
});

describe('BotStack', () => {
  it('serves Slack through a Function URL without IAM auth (Slack signs requests instead)', () => {
    bot.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'NONE',
      TargetFunctionArn: { 'Fn::GetAtt': [functionLogicalId(bot, 'gumshoe-slack-events'), 'Arn'] },
    });
    // The public may invoke it only through the URL, never through the Invoke API.
    bot.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
  });

  it('tells the bot which log groups to watch and which worker to hand off to (src/bot/config.ts names)', () => {
    bot.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gumshoe-slack-events',
      Environment: {
        Variables: Match.objectLike({
          GUMSHOE_CHANNEL: 'C0123ABCD',
          GUMSHOE_WORKER_FUNCTION: 'gumshoe-worker',
          GUMSHOE_LOG_GROUPS: Object.values(FunctionNames)
            .map((n) => `/aws/lambda/${n}`)
            .join(','),
          SLACK_SECRET_ARN: { Ref: Match.anyValue() },
        }),
      },
    });
  });

  it('gives the Slack handler the memory its cold start was measured at, without a source map (docs/bench.md)', () => {
    // 1536 MB is 0.87 vCPU; NODE_OPTIONS=--enable-source-maps would make Node parse the map at every cold start.
    bot.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gumshoe-slack-events',
      MemorySize: 1536,
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: Match.absent() }) },
    });
    bot.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gumshoe-worker',
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('lets the request function invoke the worker only', () => {
    const role = roleOf(bot, 'gumshoe-slack-events');
    const invokes = statementsOf(bot, role).filter((s) =>
      [s.Action].flat().includes('lambda:InvokeFunction'),
    );
    expect(invokes.flatMap((s) => [s.Resource].flat())).toEqual([
      { 'Fn::GetAtt': [functionLogicalId(bot, 'gumshoe-worker'), 'Arn'] },
    ]);
  });

  it('scopes logs:StartQuery to the watched log groups', () => {
    const [statement] = statementsWith(bot, 'logs:StartQuery');
    const resources = JSON.stringify(statement?.Resource);
    for (const name of Object.values(FunctionNames))
      expect(resources).toContain(`log-group:/aws/lambda/${name}`);
    // Each group as itself and as `<group>:*` (its streams), nothing else.
    expect([statement?.Resource].flat()).toHaveLength(2 * Object.values(FunctionNames).length);
    expect(resources).not.toMatch(/log-group:\*|log-group:\/aws\/lambda\/\*/);
  });

  it('gives X-Ray reads to the worker only; the weekly report may only query logs', () => {
    const weekly = statementsOf(bot, roleOf(bot, 'gumshoe-weekly-cost')).flatMap((s) => [s.Action].flat());
    const worker = statementsOf(bot, roleOf(bot, 'gumshoe-worker')).flatMap((s) => [s.Action].flat());
    expect(weekly).toContain('logs:StartQuery');
    expect(weekly).not.toContain('xray:BatchGetTraces');
    expect(worker).toEqual(expect.arrayContaining(['xray:BatchGetTraces', 'xray:GetTraceSummaries']));
    // Nothing in the worker's code reads alarms or draws metric graphs.
    expect(worker).not.toContain('cloudwatch:DescribeAlarms');
    expect(worker).not.toContain('cloudwatch:GetMetricWidgetImage');
  });

  it('reads the Slack secret only by its ARN', () => {
    const [secretId] = Object.keys(bot.findResources('AWS::SecretsManager::Secret'));
    const reads = statementsWith(bot, 'secretsmanager:GetSecretValue');
    expect(reads).toHaveLength(5);
    for (const s of reads) expect(s.Resource).toEqual({ Ref: secretId });
  });

  it('uses "*" only for actions without resource-level permissions', () => {
    const allowedStar = new Set([
      'logs:GetQueryResults',
      'logs:StopQuery',
      'xray:BatchGetTraces',
      'xray:GetTraceSummaries',
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:PutSpans',
      'xray:PutSpansForIndexing',
      'cloudwatch:GetMetricWidgetImage',
      'dynamodb:ListStreams',
    ]);
    for (const s of [...statementsOf(bot), ...statementsOf(conference)]) {
      if ([s.Resource].flat().includes('*')) {
        for (const action of [s.Action].flat()) expect(allowedStar).toContain(action);
      }
    }
  });

  it('gives the notifier its webhook URL only through a secret it alone may read', () => {
    const [secretId] = Object.keys(conference.findResources('AWS::SecretsManager::Secret'));
    conference.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: FunctionNames.notifyNewSession,
      Environment: { Variables: Match.objectLike({ SLACK_WEBHOOK_SECRET_ARN: { Ref: secretId } }) },
    });
    const reads = statementsWith(conference, 'secretsmanager:GetSecretValue');
    expect(reads).toHaveLength(1);
    expect(reads[0]?.Resource).toEqual({ Ref: secretId });
    const readers = Object.values(
      conference.findResources('AWS::IAM::Policy', {
        Properties: {
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Resource: { Ref: secretId } })]) },
        },
      }),
    ).map((p) => (p as { Properties: { Roles: { Ref: string }[] } }).Properties.Roles[0]?.Ref);
    expect(readers).toEqual([roleOf(conference, FunctionNames.notifyNewSession)]);
  });

  it('schedules the weekly cost report on Mondays at 09:00 in the configured time zone', () => {
    bot.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 9 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionLogicalId(bot, 'gumshoe-weekly-cost'), 'Arn'] },
      }),
    });
  });

  function queueId(name: string): string {
    const [id] = Object.keys(bot.findResources('AWS::SQS::Queue', { Properties: { QueueName: name } }));
    if (!id) throw new Error(`no queue ${name}`);
    return id;
  }

  function alarmDlqId(): string {
    const ids = Object.keys(bot.findResources('AWS::SQS::Queue')).filter(
      (id) => id !== queueId('gumshoe-alarm-queue'),
    );
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  }

  it('subscribes an encrypted, SSL-only alarm queue to the conference alarm topic, raw delivery off', () => {
    const queue = queueId('gumshoe-alarm-queue');
    bot.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':conference-alarms$')])],
      }),
      Endpoint: { 'Fn::GetAtt': [queue, 'Arn'] },
    });
    expect(JSON.stringify(bot.findResources('AWS::SNS::Subscription'))).not.toContain(
      '"RawMessageDelivery":true',
    );
    expect(bot.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'lambda' } })).toEqual({});
    bot.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'gumshoe-alarm-queue',
      SqsManagedSseEnabled: true,
    });
  });

  it('lets only the alarm topic send to the alarm queue, over TLS', () => {
    const queue = queueId('gumshoe-alarm-queue');
    bot.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Condition: {
              ArnEquals: {
                'aws:SourceArn': Match.objectLike({
                  'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':conference-alarms$')])],
                }),
              },
            },
          }),
        ]),
      },
    });
  });

  it('gives the alarm queue a visibility timeout of six function timeouts and a dead-letter queue after 5 receives', () => {
    const fn = bot.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'gumshoe-alarm' } });
    const timeout = (Object.values(fn)[0] as { Properties: { Timeout: number } }).Properties.Timeout;
    bot.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'gumshoe-alarm-queue',
      VisibilityTimeout: timeout * 6,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [alarmDlqId(), 'Arn'] }, maxReceiveCount: 5 },
    });
  });

  it('feeds the alarm function from the queue in batches of 100 within 20 s, at most two at once, with partial failures', () => {
    bot.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionLogicalId(bot, 'gumshoe-alarm') },
      EventSourceArn: { 'Fn::GetAtt': [queueId('gumshoe-alarm-queue'), 'Arn'] },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the alarm function shorten the visibility of its deferred records on the alarm queue only', () => {
    const queueArn = { 'Fn::GetAtt': [queueId('gumshoe-alarm-queue'), 'Arn'] };
    const granting = statementsOf(bot, roleOf(bot, 'gumshoe-alarm')).filter((s) =>
      [s.Action].flat().includes('sqs:ChangeMessageVisibility'),
    );
    expect(granting.map((s) => s.Resource)).toEqual([queueArn]);
    bot.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'gumshoe-alarm',
      Environment: {
        Variables: Match.objectLike({ GUMSHOE_ALARM_QUEUE_URL: { Ref: queueId('gumshoe-alarm-queue') } }),
      },
    });
  });

  it('reserves no concurrency for the alarm function, which would throttle the SQS event source', () => {
    const fn = bot.findResources('AWS::Lambda::Function', { Properties: { FunctionName: 'gumshoe-alarm' } });
    const props = (Object.values(fn)[0] as { Properties: Record<string, unknown> }).Properties;
    expect(props.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('retries a failed direct invocation twice, then sends it to the SSL-only dead-letter queue', () => {
    const dlqId = alarmDlqId();
    bot.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId(bot, 'gumshoe-alarm') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    bot.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: dlqId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('alarms to the alarm topic as soon as the dead-letter queue holds a message', () => {
    bot.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'gumshoe-alarm-dlq-not-empty',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [alarmDlqId(), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [
        Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':conference-alarms$')])],
        }),
      ],
    });
  });

  it('keys the alarm-state table on pk, on demand, with TTL on expiresAt, PITR, and retained', () => {
    bot.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('runs the alarm reminder at the configured rate', () => {
    bot.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [functionLogicalId(bot, 'gumshoe-alarm-reminder'), 'Arn'] },
      }),
    });
  });

  it('gives the alarm Lambdas and the Slack handler the alarm settings (src/bot/alarms/alarm-config.ts names)', () => {
    const [tableId] = Object.keys(bot.findResources('AWS::DynamoDB::Table'));
    for (const name of ['gumshoe-alarm', 'gumshoe-alarm-reminder', 'gumshoe-slack-events']) {
      bot.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: name,
        Environment: {
          Variables: Match.objectLike({
            GUMSHOE_ALARM_TABLE: { Ref: tableId },
            GUMSHOE_ACCOUNT_ALIASES: '123456789012=prod,210987654321=staging',
            GUMSHOE_ALARM_MENTION_HERE: 'true',
            GUMSHOE_ALARM_REMINDER_MINUTES: '15',
          }),
        },
      });
    }
  });

  it('sets no bot env variable that no bot code reads', () => {
    for (const fn of Object.values(bot.findResources('AWS::Lambda::Function'))) {
      const vars = Object.keys(
        (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
          .Environment?.Variables ?? {},
      );
      expect(vars).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/^GUMSHOE_(ALIASES|TIME_ZONE|ALARM_TOPIC_ARN)$/)]),
      );
    }
  });

  it('grants each alarm-table user exactly its item operations, on the table only', () => {
    const [tableId] = Object.keys(bot.findResources('AWS::DynamoDB::Table'));
    const tableActions = (fn: string) =>
      statementsOf(bot, roleOf(bot, fn))
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('dynamodb:')))
        .map((s) => {
          expect([s.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
          return [s.Action].flat().sort();
        });
    expect({
      alarm: tableActions('gumshoe-alarm'),
      reminder: tableActions('gumshoe-alarm-reminder'),
      slackEvents: tableActions('gumshoe-slack-events'),
      worker: tableActions('gumshoe-worker'),
    }).toEqual({
      alarm: [['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
      reminder: [['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem']],
      slackEvents: [['dynamodb:GetItem', 'dynamodb:PutItem']],
      worker: [],
    });
  });

  it('lets the alarm function draw metric graphs and query the watched log groups, nothing more', () => {
    const actions = statementsOf(bot, roleOf(bot, 'gumshoe-alarm')).flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining(['cloudwatch:GetMetricWidgetImage', 'logs:StartQuery', 'logs:GetQueryResults']),
    );
    expect(actions).not.toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^xray:(BatchGetTraces|GetTraceSummaries)$|^cloudwatch:(DescribeAlarms|PutAlarmMuteRule)$/,
        ),
      ]),
    );
  });

  it('scopes mute and unmute to Gumshoe mute rules and the conference alarms, for the Slack handler only', () => {
    const resourcesOf = (action: string) =>
      statementsWith(bot, action).map((s) => JSON.stringify(s.Resource));
    const put = resourcesOf('cloudwatch:PutAlarmMuteRule');
    const del = resourcesOf('cloudwatch:DeleteAlarmMuteRule');
    expect(put).toHaveLength(1);
    expect(put[0]).toMatch(/alarm-mute-rule:gumshoe-mute-\*.*alarm:conference-\*/);
    expect(del).toHaveLength(1);
    expect(del[0]).toMatch(/alarm-mute-rule:gumshoe-mute-\*"\]/);
    const holders = statementsOf(bot, roleOf(bot, 'gumshoe-slack-events')).flatMap((s) => [s.Action].flat());
    expect(holders).toEqual(
      expect.arrayContaining(['cloudwatch:PutAlarmMuteRule', 'cloudwatch:DeleteAlarmMuteRule']),
    );
  });

  it('creates the secret with placeholders only and never puts secret values in function environments', () => {
    bot.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"botToken":"","signingSecret":""}' }),
    });
    const tokenLike = /xox[abposr]-|xapp-|^[0-9a-f]{32}$|hooks\.slack\.com\/services\/T/;
    for (const template of [bot, conference]) {
      for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
        const vars =
          (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
            .Environment?.Variables ?? {};
        for (const [key, value] of Object.entries(vars)) {
          expect(key).not.toMatch(/TOKEN|SIGNING_SECRET|PASSWORD/);
          if (typeof value === 'string') expect(value).not.toMatch(tokenLike);
        }
      }
    }
  });
});
