import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, BillingMode, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import { STREAM_CONSUMER_SETTINGS } from '../../src/conference-app/contract/stream-consumers';
import type { GumshoeConfig } from './config';
import { GumshoeFunction } from './constructs/gumshoe-function';
import { ServiceAlarms } from './constructs/service-alarms';
import { ServiceDashboard } from './constructs/service-dashboard';
import { Names } from './naming';

const WATCHED_LOG_GROUPS = Object.values(FunctionNames).map(logGroupOf);

/** Props of {@link ConferenceStack}. */
export interface ConferenceStackProps extends StackProps {
  readonly config: GumshoeConfig;
  /** The repository root (entries, lock file). */
  readonly projectRoot: string;
}

/** The env names the service handlers read (src/conference-app/handlers/config.ts). */
export const ServiceEnv = {
  sessionsTable: 'SESSIONS_TABLE_NAME',
  cacheTable: 'CACHE_TABLE_NAME',
  saveQueueUrl: 'SESSIONS_QUEUE_URL',
  webhookSecretArn: 'SLACK_WEBHOOK_SECRET_ARN',
  partnerUrl: 'PARTNER_BASE_URL',
  faultSaveDelayMs: 'FAULT_SAVE_DELAY_MS',
  faultSaveErrorRate: 'FAULT_SAVE_ERROR_RATE',
  faultNotifyLatencyMs: 'FAULT_NOTIFY_LATENCY_MS',
  deliveriesTable: 'DELIVERIES_TABLE_NAME',
} as const;

const SAVE_TIMEOUT_SECONDS = 30;

// The stream consumers' settings, shared with the local stack (src/conference-app/contract/stream-consumers.ts):
// a failing batch is halved and retried, spaced out, for at most an hour, then parked on the stream DLQ.
const STREAM = STREAM_CONSUMER_SETTINGS;
const STREAM_RETRY = {
  batchSize: STREAM.batchSize,
  maxBatchingWindow: Duration.millis(STREAM.maxBatchingWindowMs),
  parallelizationFactor: STREAM.parallelizationFactor,
  bisectBatchOnError: STREAM.bisectBatchOnError,
  reportBatchItemFailures: STREAM.reportBatchItemFailures,
  maxRecordAge: Duration.seconds(STREAM.maxRecordAgeSeconds),
  retryAttempts: STREAM.retryAttempts,
} as const;

/** The conference-session service: HTTP API, five functions, tables, queue, dashboard and alarms. */
export class ConferenceStack extends Stack {
  /** Every service function by its contract key, for the bot stack's watch list. */
  readonly functions: Readonly<Record<keyof typeof FunctionNames, GumshoeFunction>>;
  readonly alarmTopic: Topic;
  readonly apiUrl: string;

  constructor(scope: Construct, id: string, props: ConferenceStackProps) {
    super(scope, id, props);
    const { config, projectRoot } = props;
    const logRetention = config.logRetentionDays as RetentionDays;

    // Key schemas match src/conference-app/store/table-definitions.ts (used locally with dynalite).
    const sessions = new Table(this, 'Sessions', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const cache = new Table(this, 'Cache', {
      partitionKey: { name: 'sessionId', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Which sessions were announced and forwarded, so a redelivered stream record is not sent again.
    const deliveries = new Table(this, 'Deliveries', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiration',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const saveDlq = this.deadLetterQueue('SaveDlq');
    const saveQueue = new Queue(this, 'SaveQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the save function's timeout, as Lambda's SQS guidance recommends.
      visibilityTimeout: Duration.seconds(6 * SAVE_TIMEOUT_SECONDS),
      deadLetterQueue: { queue: saveDlq, maxReceiveCount: 3 },
    });
    const streamDlq = this.deadLetterQueue('StreamDlq');

    const fn = (
      key: keyof typeof FunctionNames,
      file: string,
      description: string,
      env: Record<string, string>,
      timeout?: Duration,
    ) =>
      new GumshoeFunction(this, key, {
        ...(timeout ? { timeout } : {}),
        functionName: FunctionNames[key],
        entry: `src/conference-app/handlers/${file}.ts`,
        projectRoot,
        description,
        environment: env,
        logRetention,
        indexedFields: ['traceId', 'sessionId'],
        adotLayerArn: config.adotLayerArn,
      });

    const create = fn('createSession', 'create-session', 'POST /sessions: validates and queues a session', {
      [ServiceEnv.saveQueueUrl]: saveQueue.queueUrl,
    });
    const save = fn(
      'saveSession',
      'save-session',
      'Saves queued sessions to DynamoDB',
      {
        [ServiceEnv.sessionsTable]: sessions.tableName,
        [ServiceEnv.cacheTable]: cache.tableName,
        ...faultEnv(ServiceEnv.faultSaveDelayMs, config.faults.saveDelayMs),
        ...faultEnv(ServiceEnv.faultSaveErrorRate, config.faults.saveErrorRate),
      },
      Duration.seconds(SAVE_TIMEOUT_SECONDS),
    );
    // An incoming-webhook URL is a credential: the operator stores it after deploy
    // (`aws secretsmanager put-secret-value`); only the secret's ARN reaches the function.
    const webhookSecret = new Secret(this, 'SlackWebhookSecret', {
      secretName: Names.webhookSecret,
      description: 'Slack incoming-webhook URL the conference service announces new sessions to',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Slack issues incoming-webhook URLs; they are rotated in Slack, then stored by hand.',
    });
    const notify = fn('notifyNewSession', 'notify-new-session', 'Posts new sessions to Slack', {
      [ServiceEnv.webhookSecretArn]: webhookSecret.secretArn,
      [ServiceEnv.deliveriesTable]: deliveries.tableName,
      ...faultEnv(ServiceEnv.faultNotifyLatencyMs, config.faults.notifyLatencyMs),
    });
    const forward = fn('forwardSession', 'forward-session', 'Forwards new sessions to the partner', {
      [ServiceEnv.partnerUrl]: config.partnerUrl,
      [ServiceEnv.deliveriesTable]: deliveries.tableName,
    });
    const list = fn('listSessions', 'list-sessions', 'GET /sessions: lists saved sessions', {
      [ServiceEnv.sessionsTable]: sessions.tableName,
    });
    this.functions = {
      createSession: create,
      saveSession: save,
      notifyNewSession: notify,
      forwardSession: forward,
      listSessions: list,
    };

    saveQueue.grantSendMessages(create.fn);
    webhookSecret.grantRead(notify.fn);
    sessions.grantWriteData(save.fn);
    cache.grantReadWriteData(save.fn);
    sessions.grantReadData(list.fn);
    deliveries.grantReadWriteData(notify.fn);
    deliveries.grantReadWriteData(forward.fn);

    save.fn.addEventSource(new SqsEventSource(saveQueue, { batchSize: 10, reportBatchItemFailures: true }));
    for (const consumer of [notify, forward]) {
      consumer.fn.addEventSource(
        new DynamoEventSource(sessions, {
          startingPosition: StartingPosition.LATEST,
          ...STREAM_RETRY,
          onFailure: new SqsDlq(streamDlq),
        }),
      );
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', { apiName: 'conference-session', createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    api.addRoutes({
      path: '/sessions',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('CreateSession', create.fn),
    });
    api.addRoutes({
      path: '/sessions',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('ListSessions', list.fn),
    });
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The conference API is a public demo API (the seed calls it with curl); it has no users to authorize.',
    });
    this.apiUrl = stage.url;

    this.alarmTopic = new Topic(this, 'AlarmTopic', { topicName: Names.alarmTopic, enforceSSL: true });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'Alarm notifications hold no confidential data, and CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key.',
    });

    new ServiceAlarms(this, 'Alarms', {
      topic: this.alarmTopic,
      functions: Object.values(this.functions),
      notifierLogGroup: notify.logGroup,
      leadTimeThresholdMs: config.leadTimeThresholdMs,
      saveDlq,
      streamDlq,
      api,
    });
    new ServiceDashboard(this, 'Dashboard', {
      logGroupNames: WATCHED_LOG_GROUPS,
    });

    new CfnOutput(this, 'ApiUrl', { value: stage.url, description: 'Base URL of the conference API' });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  private deadLetterQueue(id: string): Queue {
    const queue = new Queue(this, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself a dead-letter queue; its depth is alarmed on.',
    });
    return queue;
  }
}

// Faults stay off unless the context turns them on (the demo's slow-notification scenario).
function faultEnv(name: string, value: number | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: String(value) };
}
