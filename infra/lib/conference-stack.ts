import { CfnOutput, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import type { Topology } from '../../src/topology';
import type { GumshoeConfig } from './config';
import { alarmTopic } from './constructs/alarm-topic';
import { GumshoeFunction } from './constructs/gumshoe-function';
import { ServiceAlarms } from './constructs/service-alarms';
import { ServiceDashboard } from './constructs/service-dashboard';
import { allowSpanExport, TransactionSearch } from './constructs/span-export';
import { addEventSource, queuesFrom, resolveEnv, tableFrom } from './constructs/system-parts';

const WATCHED_LOG_GROUPS = Object.values(FunctionNames).map(logGroupOf);

/** Props of {@link ConferenceStack}. */
export interface ConferenceStackProps extends StackProps {
  readonly config: GumshoeConfig;
  /** The system description both CDK and the local stack are built from. */
  readonly topology: Topology;
  /** The repository root (entries, lock file). */
  readonly projectRoot: string;
}

export { ServiceEnv } from '../../src/topology';

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

    const { topology } = props;
    const mine = <T extends { stack: string }>(specs: Readonly<Record<string, T>>) =>
      Object.fromEntries(Object.entries(specs).filter(([, spec]) => spec.stack === 'conference'));
    const tables = Object.fromEntries(
      Object.entries(mine(topology.tables)).map(([key, spec]) => [
        key,
        tableFrom(this, `Table-${key}`, spec),
      ]),
    );
    const failureQueues = new Set(
      topology.eventSources.flatMap((s) => (s.type === 'dynamodb' ? [s.onFailureQueue] : [])),
    );
    const deadLetters = new Set([
      ...failureQueues,
      ...Object.values(topology.queues).flatMap((q) => (q.deadLetter ? [q.deadLetter.queue] : [])),
    ]);
    const queues = queuesFrom(this, mine(topology.queues), deadLetters);
    // An incoming-webhook URL is a credential: the operator stores it after deploy
    // (`aws secretsmanager put-secret-value`); only the secret's ARN reaches the function.
    const webhook = topology.secrets.webhook;
    if (!webhook) throw new Error('the description has no webhook secret');
    const webhookSecret = new Secret(this, 'SlackWebhookSecret', {
      secretName: webhook.name,
      description: webhook.description,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Slack issues incoming-webhook URLs; they are rotated in Slack, then stored by hand.',
    });
    const lookup = {
      table: (key: string) => required(tables[key], `table ${key}`),
      queue: (key: string) => required(queues[key], `queue ${key}`),
    };
    const resolvers = {
      tableName: (key: string) => lookup.table(key).tableName,
      queueUrl: (key: string) => lookup.queue(key).queueUrl,
      secretArn: (key: string) => {
        if (key !== 'webhook') throw new Error(`secret ${key} is not in the conference stack`);
        return webhookSecret.secretArn;
      },
    };
    const fn = (key: keyof typeof FunctionNames): GumshoeFunction => {
      const spec = required(topology.functions[key], `function ${key}`);
      return GumshoeFunction.fromSpec(this, key, spec, {
        projectRoot,
        logRetention,
        environment: resolveEnv(spec.environment, resolvers),
      });
    };
    const create = fn('createSession');
    const save = fn('saveSession');
    const notify = fn('notifyNewSession');
    const forward = fn('forwardSession');
    const list = fn('listSessions');
    this.functions = {
      createSession: create,
      saveSession: save,
      notifyNewSession: notify,
      forwardSession: forward,
      listSessions: list,
    };
    const sessions = lookup.table('sessions');
    const cache = lookup.table('cache');
    const saveQueue = lookup.queue('save');
    const saveDlq = lookup.queue('saveDlq');
    const streamDlq = lookup.queue('streamDlq');

    // Exactly what each function's code sends (test/infra/iam-matches-code.test.ts derives it from
    // the bundles): CDK's grant helpers add reads and batch actions no code here makes.
    const deliveries = lookup.table('deliveries');
    // BatchWriteItem: a message's deliveries are marked done in one write (completeAll).
    const ledger = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
    allow(create, ['sqs:SendMessage'], [saveQueue.queueArn]);
    allow(save, ['dynamodb:PutItem'], [sessions.tableArn, cache.tableArn]);
    allow(notify, ['secretsmanager:GetSecretValue'], [webhookSecret.secretArn]);
    allow(notify, ledger, [deliveries.tableArn]);
    allow(forward, ledger, [deliveries.tableArn]);
    allow(list, ['dynamodb:Query'], [sessions.tableArn]);
    // The save function's span (Sessions.saveSessionDynamoDB) goes to X-Ray's OTLP endpoint.
    allowSpanExport(save);
    if (config.transactionSearch) new TransactionSearch(this, 'TransactionSearch');

    for (const source of topology.eventSources) {
      const consumer = this.functions[source.function as keyof typeof FunctionNames];
      if (consumer) addEventSource(consumer, source, lookup);
    }

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', { apiName: topology.httpApi.name, createDefaultStage: false });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: api,
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 50, burstLimit: 100 },
    });
    for (const [route, key] of Object.entries(topology.httpApi.routes)) {
      const [method, path] = route.split(' ') as [keyof typeof HttpMethod, string];
      const target = required(this.functions[key as keyof typeof FunctionNames], `function ${key}`);
      api.addRoutes({
        path,
        methods: [HttpMethod[method]],
        integration: new HttpLambdaIntegration(`Route-${key}`, target.fn),
      });
    }
    Validations.of(api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The conference API is a public demo API (the seed calls it with curl); it has no users to authorize.',
    });
    this.apiUrl = stage.url;

    this.alarmTopic = alarmTopic(this, 'AlarmTopic', required(topology.topics.alarm, 'topic alarm').name);

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
}

function allow(fn: GumshoeFunction, actions: string[], resources: string[]): void {
  fn.fn.addToRolePolicy(new PolicyStatement({ effect: Effect.ALLOW, actions, resources }));
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the description has no ${what}`);
  return value;
}
