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
import { formatComparison } from '../../scripts/lib/local-load-comparison';
import { readStageTimes } from '../../scripts/lib/stage-times';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import { type LocalAws, startLocalAws } from '../../src/local/aws';

describe('readStageTimes (FilterLogEvents on the local endpoint)', () => {
  let aws: LocalAws;
  let client: CloudWatchLogsClient;
  let dataDir: string;
  const base = Date.now() - 60_000;

  async function put(fn: string, events: { at: number; traceId: string; milestone: string }[]) {
    const logGroupName = logGroupOf(fn);
    await client.send(new CreateLogGroupCommand({ logGroupName }));
    await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
    await client.send(
      new PutLogEventsCommand({
        logGroupName,
        logStreamName: 's',
        logEvents: [
          ...events.map((e) => ({
            timestamp: e.at,
            message: JSON.stringify({
              level: 'INFO',
              functionName: fn,
              traceId: e.traceId,
              milestone: e.milestone,
            }),
          })),
          { timestamp: base, message: 'START RequestId: 1 Version: $LATEST' },
        ],
      }),
    );
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gumshoe-stages-'));
    aws = await startLocalAws({ port: 0, host: '127.0.0.1', dataDir });
    client = new CloudWatchLogsClient({
      endpoint: aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    // Four sessions: saved 200 ms after the request, announced 1000 + 100·i ms after the save; one never announced.
    const ids = [0, 1, 2, 3];
    await put(FunctionNames.createSession, [
      ...ids.map((i) => ({ at: base + i * 10, traceId: `t${i}`, milestone: 'CREATE_REQUEST_RECEIVED' })),
      { at: base, traceId: 'lost', milestone: 'CREATE_REQUEST_RECEIVED' },
    ]);
    await put(FunctionNames.saveSession, [
      ...ids.map((i) => ({ at: base + i * 10 + 200, traceId: `t${i}`, milestone: 'SAVED_IN_DATABASE' })),
      { at: base + 200, traceId: 'lost', milestone: 'SAVED_IN_DATABASE' },
    ]);
    await put(
      FunctionNames.notifyNewSession,
      ids.map((i) => ({
        at: base + i * 10 + 1200 + 100 * i,
        traceId: `t${i}`,
        milestone: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
      })),
    );
  });

  afterAll(async () => {
    client.destroy();
    await aws.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('splits each announced session’s lead time at the save', async () => {
    const stages = await readStageTimes(client, base - 1000);

    expect(stages.upstreamMs).toEqual({ count: 4, p50: 200, p90: 200, p99: 200, max: 200 });
    expect(stages.notifierMs).toEqual({ count: 4, p50: 1100, p90: 1300, p99: 1300, max: 1300 });
  });
});

describe('formatComparison', () => {
  it('prints exactly-once, doubled and missing announcements, the split and the load beside the lead times', () => {
    const [, , row] = formatComparison(
      [
        {
          label: 'as built',
          created: 10,
          p50Ms: 1500,
          p90Ms: 2500,
          p99Ms: 2900,
          upstreamP99Ms: 400,
          notifierP99Ms: 2600,
          notified: 9,
          doubled: 1,
          webhookMessages: 4,
          rateLimited: 2,
          loadAverage: 3.14,
        },
      ],
      90,
    );

    expect(row).toBe('| as built | 1.5 s | 2.5 s | 2.9 s | 0.4 s / 2.6 s | 8 / 10 | 1 | 1 | 4 (2) | 3.1 |');
  });
});
