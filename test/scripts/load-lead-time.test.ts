import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatLeadTimes, readLeadTimes } from '../../scripts/lib/load-lead-time';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import { type LocalAws, startLocalAws } from '../../src/local/aws';

describe('readLeadTimes (through CloudWatchLogSearch and the local Logs Insights endpoint)', () => {
  let aws: LocalAws;
  let client: CloudWatchLogsClient;
  let dataDir: string;
  const base = Date.now() - 60_000;

  async function put(
    fn: string,
    stream: string,
    events: { at: number; traceId: string; milestone: string }[],
  ) {
    const logGroupName = logGroupOf(fn);
    await client.send(new CreateLogGroupCommand({ logGroupName })).catch(() => undefined);
    await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: stream }));
    await client.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: stream,
        logEvents: events.map((e) => ({
          timestamp: e.at,
          message: JSON.stringify({
            timestamp: new Date(e.at).toISOString(),
            level: 'INFO',
            message: e.milestone,
            functionName: fn,
            traceId: e.traceId,
            milestone: e.milestone,
          }),
        })),
      }),
    );
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gumshoe-load-lt-'));
    aws = await startLocalAws({ port: 0, host: '127.0.0.1', dataDir });
    client = new CloudWatchLogsClient({
      endpoint: aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    // Ten sessions notified 100, 200, … 1000 ms after their request; one never notified.
    const traces = Array.from({ length: 10 }, (_, i) => ({
      traceId: `t-${i}`,
      at: base + i * 1000,
      lead: (i + 1) * 100,
    }));
    await put(FunctionNames.createSession, 'create', [
      ...traces.map((t) => ({ at: t.at, traceId: t.traceId, milestone: 'CREATE_REQUEST_RECEIVED' })),
      { at: base + 20_000, traceId: 't-lost', milestone: 'CREATE_REQUEST_RECEIVED' },
    ]);
    await put(
      FunctionNames.notifyNewSession,
      'notify',
      traces.map((t) => ({
        at: t.at + t.lead,
        traceId: t.traceId,
        milestone: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
      })),
    );
  });
  afterAll(async () => {
    client.destroy();
    await aws.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('gives the run window the /leadtime percentiles and counts the session never notified', async () => {
    const search = new CloudWatchLogSearch(client, { pollInitialMs: 10, pollMaxMs: 50 });

    const report = await readLeadTimes(search, { start: new Date(base - 1000), end: new Date() });

    expect(report).toMatchObject({ count: 10, p50Ms: 500, p90Ms: 900, p99Ms: 1000, maxMs: 1000 });
    expect(report.neverArrived.map((n) => n.traceId)).toEqual(['t-lost']);
    expect(formatLeadTimes(report)[0]).toBe(
      'lead time count=10 p50=500 ms p90=900 ms p99=1000 ms max=1000 ms',
    );
  });
});
