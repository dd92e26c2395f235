import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  GetQueryResultsCommand,
  MalformedQueryException,
  PutLogEventsCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, corruptBody, rejectionOf, tempDataDir } from './helpers';

const T0 = Date.UTC(2026, 10, 24, 12, 0, 0);

describe('local CloudWatch Logs endpoint', () => {
  let aws: LocalAws;
  let logs: CloudWatchLogsClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    logs = new CloudWatchLogsClient(clientConfig(aws.url));
    await logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/create-session' }));
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/aws/lambda/create-session', logStreamName: 'a' }),
    );
    await logs.send(
      new CreateLogStreamCommand({ logGroupName: '/aws/lambda/create-session', logStreamName: 'b' }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        logStreamName: 'a',
        logEvents: [
          { timestamp: T0, message: 'START RequestId: 1' },
          {
            timestamp: T0 + 20,
            message: JSON.stringify({ level: 'ERROR', milestone: 'session-saved', latency: 250 }),
          },
          { timestamp: T0 + 40, message: 'END RequestId: 1' },
        ],
      }),
    );
    await logs.send(
      new PutLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        logStreamName: 'b',
        logEvents: [
          {
            timestamp: T0 + 10,
            message: JSON.stringify({ level: 'INFO', milestone: 'request-received', latency: 5 }),
          },
          { timestamp: T0 + 30, message: 'Task timed out after 3.00 seconds' },
        ],
      }),
    );
  });

  afterAll(async () => {
    logs.destroy();
    await aws.close();
  });

  it('returns a stream’s events from the head with forward and backward tokens', async () => {
    const first = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        logStreamName: 'a',
        startFromHead: true,
        limit: 2,
      }),
    );
    expect(first.events?.map((e) => e.message)).toEqual([
      'START RequestId: 1',
      expect.stringContaining('ERROR'),
    ]);
    const second = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        logStreamName: 'a',
        nextToken: first.nextForwardToken,
      }),
    );
    expect(second.events?.map((e) => e.message)).toEqual(['END RequestId: 1']);
    const end = await logs.send(
      new GetLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        logStreamName: 'a',
        nextToken: second.nextForwardToken,
      }),
    );
    expect(end.events).toEqual([]);
    expect(end.nextForwardToken).toBe(second.nextForwardToken);
  });

  it('returns the latest events when startFromHead is not set', async () => {
    const out = await logs.send(
      new GetLogEventsCommand({ logGroupName: '/aws/lambda/create-session', logStreamName: 'a', limit: 1 }),
    );
    expect(out.events?.map((e) => e.message)).toEqual(['END RequestId: 1']);
    expect(out.events?.[0]?.timestamp).toBe(T0 + 40);
  });

  it('rejects a duplicate group and a duplicate stream with ResourceAlreadyExistsException', async () => {
    const group = await rejectionOf(
      logs.send(new CreateLogGroupCommand({ logGroupName: '/aws/lambda/create-session' })),
    );
    const stream = await rejectionOf(
      logs.send(
        new CreateLogStreamCommand({ logGroupName: '/aws/lambda/create-session', logStreamName: 'a' }),
      ),
    );
    expect([group.name, stream.name]).toEqual([
      'ResourceAlreadyExistsException',
      'ResourceAlreadyExistsException',
    ]);
    expect(group.$metadata?.httpStatusCode).toBe(400);
  });

  it('lists groups by prefix with pagination', async () => {
    for (const n of ['x1', 'x2', 'x3'])
      await logs.send(new CreateLogGroupCommand({ logGroupName: `/test/${n}` }));
    const page1 = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/test/', limit: 2 }));
    const page2 = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/test/', limit: 2, nextToken: page1.nextToken }),
    );
    expect(page1.logGroups?.map((g) => g.logGroupName)).toEqual(['/test/x1', '/test/x2']);
    expect(page2.logGroups?.map((g) => g.logGroupName)).toEqual(['/test/x3']);
    expect(page2.nextToken).toBeUndefined();
    expect(page1.logGroups?.[0]?.arn).toBe('arn:aws:logs:eu-west-1:000000000000:log-group:/test/x1:*');
  });

  it('describes streams with their first and last event times', async () => {
    const out = await logs.send(
      new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/create-session' }),
    );
    expect(
      out.logStreams?.map((s) => [s.logStreamName, s.firstEventTimestamp, s.lastEventTimestamp]),
    ).toEqual([
      ['a', T0, T0 + 40],
      ['b', T0 + 10, T0 + 30],
    ]);
  });

  it.each([
    ['', 5],
    ['RequestId', 2],
    ['"timed out"', 1],
    ['START -Task', 1],
    ['?START ?timed', 2],
    ['{ $.level = "ERROR" }', 1],
    ['{ $.latency > 100 }', 1],
    ['{ $.latency <= 5 || $.level = "ERR*" }', 2],
    ['{ $.milestone != "session-saved" }', 1],
  ])('filters events merged across streams with pattern %j', async (filterPattern, count) => {
    const out = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/create-session', filterPattern }),
    );
    expect(out.events).toHaveLength(count);
    const times = out.events?.map((e) => e.timestamp ?? 0) ?? [];
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('filters by stream names and time window and pages with nextToken', async () => {
    const page1 = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        startTime: T0 + 10,
        endTime: T0 + 40,
        limit: 2,
      }),
    );
    const page2 = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/create-session',
        startTime: T0 + 10,
        endTime: T0 + 40,
        limit: 2,
        nextToken: page1.nextToken,
      }),
    );
    expect([...(page1.events ?? []), ...(page2.events ?? [])].map((e) => e.timestamp)).toEqual([
      T0 + 10,
      T0 + 20,
      T0 + 30,
      T0 + 40,
    ]);
    const onlyB = await logs.send(
      new FilterLogEventsCommand({ logGroupName: '/aws/lambda/create-session', logStreamNames: ['b'] }),
    );
    expect(onlyB.events?.map((e) => e.logStreamName)).toEqual(['b', 'b']);
  });

  it('rejects an unsupported filter pattern with InvalidParameterException', async () => {
    const err = await rejectionOf(
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: '/aws/lambda/create-session',
          filterPattern: '[ip, user]',
        }),
      ),
    );
    expect(err.name).toBe('InvalidParameterException');
  });

  it('runs a query: Running on the first poll, Complete with string results afterwards', async () => {
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: '/aws/lambda/create-session',
        startTime: Math.floor(T0 / 1000),
        endTime: Math.floor(T0 / 1000),
        queryString: 'filter level = "ERROR" | fields milestone, latency',
      }),
    );
    const first = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(first.status).toBe('Running');
    expect(first.results).toEqual([]);
    const second = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(second.status).toBe('Complete');
    const row = Object.fromEntries((second.results?.[0] ?? []).map((f) => [f.field, f.value]));
    expect(row).toMatchObject({ milestone: 'session-saved', latency: '250' });
    expect(second.results).toHaveLength(1);
    expect(second.statistics).toMatchObject({ recordsMatched: 1, recordsScanned: 5 });
    const stop = await rejectionOf(logs.send(new StopQueryCommand({ queryId })));
    expect(stop.name).toBe('InvalidParameterException');
  });

  it('cancels a running query with StopQuery', async () => {
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupNames: ['/aws/lambda/create-session'],
        startTime: 0,
        endTime: 2_000_000_000,
        queryString: 'fields @message',
      }),
    );
    const stop = await logs.send(new StopQueryCommand({ queryId }));
    const after = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(stop.success).toBe(true);
    expect(after.status).toBe('Cancelled');
  });

  it('maps a malformed query to MalformedQueryException with its location', async () => {
    const err = await rejectionOf(
      logs.send(
        new StartQueryCommand({
          logGroupName: '/aws/lambda/create-session',
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message\n| frobnicate x',
        }),
      ),
    );
    expect(err).toBeInstanceOf(MalformedQueryException);
    const location = (err as MalformedQueryException).queryCompileError?.location;
    expect(location?.startCharOffset).toBeGreaterThanOrEqual(16);
  });

  it('answers unknown groups, unknown queries and missing parameters with the AWS errors', async () => {
    const group = await rejectionOf(
      logs.send(
        new StartQueryCommand({
          logGroupName: '/nope',
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message',
        }),
      ),
    );
    const query = await rejectionOf(logs.send(new GetQueryResultsCommand({ queryId: 'no-such-query' })));
    const stream = await rejectionOf(
      logs.send(
        new PutLogEventsCommand({
          logGroupName: '/aws/lambda/create-session',
          logStreamName: 'zzz',
          logEvents: [{ timestamp: 1, message: 'x' }],
        }),
      ),
    );
    const missing = await rejectionOf(logs.send(new CreateLogGroupCommand({} as never)));
    const twoSources = await rejectionOf(
      logs.send(
        new StartQueryCommand({
          logGroupName: '/a',
          logGroupNames: ['/b'],
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message',
        }),
      ),
    );
    expect([group.name, query.name, stream.name, missing.name, twoSources.name]).toEqual([
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      'ResourceNotFoundException',
      'InvalidParameterException',
      'InvalidParameterException',
    ]);
  });

  it('answers an unknown operation with UnknownOperationException and keeps serving', async () => {
    const err = await rejectionOf(
      logs.send(new DeleteLogGroupCommand({ logGroupName: '/aws/lambda/create-session' })),
    );
    expect(err.name).toBe('UnknownOperationException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    const still = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/' }));
    expect(still.logGroups).toHaveLength(1);
  });

  it('answers a malformed JSON body with SerializationException and keeps serving', async () => {
    const broken = new CloudWatchLogsClient(clientConfig(aws.url));
    broken.middlewareStack.add(corruptBody('{"logGroupName": '), { step: 'finalizeRequest' });
    const err = await rejectionOf(broken.send(new DescribeLogGroupsCommand({})));
    broken.destroy();
    expect(err.name).toBe('SerializationException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    await expect(logs.send(new DescribeLogGroupsCommand({}))).resolves.toBeDefined();
  });
});

describe('local log store persistence', () => {
  it('keeps groups, streams and events across a restart of the endpoint', async () => {
    const data = tempDataDir();
    try {
      const first = await startLocalAws({ port: 0, dataDir: data.dir });
      const client1 = new CloudWatchLogsClient(clientConfig(first.url));
      await client1.send(new CreateLogGroupCommand({ logGroupName: '/persist' }));
      await client1.send(new CreateLogStreamCommand({ logGroupName: '/persist', logStreamName: 's' }));
      await client1.send(
        new PutLogEventsCommand({
          logGroupName: '/persist',
          logStreamName: 's',
          logEvents: [{ timestamp: T0, message: 'over the wire' }],
        }),
      );
      first.logs.append('/persist', 's2', [{ timestamp: T0 + 1, message: 'in process' }]);
      client1.destroy();
      await first.close();

      const second = await startLocalAws({ port: 0, dataDir: data.dir });
      const client2 = new CloudWatchLogsClient(clientConfig(second.url));
      const out = await client2.send(new FilterLogEventsCommand({ logGroupName: '/persist' }));
      client2.destroy();
      await second.close();
      expect(out.events?.map((e) => [e.logStreamName, e.message])).toEqual([
        ['s', 'over the wire'],
        ['s2', 'in process'],
      ]);
    } finally {
      data.remove();
    }
  });
});
