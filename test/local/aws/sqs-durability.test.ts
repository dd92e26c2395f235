import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, rejectionOf, tempDataDir } from './helpers';

describe('local SQS limits and durability', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function endpoint(dataDir?: string): Promise<{ aws: LocalAws; sqs: SQSClient }> {
    const aws = await startLocalAws({ port: 0, ...(dataDir === undefined ? {} : { dataDir }) });
    const sqs = new SQSClient(clientConfig(aws.url));
    cleanups.push(async () => {
      sqs.destroy();
      await aws.close();
    });
    return { aws, sqs };
  }

  it('takes a 1 MiB message and refuses one byte more, and batches over 1 MiB in total', async () => {
    const { sqs } = await endpoint();
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'sizes' }));

    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_576) })),
    ).resolves.toHaveProperty('MessageId');
    const tooBig = await rejectionOf(
      sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'x'.repeat(1_048_577) })),
    );
    const batch = await rejectionOf(
      sqs.send(
        new SendMessageBatchCommand({
          QueueUrl,
          Entries: [1, 2].map((i) => ({ Id: `m${i}`, MessageBody: 'y'.repeat(600_000) })),
        }),
      ),
    );

    expect(tooBig.name).toBe('InvalidParameterValue');
    expect(tooBig.message).toContain('Message must be shorter than 1048576 bytes');
    expect(batch.name).toBe('BatchRequestTooLong');
  });

  it('keeps queued messages, their receive counts and the queue across a restart', async () => {
    const data = tempDataDir();
    cleanups.push(() => data.remove());
    const first = await endpoint(data.dir);
    const { QueueUrl } = await first.sqs.send(
      new CreateQueueCommand({ QueueName: 'alarms', Attributes: { VisibilityTimeout: '0' } }),
    );
    for (const n of [1, 2, 3])
      await first.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `alarm ${n}` }));
    await first.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1 }));
    await (cleanups.pop() as () => Promise<void>)();

    const second = await endpoint(data.dir);
    const again = await second.sqs.send(
      new CreateQueueCommand({ QueueName: 'alarms', Attributes: { VisibilityTimeout: '0' } }),
    );
    const received = await second.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: again.QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );

    const bodies = (received.Messages ?? []).map((m) => m.Body).sort();
    expect(bodies).toEqual(['alarm 1', 'alarm 2', 'alarm 3']);
    const counts = (received.Messages ?? []).map((m) => Number(m.Attributes?.ApproximateReceiveCount)).sort();
    expect(counts).toEqual([1, 1, 2]);
  });
});
