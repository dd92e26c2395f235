import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS_ACCOUNT_ID } from '../../src/local/aws';
import { type LocalStack, startLocalStack } from '../../src/local/stack';
import { BotFunctionNames } from '../../src/topology';
import { resourcesOf, synthBot } from './synth-gumshoe';

// The bot stack deployed alone (`-c alarmTopic=…`, no config) and the local stack started with the
// same settings run the same bot: the same variables, the same alarm topic.

const region = 'eu-west-1';
const TOPIC = 'gumshoe-alarms';
let stack: LocalStack;
let dataDir: string;
let lambda: LambdaClient;
let deployedEnv: Map<string, Record<string, unknown>>;
let deployedTopics: string[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'gumshoe-parity-alone-'));
  stack = await startLocalStack({
    ports: { aws: 0, conferenceApi: 0, slack: 0, bot: 0, standIns: 0 },
    dataDir,
    region,
    bundle: false,
    gumshoeConfig: null,
    standalone: true,
    alarmTopicName: TOPIC,
  });
  const input = stack.topology.schedules.weeklyCost?.input ?? {};
  const { bot } = synthBot({
    channelId: input.channelId,
    timeZone: 'UTC',
    aliases: JSON.stringify({ [LOCAL_AWS_ACCOUNT_ID]: 'local' }),
    alarmTopic: TOPIC,
  });
  const resources = Object.values(resourcesOf(bot));
  deployedEnv = new Map(
    resources
      .filter((r) => r.Type === 'AWS::Lambda::Function' && typeof r.Properties?.FunctionName === 'string')
      .map((r) => [
        String(r.Properties?.FunctionName),
        (r.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
      ]),
  );
  deployedTopics = resources
    .filter((r) => r.Type === 'AWS::SNS::Topic')
    .map((r) => String(r.Properties?.TopicName));
  lambda = new LambdaClient({
    endpoint: stack.aws.url,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 180_000);

afterAll(async () => {
  lambda?.destroy();
  await stack?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function localEnv(name: string): Promise<Record<string, string>> {
  const out = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  return out.Environment?.Variables ?? {};
}

describe('the bot alone, locally as deployed', () => {
  it('gives every bot function the literal variables deployed, and neither tells it the example groups', async () => {
    expect([...deployedEnv.keys()].sort()).toEqual(Object.values(BotFunctionNames).sort());
    for (const [name, variables] of deployedEnv) {
      const local = await localEnv(name);
      for (const [key, value] of Object.entries(variables))
        if (typeof value === 'string' && key !== 'NODE_OPTIONS')
          expect(local[key], `${name} ${key}`).toBe(value);
      expect(local, name).not.toHaveProperty('GUMSHOE_LOG_GROUPS');
      expect(variables, name).not.toHaveProperty('GUMSHOE_LOG_GROUPS');
    }
  });

  it('publishes the local alarms to the topic the bot stack creates', () => {
    expect(deployedTopics).toEqual([TOPIC]);
    expect(stack.observability.alarmTopicArn).toBe(`arn:aws:sns:${region}:${LOCAL_AWS_ACCOUNT_ID}:${TOPIC}`);
  });
});
