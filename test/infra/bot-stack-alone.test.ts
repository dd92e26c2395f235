import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InfraConfigError } from '../../infra/lib/config';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';
import { BotFunctionNames } from '../../src/topology';
import { resourcesOf, synthBot } from './synth-gumshoe';

// The bot stack deployed for another service than the conference example: alone, subscribed to
// that service's alarm topics (or its own), with the service's flow config, its IAM scoped to it.

const ORDERS_CONFIG = path.join(PROJECT_ROOT, 'examples/orders.gumshoe.yaml');
const TOPIC_A = 'arn:aws:sns:eu-west-1:123456789012:orders-alarms';
const TOPIC_B = 'arn:aws:sns:eu-west-1:123456789012:platform-alarms';
const LOGS = 'arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:';

type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Condition?: unknown };

/** A CloudFormation value as one string (`<Id>` for a Ref), as iam-matches-code.test.ts renders it. */
function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (v.Ref) return `<${v.Ref}>`;
  if (v['Fn::Join']) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
  return JSON.stringify(value);
}

function fnProps(template: Template, name: string): Record<string, unknown> {
  const found = Object.values(resourcesOf(template)).find(
    (r) => r.Type === 'AWS::Lambda::Function' && r.Properties?.FunctionName === name,
  );
  if (!found?.Properties) throw new Error(`no function ${name}`);
  return found.Properties;
}

function envOf(template: Template, name: string): Record<string, unknown> {
  return (fnProps(template, name).Environment as { Variables: Record<string, unknown> }).Variables;
}

/** The resources `action` is allowed on for the role of function `name`. */
function grantedTo(template: Template, name: string, action: string): string[] {
  const role = (fnProps(template, name).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(resourcesOf(template))
    .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties?.Roles).includes(`"${role}"`))
    .flatMap(
      (r) => (r.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
    )
    .filter((s) => s.Effect === 'Allow' && [s.Action].flat().includes(action))
    .flatMap((s) => [s.Resource].flat().map(render));
}

function subscriptions(template: Template): Record<string, unknown>[] {
  return Object.values(resourcesOf(template))
    .filter((r) => r.Type === 'AWS::SNS::Subscription')
    .map((r) => r.Properties ?? {});
}

function dlqAlarmActions(template: Template): unknown[] {
  const alarm = Object.values(resourcesOf(template)).find(
    (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties?.AlarmName === 'gumshoe-alarm-dlq-not-empty',
  );
  return (alarm?.Properties?.AlarmActions as unknown[]) ?? [];
}

describe('the bot stack alone, on existing alarm topics given by ARN, with a flow config', () => {
  let result: ReturnType<typeof synthBot>;
  beforeAll(() => {
    result = synthBot({ alarmTopicArns: `${TOPIC_A}, ${TOPIC_B}`, gumshoeConfig: ORDERS_CONFIG });
  }, 180_000);

  it('is the only stack of the app, and names nothing of the conference example', () => {
    expect(result.stacks.conference).toBeUndefined();
    const text = JSON.stringify(result.bot.toJSON());
    expect(text).not.toMatch(/conference-/);
  });

  it('subscribes the alarm queue to each given topic, SNS envelopes (raw delivery off)', () => {
    const subs = subscriptions(result.bot);
    expect(subs.map((s) => s.TopicArn).sort()).toEqual([TOPIC_A, TOPIC_B]);
    for (const s of subs) expect(s).toMatchObject({ Protocol: 'sqs', RawMessageDelivery: false });
  });

  it('lets only those topics send to the alarm queue', () => {
    const policies = Object.values(resourcesOf(result.bot)).filter((r) => r.Type === 'AWS::SQS::QueuePolicy');
    const sources = policies
      .flatMap(
        (p) => (p.Properties?.PolicyDocument as { Statement?: Statement[] } | undefined)?.Statement ?? [],
      )
      .filter((s) => [s.Action].flat().includes('sqs:SendMessage'))
      .map((s) => (s.Condition as { ArnEquals?: Record<string, string> }).ArnEquals?.['aws:SourceArn']);
    expect(sources.sort()).toEqual([TOPIC_A, TOPIC_B]);
  });

  it('alarms on its dead-letter queue to the first given topic', () => {
    expect(dlqAlarmActions(result.bot)).toEqual([TOPIC_A]);
  });

  it('creates no topic of its own', () => {
    result.bot.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('tells the functions that read it where the bundled config is, and nothing of the example', () => {
    for (const name of [BotFunctionNames.slackEvents, BotFunctionNames.worker, BotFunctionNames.weeklyCost])
      expect(envOf(result.bot, name).GUMSHOE_CONFIG, name).toBe('gumshoe.config.yaml');
    for (const name of [BotFunctionNames.alarm, BotFunctionNames.alarmReminder])
      expect(envOf(result.bot, name), name).not.toHaveProperty('GUMSHOE_CONFIG');
    for (const name of Object.values(BotFunctionNames)) {
      expect(envOf(result.bot, name), name).not.toHaveProperty('GUMSHOE_LOG_GROUPS');
      expect(envOf(result.bot, name), name).not.toHaveProperty('GUMSHOE_ARCHITECTURES');
    }
  });

  it("lets the worker, the weekly report and the alarm function query the config's log groups only", () => {
    const groups = [
      'orders-place-order',
      'orders-charge-payment',
      'orders-pack-order',
      'orders-email-confirmation',
    ];
    const expected = groups.flatMap((fn) => [`${LOGS}/aws/lambda/${fn}`, `${LOGS}/aws/lambda/${fn}:*`]);
    for (const name of [BotFunctionNames.worker, BotFunctionNames.weeklyCost, BotFunctionNames.alarm]) {
      const granted = grantedTo(result.bot, name, 'logs:StartQuery').filter((r) => !r.includes('aws/spans'));
      expect(granted.sort(), name).toEqual(expected.sort());
    }
  });

  it('lets the Mute button mute any alarm of the account (the topics are not the example)', () => {
    expect(grantedTo(result.bot, BotFunctionNames.slackEvents, 'cloudwatch:PutAlarmMuteRule')).toContain(
      'arn:<AWS::Partition>:cloudwatch:<AWS::Region>:<AWS::AccountId>:alarm:*',
    );
  });

  it('passes cdk-nag, every wildcard acknowledged', () => {
    expect(result.nag).toBe('none');
  });
});

describe('the bot stack alone, with its own alarm topic and no config', () => {
  let result: ReturnType<typeof synthBot>;
  beforeAll(() => {
    result = synthBot({ alarmTopic: 'gumshoe-alarms' });
  }, 180_000);

  it('creates the topic and lets only CloudWatch alarms of this account and region publish, over TLS', () => {
    result.bot.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'gumshoe-alarms' });
    result.bot.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        // arrayWith keeps order: CDK writes the TLS deny first.
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: {
              StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: { 'aws:SourceArn': Match.anyValue() },
            },
          }),
        ]),
      },
    });
  });

  it('subscribes the alarm queue to it, alarms on its dead-letter queue to it and outputs its ARN', () => {
    const [topicId] = Object.keys(result.bot.findResources('AWS::SNS::Topic'));
    expect(subscriptions(result.bot).map((s) => s.TopicArn)).toEqual([{ Ref: topicId }]);
    expect(dlqAlarmActions(result.bot)).toEqual([{ Ref: topicId }]);
    result.bot.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('runs with no config: searches the groups under /aws/lambda/ (GUMSHOE_LOG_GROUP_PREFIX default), and may query those only', () => {
    for (const name of Object.values(BotFunctionNames)) {
      const env = envOf(result.bot, name);
      expect(env, name).not.toHaveProperty('GUMSHOE_CONFIG');
      expect(env, name).not.toHaveProperty('GUMSHOE_LOG_GROUPS');
    }
    for (const name of [BotFunctionNames.worker, BotFunctionNames.weeklyCost, BotFunctionNames.alarm]) {
      const granted = grantedTo(result.bot, name, 'logs:StartQuery').filter((r) => !r.includes('aws/spans'));
      expect(granted, name).toEqual([`${LOGS}/aws/lambda/*`]);
    }
  });

  it('passes cdk-nag, every wildcard acknowledged', () => {
    expect(result.nag).toBe('none');
  });
});

describe('the bot stack alone with a log group prefix and no config', () => {
  it('tells the worker and the weekly report the prefix and may query the groups under it only', () => {
    const { bot, nag } = synthBot({ alarmTopic: 'gumshoe-alarms', logGroupPrefix: '/aws/lambda/orders-' });
    for (const name of [BotFunctionNames.worker, BotFunctionNames.weeklyCost]) {
      expect(envOf(bot, name).GUMSHOE_LOG_GROUP_PREFIX, name).toBe('/aws/lambda/orders-');
      const granted = grantedTo(bot, name, 'logs:StartQuery').filter((r) => !r.includes('aws/spans'));
      expect(granted, name).toEqual([`${LOGS}/aws/lambda/orders-*`]);
    }
    expect(nag).toBe('none');
  }, 180_000);
});

describe('a flow config with the example wiring', () => {
  it('keeps both stacks and the example topic, bundles the config and adds its groups to the example ones', () => {
    const config = path.join(PROJECT_ROOT, 'examples/conference.gumshoe.yaml');
    const { stacks, bot } = synthBot({ gumshoeConfig: config });
    expect(stacks.conference).toBeDefined();
    expect(subscriptions(bot).map((s) => render(s.TopicArn))).toEqual([
      'arn:<AWS::Partition>:sns:<AWS::Region>:<AWS::AccountId>:conference-alarms',
    ]);
    expect(envOf(bot, BotFunctionNames.worker).GUMSHOE_CONFIG).toBe('gumshoe.config.yaml');
    expect(grantedTo(bot, BotFunctionNames.worker, 'logs:StartQuery')).toContain(
      `${LOGS}/aws/lambda/conference-list-sessions-lambda:*`,
    );
  }, 180_000);
});

describe('a flow config the bot would refuse', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gumshoe-bad-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const build = (file: string) => () =>
    buildGumshoeApp(
      new App({
        context: {
          'aws:cdk:bundling-stacks': [],
          channelId: 'C0123ABCD',
          gumshoeConfig: file,
          alarmTopic: 'a',
        },
      }),
      PROJECT_ROOT,
    );

  it('fails synth naming the file, the path and the expected shape', async () => {
    const file = path.join(dir, 'orders.gumshoe.yaml');
    await writeFile(
      file,
      'version: 1\nflows:\n  - name: order\n    businessIds: [orderId]\n    milestones:\n      - function: orders-place-order\n',
    );
    expect(build(file)).toThrow(InfraConfigError);
    expect(build(file)).toThrow(
      `-c gumshoeConfig=${file}: invalid Gumshoe config\n${file}: flows[0].milestones[0].name: Invalid input: expected string, received undefined`,
    );
  });

  it('fails synth when the file cannot be read, naming it', () => {
    const file = path.join(dir, 'missing.yaml');
    expect(build(file)).toThrow(`-c gumshoeConfig=${file}: ${file}: cannot read the Gumshoe config`);
  });

  it('refuses an alarm topic ARN that is not one', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], channelId: 'C0123ABCD', alarmTopicArns: 'orders-alarms' },
    });
    expect(() => buildGumshoeApp(app, PROJECT_ROOT)).toThrow(
      /alarmTopicArns\.0: an SNS topic ARN such as arn:aws:sns:eu-west-1:123456789012:alarms/,
    );
  });
});
