import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_AWS_ACCOUNT_ID, type LocalAws, startLocalAws } from '../../src/local/aws';
import { TraceStore } from '../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../src/local/aws/xray/xray-service';
import {
  LOCAL_SLACK_DEFAULTS,
  LOCAL_WORKSPACE,
  type LocalSlack,
  startLocalSlack,
} from '../../src/local/slack';
import { createQueues, createTables, type LocalQueue } from '../../src/local/stack-resources';
import { type StandIns, startStandIns } from '../../src/local/stand-ins';
import { describeSystem, type Topology } from '../../src/topology';
import {
  type DeployedFunction,
  deployedFunctions,
  resolveIntrinsic,
  type StackTemplate,
  synthesizeApp,
} from './lambda-assets';

const region = 'eu-west-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** One asynchronous Lambda Invoke a deployed function made (the Slack handler hands jobs to the worker). */
export interface RecordedInvoke {
  functionName: string;
  invocationType: string | undefined;
  payload: unknown;
}

/**
 * The local stack's parts a deployed bundle talks to (the local AWS endpoint with DynamoDB, SQS,
 * Secrets Manager and a recording Lambda Invoke; the local Slack; the webhook and partner
 * stand-ins), with no function runner of its own: only the bundles under test consume the
 * queues and streams. Built from the same description, with the local stack's settings.
 */
export interface AssetWorld {
  aws: LocalAws;
  slack: LocalSlack;
  standIns: StandIns;
  topology: Topology;
  queues: Record<string, LocalQueue>;
  clients: {
    dynamodb: DynamoDBClient;
    sqs: SQSClient;
    streams: DynamoDBStreamsClient;
    secrets: SecretsManagerClient;
  };
  invokes: RecordedInvoke[];
  /** Every deployed function, from `cdk synth` of the app with the same settings. */
  functions: DeployedFunction[];
  /** The ARN the local Secrets Manager gave each secret of the templates, by name. */
  secretArns: Map<string, string>;
  /** The function's environment as its template gives it, resolved against the local resources. */
  environmentOf(fn: DeployedFunction): Record<string, string>;
  close(): Promise<void>;
}

/** Starts the parts, synthesizes the CDK app (bundling on) and stores each secret's local value. */
export async function startAssetWorld(): Promise<AssetWorld> {
  const outdir = await mkdtemp(join(tmpdir(), 'gumshoe-cdk-out-'));
  const standIns = await startStandIns({ port: 0 });
  const tls = await startTlsFront(outdir, standIns.url);
  const aws = await startLocalAws({ port: 0, region });
  // The local X-Ray, with its OTLP traces endpoint (/v1/traces) the deployed exporter sends to.
  aws.registerRestService(createXRayService(new TraceStore()));
  const slack = await startLocalSlack({ port: 0, botUrl: 'http://127.0.0.1:9/slack/events' });
  const settings = {
    channelId: LOCAL_WORKSPACE.channelId,
    timeZone: 'UTC',
    partnerUrl: standIns.partnerBaseUrl,
    accountAliases: { [LOCAL_AWS_ACCOUNT_ID]: 'local' },
    alarmReminderMinutes: 30,
    alarmMentionHere: false,
    faults: {},
  };
  const topology = describeSystem(settings);
  const config = { endpoint: aws.url, region, credentials };
  const clients = {
    dynamodb: new DynamoDBClient(config),
    sqs: new SQSClient(config),
    streams: new DynamoDBStreamsClient(config),
    secrets: new SecretsManagerClient(config),
  };
  await createTables(clients.dynamodb, topology);
  const queues = await createQueues(clients.sqs, topology);

  const invokes: RecordedInvoke[] = [];
  aws.registerRestService({
    name: 'lambda-invoke-recorder',
    matches: (method, path) =>
      method === 'POST' && /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(path),
    handle: (request, ctx) => {
      const functionName = decodeURIComponent(request.path.split('/')[3] ?? '');
      const type = ctx.headers['x-amz-invocation-type'];
      invokes.push({
        functionName,
        invocationType: Array.isArray(type) ? type[0] : type,
        payload: JSON.parse(request.body.toString() || 'null'),
      });
      return { status: 202, headers: { 'x-amzn-requestid': 'recorded' }, body: '' };
    },
  });

  // As `cdk synth`, with the local stack's settings (the parity test proves they describe it).
  const templates: StackTemplate[] = synthesizeApp(outdir, {
    channelId: settings.channelId,
    timeZone: settings.timeZone,
    partnerUrl: settings.partnerUrl,
    aliases: JSON.stringify(settings.accountAliases),
  });
  const functions = deployedFunctions(templates, outdir);
  // CDK creates every function's log group with the stack (explicit LogGroup resources).
  for (const fn of functions) aws.logs.createGroup(`/aws/lambda/${fn.name}`);
  const resources = Object.assign({}, ...templates.map((t) => t.Resources)) as StackTemplate['Resources'];

  // The operator stores the secrets after deploy; here the local values, in the local Secrets Manager.
  const secretValues: Record<string, string> = {
    [topology.secrets.slack?.name ?? '']: JSON.stringify({
      botToken: LOCAL_SLACK_DEFAULTS.botToken,
      signingSecret: LOCAL_SLACK_DEFAULTS.signingSecret,
    }),
    // The service accepts only an https webhook URL, as Slack issues them.
    [topology.secrets.webhook?.name ?? '']: new URL(new URL(standIns.slackWebhookUrl).pathname, tls.url).href,
  };
  const secretArns = new Map<string, string>();
  for (const resource of Object.values(resources)) {
    if (resource.Type !== 'AWS::SecretsManager::Secret') continue;
    const name = String(resource.Properties.Name);
    const value = secretValues[name];
    if (value === undefined) throw new Error(`no local value for secret ${name}`);
    const created = await clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    secretArns.set(name, created.ARN ?? '');
  }

  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': LOCAL_AWS_ACCOUNT_ID,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const queueByName = (name: string): LocalQueue => {
    const key = Object.entries(topology.queues).find(([, q]) => q.name === name)?.[0];
    const queue = key === undefined ? undefined : queues[key];
    if (!queue) throw new Error(`no local queue ${name}`);
    return queue;
  };
  const resolver = {
    ref(id: string): string {
      if (pseudo[id]) return pseudo[id];
      const resource = resources[id];
      if (!resource) throw new Error(`Ref to unknown resource ${id}`);
      const p = resource.Properties;
      if (resource.Type === 'AWS::DynamoDB::Table') return String(p.TableName);
      if (resource.Type === 'AWS::SQS::Queue') return queueByName(String(p.QueueName)).url;
      if (resource.Type === 'AWS::SecretsManager::Secret') return secretArns.get(String(p.Name)) ?? '';
      throw new Error(`Ref to ${resource.Type} is not resolved locally`);
    },
    getAtt(id: string, attribute: string): string {
      const resource = resources[id];
      if (resource?.Type === 'AWS::SQS::Queue' && attribute === 'Arn')
        return queueByName(String(resource.Properties.QueueName)).arn;
      throw new Error(`Fn::GetAtt ${id}.${attribute} is not resolved locally`);
    },
  };

  return {
    aws,
    slack,
    standIns,
    topology,
    queues,
    clients,
    invokes,
    functions,
    secretArns,
    environmentOf(fn) {
      const env = Object.fromEntries(
        Object.entries(fn.environment).map(([name, value]) => [name, resolveIntrinsic(value, resolver)]),
      );
      return {
        ...env,
        // What Lambda sets, and the local endpoints in place of AWS's and Slack's.
        AWS_REGION: region,
        AWS_DEFAULT_REGION: region,
        AWS_ACCESS_KEY_ID: credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
        AWS_ENDPOINT_URL: aws.url,
        SLACK_API_URL: slack.apiUrl,
        SLACK_RESPONSE_URL_BASE: new URL('/response/', slack.apiUrl).href,
        // Trusts the local https front's self-signed certificate, as AWS trusts Slack's CA.
        NODE_EXTRA_CA_CERTS: tls.certFile,
      };
    },
    async close() {
      for (const client of Object.values(clients)) client.destroy();
      await slack.close();
      await aws.close();
      await new Promise((resolve) => tls.server.close(resolve));
      await standIns.close();
      await rm(outdir, { recursive: true, force: true });
    },
  };
}

/**
 * An https front for the stand-ins (a self-signed certificate for 127.0.0.1 made with openssl),
 * so the webhook URL stored in the secret is https as in production.
 */
async function startTlsFront(
  dir: string,
  target: string,
): Promise<{ url: string; certFile: string; server: Server }> {
  const keyFile = join(dir, 'front-key.pem');
  const certFile = join(dir, 'front-cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  const server = createServer(
    { key: await readFile(keyFile), cert: await readFile(certFile) },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const headers = Object.fromEntries(
          Object.entries(req.headers).filter(([name, v]) => name !== 'host' && typeof v === 'string'),
        ) as Record<string, string>;
        const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
        fetch(new URL(req.url ?? '/', target), {
          method: req.method ?? 'GET',
          headers,
          ...(body ? { body } : {}),
        })
          .then(async (answer) => {
            res.writeHead(answer.status, Object.fromEntries(answer.headers));
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => {
            res.writeHead(502);
            res.end();
          });
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, certFile, server };
}
