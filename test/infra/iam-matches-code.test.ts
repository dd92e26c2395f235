import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lib/gumshoe-app';
import { readFlowConfigFile } from '../../src/bot/flow-config-file';
import { describeSystem, type FunctionSpec } from '../../src/topology';
import { bundleEntries, type DeployedCode, deployedCodeOf } from './deployed-sdk-calls';
import { resourcesOf, synthBot, synthGumshoe } from './synth-gumshoe';

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
type Resource = { Type: string; Properties?: Record<string, unknown> };

const topology = describeSystem({
  channelId: 'C0123ABCD',
  timeZone: 'UTC',
  partnerUrl: 'https://partner.example.com/sessions',
  accountAliases: {},
  alarmReminderMinutes: 30,
  alarmMentionHere: false,
  faults: {},
});
const functions = Object.entries(topology.functions);
const botKeys = functions.filter(([, spec]) => spec.stack === 'bot').map(([key]) => key);

// The orders example plus a prefix, so a grant that misses a configured name or prefix shows.
const configDir = mkdtempSync(path.join(tmpdir(), 'gumshoe-iam-config-'));
const ordersConfig = path.join(configDir, 'orders.gumshoe.yaml');
writeFileSync(
  ordersConfig,
  `${readFileSync(path.join(PROJECT_ROOT, 'examples/orders.gumshoe.yaml'), 'utf8')}logGroups:\n  prefixes: [/aws/lambda/orders-batch-]\n`,
);
afterAll(() => rmSync(configDir, { recursive: true, force: true }));

/** One way to deploy: its CDK context, the config file it bundles, the functions it deploys. */
interface Deployment {
  readonly context: Record<string, unknown>;
  readonly config?: string;
  readonly keys: readonly string[];
}
const DEPLOYMENTS: Readonly<Record<string, Deployment>> = {
  example: { context: {}, keys: functions.map(([key]) => key) },
  'alone with the orders config': {
    context: {
      alarmTopicArns: 'arn:aws:sns:eu-west-1:123456789012:orders-alarms',
      gumshoeConfig: ordersConfig,
    },
    config: ordersConfig,
    keys: botKeys,
  },
  'alone without config': { context: { alarmTopic: 'gumshoe-alarms' }, keys: botKeys },
};

// Actions that support no resource-level permission (Service Authorization Reference): "*" is right.
const NO_RESOURCE_LEVEL = new Set([
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

/** A CloudFormation value as one string: `<Id>` for a Ref, `<Id.Attr>` for a GetAtt, joins joined. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string]; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}

/** One deployed function as the template and its bundle describe it. */
interface Deployed {
  readonly deployment: Deployment;
  readonly spec: FunctionSpec;
  readonly template: Template;
  readonly id: string;
  readonly props: Record<string, unknown>;
  readonly code: DeployedCode;
}

/** Every (action, resource) its role's inline policies allow. */
function grantsOf(fn: Deployed): { action: string; resource: string }[] {
  const role = (fn.props.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf(fn.template))
    .filter(
      (r) =>
        r.Type === 'AWS::IAM::Policy' &&
        JSON.stringify(r.Properties?.Roles ?? []).includes(JSON.stringify({ Ref: role })),
    )
    .flatMap((r) => (r.Properties?.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement ?? [])
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) =>
      [s.Action]
        .flat()
        .flatMap((action) => [s.Resource].flat().map((r) => ({ action, resource: render(r) }))),
    );
}

/** What the function's environment names: values as strings (`<Id>` for a resource reference). */
function envValuesOf(fn: Deployed): string[] {
  const vars = ((fn.props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
    {}) as Record<string, unknown>;
  return Object.values(vars).flatMap((v) => render(v).split(','));
}

function logicalIdsOfType(fn: Deployed, type: string): Map<string, Resource> {
  return new Map(Object.entries(resourcesOf(fn.template)).filter(([, r]) => r.Type === type));
}

/** The resources the code of `fn` may send `action` to: those its environment (or its own code) names. */
function allowedResources(fn: Deployed, action: string): { allowed: Set<string>; required: Set<string> } {
  const env = envValuesOf(fn);
  const refs = (type: string) =>
    [...logicalIdsOfType(fn, type).keys()].filter((id) => env.includes(`<${id}>`));
  const service = action.split(':')[0];
  if (NO_RESOURCE_LEVEL.has(action)) return { allowed: new Set(['*']), required: new Set(['*']) };
  if (service === 'dynamodb') {
    const tables = refs('AWS::DynamoDB::Table').map((id) => `<${id}.Arn>`);
    return { allowed: new Set(tables), required: new Set() };
  }
  if (service === 'sqs') {
    const queues = refs('AWS::SQS::Queue').map((id) => `<${id}.Arn>`);
    return { allowed: new Set(queues), required: new Set(queues) };
  }
  if (service === 'secretsmanager') {
    const secrets = refs('AWS::SecretsManager::Secret').map((id) => `<${id}>`);
    return { allowed: new Set(secrets), required: new Set(secrets) };
  }
  if (action === 'lambda:InvokeFunction') {
    const targets = [...logicalIdsOfType(fn, 'AWS::Lambda::Function')]
      .filter(([, r]) => env.includes(String(r.Properties?.FunctionName)))
      .map(([id]) => `<${id}.Arn>`);
    return { allowed: new Set(targets), required: new Set(targets) };
  }
  if (action === 'logs:StartQuery') {
    // StartQuery authorizes on the group and, seen in practice, on `…:log-stream:`; both forms.
    const arn = (group: string) =>
      `arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:${group}`;
    const named = [...env, ...fn.code.literals].filter((v) => /^\/?aws\//.test(v));
    const fromEnv = env.filter((v) => v.startsWith('/aws/lambda/'));
    const scope = configuredScope(fn);
    const configured = [
      ...scope.names.flatMap((g) => [arn(g), `${arn(g)}:*`]),
      ...scope.prefixes.map((p) => `${arn(p)}*`),
    ];
    return {
      allowed: new Set([...named.flatMap((g) => [arn(g), `${arn(g)}:*`]), ...configured]),
      required: new Set([...fromEnv.map(arn), ...configured]),
    };
  }
  if (action === 'logs:DescribeLogGroups') {
    // Lists names by prefix (configured log group prefixes); IAM scopes it no narrower than this.
    const every = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*';
    return { allowed: new Set([every]), required: new Set([every]) };
  }
  if (action === 'cloudwatch:PutAlarmMuteRule' || action === 'cloudwatch:DeleteAlarmMuteRule') {
    const scoped = (r: string) =>
      /^arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:(alarm-mute-rule|alarm):[\w-]*\*?$/.test(
        r,
      );
    const granted = grantsOf(fn).filter((g) => g.action === action && scoped(g.resource));
    return { allowed: new Set(granted.map((g) => g.resource)), required: new Set() };
  }
  throw new Error(`no resource rule for ${action}: say which resource of the template it acts on`);
}

/**
 * What Lambda itself does with the function's role, read from the template: X-Ray segments with
 * active tracing, polling its event sources, sending failures to its destinations.
 */
function platformGrants(fn: Deployed): Set<string> {
  const out = new Set<string>();
  const tracing = (fn.props.TracingConfig as { Mode?: string } | undefined)?.Mode;
  if (tracing === 'Active')
    for (const a of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']) out.add(`${a} *`);
  const mine = (r: Resource) => JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: fn.id });
  // CDK grants a destination sqs:SendMessage plus the two queue reads of grantSendMessages.
  const destination = (arn: unknown) => {
    for (const a of ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'])
      out.add(`${a} ${render(arn)}`);
  };
  for (const r of Object.values(resourcesOf(fn.template))) {
    if (!mine(r)) continue;
    if (r.Type === 'AWS::Lambda::EventSourceMapping') {
      const source = render(r.Properties?.EventSourceArn);
      const actions = source.endsWith('.StreamArn>')
        ? ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator']
        : [
            'sqs:ReceiveMessage',
            'sqs:ChangeMessageVisibility',
            'sqs:GetQueueUrl',
            'sqs:DeleteMessage',
            'sqs:GetQueueAttributes',
          ];
      for (const a of actions) out.add(`${a} ${source}`);
      if (source.endsWith('.StreamArn>')) out.add('dynamodb:ListStreams *');
    }
    const onFailure = (
      r.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined
    )?.OnFailure?.Destination;
    if (onFailure) destination(onFailure);
  }
  return out;
}

/**
 * The log groups a deployment makes the bot search, read from its config file (or its prefix)
 * apart from the stack: with GUMSHOE_LOG_GROUPS in the environment, the names there do instead.
 */
function configuredScope(fn: Deployed): { names: string[]; prefixes: string[] } {
  const { deployment } = fn;
  if (deployment.config) {
    const { logGroups } = readFlowConfigFile(deployment.config);
    return { names: [...logGroups.names], prefixes: [...logGroups.prefixes] };
  }
  if (fn.spec.stack !== 'bot' || envValuesOf(fn).some((v) => v.startsWith('/aws/lambda/')))
    return { names: [], prefixes: [] };
  const prefix = deployment.context.logGroupPrefix;
  return { names: [], prefixes: [typeof prefix === 'string' ? prefix : '/aws/lambda/'] };
}

const deployed = new Map<string, Deployed>();

beforeAll(async () => {
  const bundles = await bundleEntries(
    PROJECT_ROOT,
    functions.map(([, spec]) => spec.entry),
  );
  for (const [label, deployment] of Object.entries(DEPLOYMENTS)) {
    const templates =
      label === 'example' ? synthGumshoe() : { conference: undefined, bot: synthBot(deployment.context).bot };
    for (const [key, spec] of functions.filter(([k]) => deployment.keys.includes(k))) {
      const template = spec.stack === 'conference' ? templates.conference : templates.bot;
      if (!template) throw new Error(`${label} deploys no ${spec.stack} stack`);
      const [id, resource] =
        Object.entries(resourcesOf(template)).find(
          ([, r]) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === spec.name,
        ) ?? [];
      const metafile = bundles.get(spec.entry);
      if (!id || !resource?.Properties || !metafile) throw new Error(`function ${spec.name} not deployed`);
      deployed.set(`${label}/${key}`, {
        deployment,
        spec,
        template,
        id,
        props: resource.Properties,
        code: deployedCodeOf(PROJECT_ROOT, metafile),
      });
    }
  }
}, 600_000);

function fn(key: string, label = 'example'): Deployed {
  const found = deployed.get(`${label}/${key}`);
  if (!found) throw new Error(`no function ${key} in ${label}`);
  return found;
}

const rows = Object.entries(DEPLOYMENTS).flatMap(([label, d]) => d.keys.map((key) => [label, key] as const));

describe.each(rows)('deployed as %s, the role of %s', (label, key) => {
  it('allows every AWS call its bundled code sends, on the resources it names', () => {
    const f = fn(key, label);
    // Every function talks to AWS; an empty list would mean the bundle was not read.
    expect(f.code.calls.length).toBeGreaterThan(0);
    const grants = grantsOf(f);
    for (const action of new Set(f.code.calls.map((c) => c.action))) {
      const { allowed, required } = allowedResources(f, action);
      const on = grants.filter((g) => g.action === action).map((g) => g.resource);
      expect(on.length, `${f.spec.name} sends ${action} but may not`).toBeGreaterThan(0);
      for (const r of on) expect(allowed, `${f.spec.name}: ${action} on ${r}`).toContain(r);
      for (const r of required) expect(on, `${f.spec.name}: ${action} must cover ${r}`).toContain(r);
    }
  });

  it('allows nothing its code, its event sources and its destinations do not use', () => {
    const f = fn(key, label);
    const sent = new Set(f.code.calls.map((c) => c.action));
    const platform = platformGrants(f);
    const unused = grantsOf(f)
      .filter((g) => !sent.has(g.action) && !platform.has(`${g.action} ${g.resource}`))
      .map((g) => `${g.action} on ${g.resource}`);
    expect(unused).toEqual([]);
  });
});

describe('the worker', () => {
  it('may query the aws/spans log group, where Transaction Search keeps the spans', () => {
    const worker = fn('worker');
    expect(worker.code.literals).toContain('aws/spans');
    expect(grantsOf(worker)).toContainEqual({
      action: 'logs:StartQuery',
      resource: 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:aws/spans',
    });
  });
});
