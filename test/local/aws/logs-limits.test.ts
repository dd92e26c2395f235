import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, rejectionOf } from './helpers';

const group = '/aws/lambda/limits';
const stream = 'limits-stream';

describe('CloudWatch Logs limits on the local endpoint', () => {
  let aws: LocalAws;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0, maxConcurrentQueries: 2 });
    logs = new CloudWatchLogsClient(clientConfig(aws.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: group }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  });
  afterAll(async () => {
    logs.destroy();
    await aws.close();
  });

  it('refuses a PutLogEvents batch over 1 MiB', async () => {
    const message = 'x'.repeat(100_000);
    const logEvents = Array.from({ length: 11 }, () => ({ timestamp: Date.now(), message }));

    const error = await rejectionOf(
      logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents })),
    );

    expect(error.name).toBe('InvalidParameterException');
    expect(error.message).toContain('Upload too large');
  });

  it('leaves out events too old (a negative timestamp too) or too new, and says which', async () => {
    const now = Date.now();
    const result = await logs
      .send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: stream,
          logEvents: [
            { timestamp: -5, message: 'negative' },
            { timestamp: now - 15 * 24 * 3_600_000, message: 'fifteen days old' },
            { timestamp: now, message: 'fine' },
            { timestamp: now + 3 * 3_600_000, message: 'three hours ahead' },
          ],
        }),
      )
      .catch((error: Error) => error);

    // The negative and the 15-day-old events are 16 days apart: AWS refuses a batch spanning > 24 h.
    expect((result as Error).name).toBe('InvalidParameterException');
    const kept = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [
          { timestamp: now - 14 * 24 * 3_600_000 - 3_600_000, message: 'old' },
          { timestamp: now - 14 * 24 * 3_600_000 + 3_600_000, message: 'fine' },
        ],
      }),
    );
    expect(kept.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
    const future = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [
          { timestamp: now, message: 'fine' },
          { timestamp: now + 3 * 3_600_000, message: 'ahead' },
        ],
      }),
    );
    expect(future.rejectedLogEventsInfo).toEqual({ tooNewLogEventStartIndex: 1 });
    const negative = await logs.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: [{ timestamp: -5, message: 'n' }],
      }),
    );
    expect(negative.rejectedLogEventsInfo).toEqual({ tooOldLogEventEndIndex: 1 });
  });

  it('refuses log group names with a wildcard, and more than 50 groups in one query', async () => {
    const wildcard = await rejectionOf(
      logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/*' })),
    );
    const queryWildcard = await rejectionOf(
      logs.send(
        new StartQueryCommand({
          logGroupNames: ['/aws/lambda/*'],
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message',
        }),
      ),
    );
    const tooMany = await rejectionOf(
      logs.send(
        new StartQueryCommand({
          logGroupNames: Array.from({ length: 51 }, (_, i) => `/aws/lambda/g${i}`),
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message',
        }),
      ),
    );

    expect(wildcard.name).toBe('InvalidParameterException');
    expect(queryWildcard.name).toBe('InvalidParameterException');
    expect(tooMany.name).toBe('InvalidParameterException');
  });

  it('answers LimitExceededException past the concurrent-query quota until a query is seen finished', async () => {
    const start = () =>
      logs.send(
        new StartQueryCommand({
          logGroupName: group,
          startTime: 0,
          endTime: 2_000_000_000,
          queryString: 'stats count(*)',
        }),
      );
    const first = await start();
    await start();

    const error = await rejectionOf(start());
    expect(error.name).toBe('LimitExceededException');

    // Polling the first to completion frees its slot.
    let status: string | undefined;
    while (status !== 'Complete')
      status = (await logs.send(new GetQueryResultsCommand({ queryId: first.queryId }))).status;
    await expect(start()).resolves.toHaveProperty('queryId');
  });
});
