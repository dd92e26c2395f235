import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { BatchGetTracesCommand, GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTrace } from '../../../src/commands/xray/trace-document';
import { flattenTrace } from '../../../src/commands/xray/waterfall';
import { FunctionNames, logGroupOf } from '../../../src/conference-app/contract';
import { BOT_FUNCTIONS } from '../../../src/local/stack';
import {
  createSession,
  credentials,
  region,
  startTestStack,
  type TestStack,
  waitFor,
} from '../../integration/helpers';

describe('local stack observability', () => {
  let t: TestStack;
  let xray: XRayClient;
  let sns: SNSClient;

  beforeAll(async () => {
    t = await startTestStack();
    xray = new XRayClient({ endpoint: t.stack.aws.url, region, credentials });
    sns = new SNSClient({ endpoint: t.stack.aws.url, region, credentials });
  }, 60_000);

  afterAll(async () => {
    xray.destroy();
    sns.destroy();
    await t?.close();
  });

  it('traces a session saved through the whole stack: function, save span and DynamoDB PutItem', async () => {
    await createSession(t.stack, 'Traced end to end');
    const rows = await waitFor('the save-session trace', async () => {
      const summaries = await xray.send(
        new GetTraceSummariesCommand({
          StartTime: new Date(t.startedAt),
          EndTime: new Date(Date.now() + 1000),
          FilterExpression: `service("${FunctionNames.saveSession}")`,
        }),
      );
      const id = summaries.TraceSummaries?.[0]?.Id;
      if (!id) return undefined;
      const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [id] }));
      const flat = flattenTrace(parseTrace(out.Traces?.[0]));
      return flat.some((r) => r.name === 'Sessions.saveSessionDynamoDB') ? flat : undefined;
    });
    const save = rows.find((r) => r.name === 'Sessions.saveSessionDynamoDB');
    expect(rows.find((r) => r.depth === 0)?.name).toBe(FunctionNames.saveSession);
    expect(save?.node.children.map((c) => `${c.name} ${c.operation}`)).toContain('DynamoDB PutItem');
  }, 30_000);

  it('delivers a message published to the alarm topic (named as deployed) to the bot alarm function', async () => {
    expect(t.stack.observability.alarmTopicArn).toBe(`arn:aws:sns:${region}:000000000000:conference-alarms`);
    await sns.send(
      new PublishCommand({
        TopicArn: t.stack.observability.alarmTopicArn,
        Subject: 'ALARM: "hand-made" in EU (Ireland)',
        Message: '{"hello":"not an alarm"}',
      }),
    );
    const start = await waitFor(
      'the alarm function to run',
      () => {
        const group = logGroupOf(BOT_FUNCTIONS.alarm);
        if (!t.stack.aws.logs.hasGroup(group)) return undefined;
        for (const e of t.stack.aws.logs.scan([group], t.startedAt, Date.now() + 1000))
          if (e.message.startsWith('REPORT RequestId:')) return e.message;
        return undefined;
      },
      30_000,
    );
    expect(start).toMatch(/^REPORT RequestId: /);
  }, 40_000);
});
