import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetTraceSummariesCommand, XRayClient } from '@aws-sdk/client-xray';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError, type LocalAws, startLocalAws } from '../../../src/local/aws';
import { LogStore } from '../../../src/local/logs/log-store';
import { clientConfig, rejectionOf, tempDataDir } from './helpers';

describe('local AWS endpoint core', () => {
  let aws: LocalAws;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
  });

  afterAll(async () => {
    await aws.close();
  });

  it('takes the region from the SigV4 credential scope', async () => {
    const client = new CloudWatchLogsClient({ ...clientConfig(aws.url), region: 'us-east-2' });
    await client.send(new CreateLogGroupCommand({ logGroupName: '/regional' }));
    const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/regional' }));
    client.destroy();
    expect(out.logGroups?.[0]?.logGroupArn).toBe('arn:aws:logs:us-east-2:000000000000:log-group:/regional');
  });

  it('answers an unclaimed restJson path with UnknownOperationException, then serves a registered one', async () => {
    const xray = new XRayClient(clientConfig(aws.url));
    const input = { StartTime: new Date(0), EndTime: new Date(1000) };
    const before = await rejectionOf(xray.send(new GetTraceSummariesCommand(input)));
    aws.registerRestService({
      name: 'xray-test',
      matches: (method, path) => method === 'POST' && path === '/TraceSummaries',
      handle: (request) => {
        const body = JSON.parse(request.body.toString()) as { StartTime: number };
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ TraceSummaries: [{ Id: `1-${body.StartTime}-abc` }], ApproximateTime: 1 }),
        };
      },
    });
    const after = await xray.send(new GetTraceSummariesCommand(input));
    xray.destroy();
    expect([before.name, before.$metadata?.httpStatusCode]).toEqual(['UnknownOperationException', 400]);
    expect(after.TraceSummaries?.[0]?.Id).toBe('1-0-abc');
  });

  it('routes a plugged-in awsJson service by target prefix and survives a handler that throws', async () => {
    aws.registerJsonService({
      targetPrefix: 'Logs_20140328',
      jsonVersion: '1.1',
      operations: {
        DescribeLogGroups: (input) => {
          if (input.logGroupNamePrefix === 'boom') throw new Error('bug in a handler');
          if (input.logGroupNamePrefix === 'expected')
            throw new AwsServiceError('LimitExceededException', 'too many');
          return { logGroups: [{ logGroupName: 'from-plugin' }] };
        },
      },
    });
    const client = new CloudWatchLogsClient(clientConfig(aws.url));
    const crash = await rejectionOf(
      client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'boom' })),
    );
    const expected = await rejectionOf(
      client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'expected' })),
    );
    const ok = await client.send(new DescribeLogGroupsCommand({}));
    client.destroy();
    expect(crash.$metadata?.httpStatusCode).toBe(500);
    expect(expected.name).toBe('LimitExceededException');
    expect(ok.logGroups?.map((g) => g.logGroupName)).toEqual(['from-plugin']);
  });

  it('answers a request without a target on / with UnknownOperationException', async () => {
    const res = await fetch(`${aws.url}/`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(((await res.json()) as { __type: string }).__type).toBe('UnknownOperationException');
  });
});

describe('LogStore', () => {
  it('scans several groups and streams merged in timestamp order within inclusive bounds', () => {
    const store = LogStore.open();
    store.append(
      'g1',
      'a',
      [5, 1, 9, 3].map((t) => ({ timestamp: t, message: `a${t}` })),
    );
    store.append(
      'g1',
      'b',
      [2, 4, 10].map((t) => ({ timestamp: t, message: `b${t}` })),
    );
    store.append(
      'g2',
      'c',
      [3, 8].map((t) => ({ timestamp: t, message: `c${t}` })),
    );
    store.append(
      'g3',
      'd',
      [1].map((t) => ({ timestamp: t, message: `d${t}` })),
    );
    const scanned = [...store.scan(['g1', 'g2'], 2, 9)].map((e) => e.message);
    expect(scanned).toEqual(['b2', 'a3', 'c3', 'b4', 'a5', 'c8', 'a9']);
  });

  it('stops a scan early without reading the rest', () => {
    const store = LogStore.open();
    store.append(
      'g',
      's',
      Array.from({ length: 1000 }, (_, i) => ({ timestamp: i, message: String(i) })),
    );
    const iterator = store.scan(['g'], 0, Infinity)[Symbol.iterator]();
    expect(iterator.next().value?.message).toBe('0');
    expect(iterator.next().value?.message).toBe('1');
  });

  it('gives every event a unique id that survives a reload, skipping a torn last line', () => {
    const data = tempDataDir();
    try {
      const first = LogStore.open(data.dir);
      const written = first.append('/g', 's', [
        { timestamp: 1, message: 'one' },
        { timestamp: 2, message: 'two' },
      ]);
      const file = readdirSync(join(data.dir, 'logs'))[0] as string;
      appendFileSync(join(data.dir, 'logs', file), '{"k":"e","s":"s","t":3,');
      const second = LogStore.open(data.dir);
      const more = second.append('/g', 's', [{ timestamp: 4, message: 'four' }]);
      const all = [...second.scan(['/g'], 0, 10)];
      expect(all.map((e) => e.message)).toEqual(['one', 'two', 'four']);
      expect(all.map((e) => e.eventId)).toEqual([...written.map((e) => e.eventId), more[0]?.eventId]);
      expect(new Set(all.map((e) => e.eventId)).size).toBe(3);
      const third = LogStore.open(data.dir);
      expect([...third.scan(['/g'], 0, 10)].map((e) => e.message)).toEqual(['one', 'two', 'four']);
    } finally {
      data.remove();
    }
  });
});
