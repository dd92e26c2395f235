import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRedriveArgs, redriveCli } from '../../scripts/redrive';
import { FunctionNames } from '../../src/conference-app/contract';
import { ResourceNames } from '../../src/topology';
import {
  createSession,
  credentials,
  region,
  startTestStack,
  type TestStack,
  waitFor,
} from '../integration/helpers';

describe('npm run redrive (the sessions stream failure destination)', () => {
  let t: TestStack;
  let clients: { sqs: SQSClient; streams: DynamoDBStreamsClient; lambda: LambdaClient };
  let queueUrl: string;

  const queued = async (): Promise<number> => {
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  };
  const announcedTimes = (sessionId: string) =>
    t.stack.standIns
      .received('slack')
      .filter((r) => r.status >= 200 && r.status < 300 && JSON.stringify(r.body).includes(sessionId)).length;
  const run = async (argv: string[]) => {
    const lines: string[] = [];
    const code = await redriveCli(argv, clients, (line) => lines.push(line));
    return { code, lines };
  };

  beforeAll(async () => {
    // The deployed retries, spaced milliseconds apart instead of seconds, and one send per invocation,
    // so a webhook outage exhausts them within the test.
    t = await startTestStack({
      streamRetryDelayMs: { first: 5, max: 20 },
      functionEnv: { [FunctionNames.notifyNewSession]: { RETRY_BUDGET_MS: '0' } },
    });
    const endpoint = t.stack.aws.url;
    clients = {
      sqs: new SQSClient({ endpoint, region, credentials }),
      streams: new DynamoDBStreamsClient({ endpoint, region, credentials }),
      lambda: new LambdaClient({ endpoint, region, credentials }),
    };
    queueUrl = t.stack.queues.streamDlq?.url ?? '';
  }, 60_000);

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    await t?.close();
  });

  it('announces the sessions a webhook outage sent to the failure destination, once, and empties it', async () => {
    // Arrange: Slack's webhook down until the stream gives up on the batch.
    t.stack.standIns.configure({ slack: { failureRate: 1, failureStatus: 500 } });
    const lost = await createSession(t.stack, 'Talk during the outage');
    await waitFor(
      'the batch in the failure destination',
      async () => ((await queued()) > 0 ? true : undefined),
      30_000,
      200,
    );
    expect(announcedTimes(lost.sessionId)).toBe(0);
    t.stack.standIns.configure({ slack: { failureRate: 0 } });

    // Act
    const dry = await run(['--dry-run']);
    const first = await run([]);
    const second = await run([]);

    // Assert: a dry run changes nothing; the re-drive announces the session once and empties the queue.
    expect(dry.code).toBe(0);
    expect(dry.lines.join('\n')).toMatch(/dry-run\s+1 record\(s\) → conference-slack-notification-lambda/);
    expect(first.code).toBe(0);
    expect(first.lines.join('\n')).toMatch(/redriven\s+1 record\(s\) → conference-slack-notification-lambda/);
    expect(first.lines.at(-1)).toMatch(/^1 re-driven, 0 failed again/);
    expect(announcedTimes(lost.sessionId)).toBe(1);
    expect(await queued()).toBe(0);
    expect(second.lines).toContain('The failure destination is empty: nothing to re-drive.');
    // The partner got the session once, through the stream: the re-drive only ran the notifier.
    expect(
      t.stack.standIns.received('partner').filter((r) => JSON.stringify(r.body).includes(lost.sessionId)),
    ).toHaveLength(1);
  }, 60_000);

  it('leaves a batch that fails again, and an unreadable record, in the queue with exit code 1', async () => {
    // Arrange: the webhook still down when the re-drive runs, and a record that is not Lambda's.
    t.stack.standIns.configure({ slack: { failureRate: 1, failureStatus: 500 } });
    await createSession(t.stack, 'Talk during a longer outage');
    await waitFor(
      'the batch in the failure destination',
      async () => ((await queued()) > 0 ? true : undefined),
      30_000,
      200,
    );
    await clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"hello":"world"}' }));

    // Act
    const again = await run(['--queue', ResourceNames.streamDeadLetterQueue]);

    // Assert: both are still there, visible for the next run.
    t.stack.standIns.configure({ slack: { failureRate: 0 } });
    expect(again.code).toBe(1);
    expect(again.lines.join('\n')).toMatch(/failed\s+1 record\(s\)/);
    expect(again.lines.join('\n')).toMatch(/unreadable 0 record\(s\)/);
    expect(await queued()).toBe(2);
    const retried = await run(['--max', '10']);
    expect(retried.lines.at(-1)).toMatch(/^1 re-driven, 0 failed again, 0 expired, 1 unreadable/);
  }, 60_000);
});

describe('parseRedriveArgs', () => {
  it('defaults to the sessions stream failure destination and refuses a bad --max', () => {
    expect(parseRedriveArgs([])).toEqual({
      queue: ResourceNames.streamDeadLetterQueue,
      max: 100,
      'dry-run': false,
    });
    expect(() => parseRedriveArgs(['--max', '0'])).toThrow(/^--max: /);
  });
});
