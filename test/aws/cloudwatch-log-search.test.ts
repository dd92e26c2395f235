import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  LimitExceededException,
  MalformedQueryException,
  ResourceNotFoundException,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import {
  GumshoeError,
  LogGroupNotFoundError,
  MalformedQueryError,
  QueryFailedError,
  QueryLimitExceededError,
  QueryTimeoutError,
} from '../../src/commands/errors';

const cwl = mockClient(CloudWatchLogsClient);

/** A fake time source: sleeping advances it, so deadlines are reached without waiting. */
function fakeTime() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const request = {
  queryString: 'fields @timestamp | limit 1',
  logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
  startTime: new Date('2026-11-24T10:00:00.400Z'),
  endTime: new Date('2026-11-24T11:00:00.200Z'),
};

describe('CloudWatchLogSearch', () => {
  beforeEach(() => cwl.reset());
  afterEach(() => cwl.reset());

  it('starts with explicit groups and an inclusive whole-second window, polls Running to Complete, and parses rows without @ptr', async () => {
    // Arrange
    const time = fakeTime();
    cwl.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    cwl
      .on(GetQueryResultsCommand)
      .resolvesOnce({ status: 'Scheduled' })
      .resolvesOnce({ status: 'Running', results: [[{ field: 'traceId', value: 'partial' }]] })
      .resolvesOnce({
        status: 'Complete',
        results: [
          [
            { field: 'traceId', value: 't-1' },
            { field: '@ptr', value: 'CmAKJwo' },
            { field: 'n', value: '3' },
          ],
          [{ field: 'traceId', value: 't-2' }, { field: 'empty' }],
        ],
        statistics: { recordsMatched: 2, recordsScanned: 1234, bytesScanned: 5678 },
      });
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), {
      sleep: time.sleep,
      now: time.now,
    });

    // Act
    const result = await search.run({ ...request, limit: 20 });

    // Assert
    expect(cwl).toHaveReceivedCommandWith(StartQueryCommand, {
      queryString: request.queryString,
      logGroupNames: ['/aws/lambda/a', '/aws/lambda/b'],
      startTime: Math.floor(request.startTime.getTime() / 1000),
      endTime: Math.ceil(request.endTime.getTime() / 1000),
      limit: 20,
    });
    expect(cwl).toHaveReceivedCommandTimes(GetQueryResultsCommand, 3);
    expect(result.rows).toEqual([{ traceId: 't-1', n: '3' }, { traceId: 't-2' }]);
    expect(result.statistics).toEqual({ recordsMatched: 2, recordsScanned: 1234, bytesScanned: 5678 });
    expect(time.sleeps).toEqual([100, 200]);
    expect(result.durationMs).toBe(300);
  });

  it('backs off from 100 ms doubling up to the 1 s cap', async () => {
    const time = fakeTime();
    cwl.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    const running = cwl.on(GetQueryResultsCommand);
    for (let i = 0; i < 6; i++) running.resolvesOnce({ status: 'Running' });
    running.resolves({ status: 'Complete', results: [] });
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), {
      sleep: time.sleep,
      now: time.now,
    });

    await search.run(request);

    expect(time.sleeps).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('stops the query and throws QueryTimeoutError when the deadline passes', async () => {
    const time = fakeTime();
    cwl.on(StartQueryCommand).resolves({ queryId: 'q-slow' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Running' });
    cwl.on(StopQueryCommand).resolves({ success: true });
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), {
      sleep: time.sleep,
      now: time.now,
      deadlineMs: 2500,
    });

    const error = await search.run(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).userMessage).toMatch(/took longer than 3 s/);
    expect(cwl).toHaveReceivedCommandWith(StopQueryCommand, { queryId: 'q-slow' });
    expect(time.sleeps.reduce((a, b) => a + b, 0)).toBe(2500);
  });

  it('still throws QueryTimeoutError when StopQuery itself fails', async () => {
    const time = fakeTime();
    cwl.on(StartQueryCommand).resolves({ queryId: 'q' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Scheduled' });
    cwl.on(StopQueryCommand).rejects(new Error('already ended'));
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), { ...time, deadlineMs: 100 });

    await expect(search.run(request)).rejects.toBeInstanceOf(QueryTimeoutError);
  });

  it('retries StartQuery on LimitExceededException with jittered, growing backoff', async () => {
    const time = fakeTime();
    const limit = () => new LimitExceededException({ message: 'too many', $metadata: {} });
    cwl.on(StartQueryCommand).rejectsOnce(limit()).rejectsOnce(limit()).resolves({ queryId: 'q-2' });
    cwl.on(GetQueryResultsCommand).resolves({ status: 'Complete', results: [] });
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), { ...time, random: () => 0.5 });

    const result = await search.run(request);

    expect(result.rows).toEqual([]);
    expect(cwl).toHaveReceivedCommandTimes(StartQueryCommand, 3);
    expect(time.sleeps).toEqual([250, 500]);
  });

  it('gives up after the bounded attempts with QueryLimitExceededError', async () => {
    const time = fakeTime();
    cwl.on(StartQueryCommand).rejects(new LimitExceededException({ message: 'too many', $metadata: {} }));
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), { ...time, startAttempts: 3 });

    const error = await search.run(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryLimitExceededError);
    expect((error as GumshoeError).userMessage).toMatch(/Too many log queries/);
    expect((error as Error).cause).toBeInstanceOf(LimitExceededException);
    expect(cwl).toHaveReceivedCommandTimes(StartQueryCommand, 3);
  });

  it.each(['Failed', 'Cancelled', 'Timeout', 'Unknown'] as const)(
    'maps the terminal status %s to QueryFailedError carrying it',
    async (status) => {
      const time = fakeTime();
      cwl.on(StartQueryCommand).resolves({ queryId: 'q' });
      cwl.on(GetQueryResultsCommand).resolvesOnce({ status: 'Running' }).resolves({ status });
      const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), time);

      const error = await search.run(request).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(QueryFailedError);
      expect((error as QueryFailedError).status).toBe(status);
      expect((error as QueryFailedError).userMessage.length).toBeGreaterThan(10);
      expect(cwl).not.toHaveReceivedCommand(StopQueryCommand);
    },
  );

  it('maps MalformedQueryException to MalformedQueryError', async () => {
    cwl.on(StartQueryCommand).rejects(new MalformedQueryException({ message: 'bad at 1:7', $metadata: {} }));
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), fakeTime());

    const error = await search.run(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MalformedQueryError);
    expect((error as Error).message).toContain('bad at 1:7');
  });

  it('maps ResourceNotFoundException to LogGroupNotFoundError naming the groups', async () => {
    cwl
      .on(StartQueryCommand)
      .rejects(
        new ResourceNotFoundException({ message: 'Log group /aws/lambda/b does not exist', $metadata: {} }),
      );
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), fakeTime());

    const error = await search.run(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(LogGroupNotFoundError);
    expect((error as GumshoeError).userMessage).toContain('/aws/lambda/b does not exist');
  });

  it('wraps a GetQueryResults failure with its cause', async () => {
    const cause = Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
    cwl.on(StartQueryCommand).resolves({ queryId: 'q' });
    cwl.on(GetQueryResultsCommand).rejects(cause);
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), fakeTime());

    const error = await search.run(request).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(QueryFailedError);
    expect((error as QueryFailedError).status).toBe('ThrottlingException');
    expect((error as Error).cause).toBe(cause);
  });

  it('refuses more than 50 log groups and an inverted window without calling AWS', async () => {
    const search = new CloudWatchLogSearch(new CloudWatchLogsClient({}), fakeTime());
    const many = Array.from({ length: 51 }, (_, i) => `/aws/lambda/f${i}`);

    await expect(search.run({ ...request, logGroupNames: many })).rejects.toBeInstanceOf(GumshoeError);
    await expect(
      search.run({ ...request, startTime: request.endTime, endTime: request.startTime }),
    ).rejects.toThrow(/ends before it starts/);
    expect(cwl).not.toHaveReceivedCommand(StartQueryCommand);
  });
});
