import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../../src/aws/cloudwatch-log-search';
import { investigateLeadTime } from '../../../src/commands/leadtime/leadtime';
import { LEAD_TIME_EDGES_MS } from '../../../src/commands/leadtime/leadtime-query';
import { percentile } from '../../../src/commands/leadtime/leadtime-report';
import {
  FunctionNames,
  LEAD_TIME_FROM,
  LEAD_TIME_TO,
  logGroupOf,
} from '../../../src/conference-app/contract';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { conferenceInvestigationConfig } from '../../fixtures/flows/conference';

// /leadtime over 50,000 traces on the local endpoint: the events go in through the real CloudWatch
// Logs client (PutLogEvents in big batches, not through the service, to stay fast), the queries run
// on the local Logs Insights engine behind StartQuery, and the figures must equal an independent
// computation over the generated lead times, so nothing may be capped.
const TRACES = 50_000;
const LOST = 700;
const NOW = Date.parse('2026-11-24T12:00:00Z');
const START = NOW - 3_600_000;
const uuid = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;

let aws: LocalAws;
let client: CloudWatchLogsClient;
const leadTimes: number[] = [];

// A deterministic spread of lead times (ms) with a long tail, as a busy day has.
const leadOf = (i: number) => ((i * 7919) % 4000) + (i % 97 === 0 ? 60_000 + (i % 5) * 100_000 : 0);

async function put(group: string, events: { timestamp: number; message: string }[]) {
  const stream = '2026/11/24/[$LATEST]load';
  await client.send(new CreateLogGroupCommand({ logGroupName: group })).catch(() => undefined);
  await client
    .send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }))
    .catch(() => undefined);
  events.sort((a, b) => a.timestamp - b.timestamp);
  // PutLogEvents takes at most 10,000 events and 1 MB per call.
  for (let i = 0; i < events.length; i += 5000)
    await client.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: stream,
        logEvents: events.slice(i, i + 5000),
      }),
    );
}

beforeAll(async () => {
  aws = await startLocalAws({ port: 0 });
  client = new CloudWatchLogsClient({
    endpoint: aws.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const line = (traceId: string, milestone: string) =>
    JSON.stringify({ level: 'INFO', message: 'milestone', traceId, milestone, AWSRequestId: 'r' });
  const starts: { timestamp: number; message: string }[] = [];
  const ends: { timestamp: number; message: string }[] = [];
  for (let i = 0; i < TRACES + LOST; i++) {
    const startedAt = START + 1000 + Math.floor((i * 2_000_000) / (TRACES + LOST));
    starts.push({ timestamp: startedAt, message: line(uuid(i), LEAD_TIME_FROM) });
    if (i >= TRACES) continue;
    const lead = leadOf(i);
    leadTimes.push(lead);
    ends.push({ timestamp: startedAt + lead, message: line(uuid(i), LEAD_TIME_TO) });
    // Every 50th notification is retried later: the first one counts.
    if (i % 50 === 0) ends.push({ timestamp: startedAt + lead + 5000, message: line(uuid(i), LEAD_TIME_TO) });
  }
  await put(logGroupOf(FunctionNames.createSession), starts);
  await put(logGroupOf(FunctionNames.notifyNewSession), ends);
}, 120_000);

afterAll(async () => {
  client?.destroy();
  await aws?.close();
});

describe('/leadtime at volume', () => {
  it('reports exact percentiles, counts and histogram over 50,000 traces', async () => {
    const logs = new CloudWatchLogSearch(client, { deadlineMs: 60_000, pollInitialMs: 20 });
    const report = await investigateLeadTime(
      {},
      { logs, clock: { now: () => new Date(NOW) } },
      conferenceInvestigationConfig({
        logGroupNames: [logGroupOf(FunctionNames.createSession), logGroupOf(FunctionNames.notifyNewSession)],
      }),
    );

    const sorted = [...leadTimes].sort((a, b) => a - b);
    expect(report.count).toBe(TRACES);
    expect([report.p50Ms, report.p90Ms, report.p99Ms, report.maxMs]).toEqual([
      percentile(sorted, 50),
      percentile(sorted, 90),
      percentile(sorted, 99),
      sorted.at(-1),
    ]);
    const buckets = LEAD_TIME_EDGES_MS.map((from, i) => {
      const to = LEAD_TIME_EDGES_MS[i + 1] ?? Number.POSITIVE_INFINITY;
      return sorted.filter((v) => v >= from && v < to).length;
    });
    expect(report.histogram.map((b) => b.count)).toEqual(buckets.slice(0, report.histogram.length));
    expect(buckets.slice(report.histogram.length).every((c) => c === 0)).toBe(true);
    expect(report.neverArrivedCount).toBe(LOST);
    expect(report.slowest[0]?.leadTimeMs).toBe(sorted.at(-1));
    expect(report.slowest).toHaveLength(10);
  }, 120_000);
});
