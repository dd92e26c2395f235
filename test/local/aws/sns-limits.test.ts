import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AWS_ACCOUNT_ID, type LocalAws, startLocalAws } from '../../../src/local/aws';
import { createSnsService, SnsTopics } from '../../../src/local/aws/sns/sns-service';
import { clientConfig, rejectionOf } from './helpers';

// SNS takes at most 256 KB (262,144 bytes) per message, attributes included.
const LIMIT = 262_144;

describe('local SNS message size limit', () => {
  let aws: LocalAws;
  let sns: SNSClient;
  let topicArn: string;
  /** What reached the queue subscriber, body per message. */
  const delivered: string[] = [];

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    const topics = new SnsTopics('eu-west-1', LOCAL_AWS_ACCOUNT_ID);
    topics.setQueueSender({
      sendMessage: async (_queueArn: string, body: string) => {
        delivered.push(body);
      },
    });
    aws.registerRestService(createSnsService(topics));
    sns = new SNSClient(clientConfig(aws.url));
    topicArn = (await sns.send(new CreateTopicCommand({ Name: 'sizes' }))).TopicArn ?? '';
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: `arn:aws:sqs:eu-west-1:${LOCAL_AWS_ACCOUNT_ID}:sizes-sub`,
      }),
    );
  });
  afterAll(async () => {
    sns.destroy();
    await aws.close();
  });

  const queued = async () => delivered.length;

  it('publishes a 256 KB message and refuses one byte more, delivering nothing for it', async () => {
    const before = await queued();
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(LIMIT) })),
    ).resolves.toHaveProperty('MessageId');
    expect(await queued()).toBe(before + 1);

    const tooBig = await rejectionOf(
      sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'x'.repeat(LIMIT + 1) })),
    );
    expect(tooBig.name).toBe('InvalidParameterException');
    expect(tooBig.message).toMatch(/Message too long/);
    expect(tooBig.$metadata?.httpStatusCode).toBe(400);
    expect(await queued()).toBe(before + 1);
  });

  it('counts message attributes towards the limit', async () => {
    const tooBig = await rejectionOf(
      sns.send(
        new PublishCommand({
          TopicArn: topicArn,
          Message: 'x'.repeat(LIMIT - 10),
          MessageAttributes: { origin: { DataType: 'String', StringValue: 'y'.repeat(100) } },
        }),
      ),
    );
    expect(tooBig.name).toBe('InvalidParameterException');
    // The endpoint is still there for the next message.
    await expect(
      sns.send(new PublishCommand({ TopicArn: topicArn, Message: 'small' })),
    ).resolves.toHaveProperty('MessageId');
  });
});
