import { fileURLToPath } from 'node:url';
import { SnsSchema, SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas';
import {
  CreateTopicCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAlarmEnvelope } from '../../../src/bot/alarms/alarm-envelope';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { SdkSnsQueueSender } from '../../../src/local/aws/sns/sdk-queue-sender';
import { createSnsService, SnsTopics } from '../../../src/local/aws/sns/sns-service';
import { createLambdaRunner, type LambdaRunner, MemoryLogSink } from '../../../src/local/runner';
import { clientConfig, rejectionOf } from '../aws/helpers';

const recorder = fileURLToPath(new URL('./fixtures/record-sns.ts', import.meta.url));

async function received(sink: MemoryLogSink, timeoutMs = 20_000): Promise<SNSEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = sink.messages('/aws/lambda/alarm-recorder').find((m) => m.startsWith('{"received"'));
    if (line) return (JSON.parse(line) as { received: SNSEvent }).received;
    if (Date.now() > deadline) throw new Error('the subscriber never received the message');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('local SNS service', () => {
  let aws: LocalAws;
  let sns: SNSClient;
  let runner: LambdaRunner;
  let sqs: SQSClient;
  const sink = new MemoryLogSink();
  const topics = new SnsTopics('eu-west-1', '000000000000');

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createSnsService(topics));
    runner = createLambdaRunner({
      awsEndpointUrl: aws.url,
      logSink: sink,
      functions: [{ name: 'alarm-recorder', entry: recorder }],
    });
    topics.setInvoker(runner);
    sqs = new SQSClient(clientConfig(aws.url));
    topics.setQueueSender(new SdkSnsQueueSender(sqs, aws.url));
    sns = new SNSClient(clientConfig(aws.url));
  });

  afterAll(async () => {
    sns.destroy();
    sqs.destroy();
    await runner.close();
    await aws.close();
  });

  it('creates topics idempotently and lists them', async () => {
    const a = await sns.send(new CreateTopicCommand({ Name: 'gumshoe-alarms' }));
    const b = await sns.send(new CreateTopicCommand({ Name: 'gumshoe-alarms' }));
    expect(a.TopicArn).toBe('arn:aws:sns:eu-west-1:000000000000:gumshoe-alarms');
    expect(b.TopicArn).toBe(a.TopicArn);
    const listed = await sns.send(new ListTopicsCommand({}));
    expect(listed.Topics?.map((t) => t.TopicArn)).toEqual([a.TopicArn]);
  });

  it('delivers a publish to a lambda subscriber as an SNSEvent', async () => {
    const topicArn = 'arn:aws:sns:eu-west-1:000000000000:gumshoe-alarms';
    const sub = await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'lambda',
        Endpoint: 'arn:aws:lambda:eu-west-1:000000000000:function:alarm-recorder',
      }),
    );
    expect(sub.SubscriptionArn?.startsWith(`${topicArn}:`)).toBe(true);
    const subs = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subs.Subscriptions?.[0]).toMatchObject({
      Protocol: 'lambda',
      SubscriptionArn: sub.SubscriptionArn,
    });

    const message = JSON.stringify({ AlarmName: 'x', NewStateValue: 'ALARM' });
    const out = await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Message: message,
        Subject: 'ALARM: "x" in EU (Ireland)',
        MessageAttributes: { source: { DataType: 'String', StringValue: 'test' } },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);

    const event = await received(sink);
    expect(SnsSchema.parse(event).Records).toHaveLength(1);
    const record = event.Records[0];
    expect(record).toMatchObject({
      EventSource: 'aws:sns',
      EventVersion: '1.0',
      EventSubscriptionArn: sub.SubscriptionArn,
      Sns: {
        Type: 'Notification',
        MessageId: out.MessageId,
        TopicArn: topicArn,
        Subject: 'ALARM: "x" in EU (Ireland)',
        Message: message,
        MessageAttributes: { source: { Type: 'String', Value: 'test' } },
      },
    });
    expect(Number.isNaN(Date.parse(record?.Sns.Timestamp ?? ''))).toBe(false);
  }, 30_000);

  it('answers NotFound for an unknown topic and InvalidParameter for a non-lambda protocol', async () => {
    const missing = await rejectionOf(
      sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:eu-west-1:000000000000:nope', Message: 'm' })),
    );
    expect(missing.name).toBe('NotFoundException');
    expect(missing.$metadata?.httpStatusCode).toBe(404);
    const email = await rejectionOf(
      sns.send(
        new SubscribeCommand({
          TopicArn: 'arn:aws:sns:eu-west-1:000000000000:gumshoe-alarms',
          Protocol: 'email',
          Endpoint: 'a@example.com',
        }),
      ),
    );
    expect(email.name).toBe('InvalidParameterException');
  });

  it('delivers a publish to an sqs subscriber as the SNS envelope JSON, or raw when asked', async () => {
    const topic = await sns.send(new CreateTopicCommand({ Name: 'queued-alarms' }));
    const topicArn = topic.TopicArn ?? '';
    const queues: Record<string, string> = {};
    for (const name of ['enveloped', 'raw']) {
      const q = await sqs.send(new CreateQueueCommand({ QueueName: name }));
      queues[name] = q.QueueUrl ?? '';
    }
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:eu-west-1:000000000000:enveloped',
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: 'arn:aws:sqs:eu-west-1:000000000000:raw',
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    const message = JSON.stringify({ AlarmName: 'queued', NewStateValue: 'ALARM' });

    const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: message }));

    const receive = async (url: string) =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }))).Messages?.[0]?.Body;
    const envelope = JSON.parse((await receive(queues.enveloped ?? '')) ?? 'null') as Record<string, unknown>;
    expect(SnsSqsNotificationSchema.parse(envelope)).toMatchObject({
      Type: 'Notification',
      MessageId: out.MessageId,
      TopicArn: topicArn,
      Message: message,
    });
    expect(envelope).not.toHaveProperty('Subject');
    expect(envelope).toHaveProperty('UnsubscribeURL');
    // The bot keys it by the SNS MessageId, whatever SQS message carries it.
    expect(
      parseAlarmEnvelope({
        Records: [{ messageId: 'sqs-1', body: JSON.stringify(envelope), eventSource: 'aws:sqs' }],
      }).items[0]?.notification.messageId,
    ).toBe(out.MessageId);
    expect(await receive(queues.raw ?? '')).toBe(message);
  }, 20_000);

  it('refuses an sqs endpoint that is no queue ARN', async () => {
    const error = await rejectionOf(
      sns.send(
        new SubscribeCommand({
          TopicArn: 'arn:aws:sns:eu-west-1:000000000000:gumshoe-alarms',
          Protocol: 'sqs',
          Endpoint: 'https://sqs.eu-west-1.amazonaws.com/000000000000/q',
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});
