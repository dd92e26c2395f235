import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import { LogGroupNotFoundError, MalformedQueryError } from '../../src/commands/errors';
import { runInvestigation } from '../../src/commands/jobs';
import { investigateTrace } from '../../src/commands/trace/trace-session';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract';
import { type LocalAws, startLocalAws } from '../../src/local/aws';
import { conferenceInvestigationConfig } from '../fixtures/flows/conference';

// The runner against the local CloudWatch Logs endpoint over real HTTP, with the real SDK client
// and the real Logs Insights engine behind StartQuery/GetQueryResults.
const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const TRACE = 'bf769e94-4d48-4994-8c04-ebd00b51ecbd';
let aws: LocalAws;
let client: CloudWatchLogsClient;
const now = Date.now();

function write(fn: string, offsetMs: number, extra: Record<string, unknown>) {
  const timestamp = now - 60_000 + offsetMs;
  const message = JSON.stringify({
    timestamp: new Date(timestamp).toISOString(),
    level: 'INFO',
    message: 'step',
    functionName: fn,
    AWSRequestId: 'req',
    traceId: TRACE,
    sessionId: SESSION,
    ...extra,
  });
  aws.logs.append(logGroupOf(fn), '2026/11/24/[$LATEST]abc', [{ timestamp, message }]);
}

beforeAll(async () => {
  aws = await startLocalAws({ port: 0 });
  client = new CloudWatchLogsClient({
    endpoint: aws.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  write(FunctionNames.createSession, 0, { milestone: 'CREATE_REQUEST_RECEIVED' });
  write(FunctionNames.saveSession, 400, { milestone: 'SAVED_IN_DATABASE' });
  write(FunctionNames.notifyNewSession, 600, {
    level: 'ERROR',
    exception: {
      name: 'SlackWebhookError',
      message: 'webhook returned 500',
      stack: 'SlackWebhookError: x\n    at post (n.js:1:1)',
    },
  });
  write(FunctionNames.forwardSession, 900, { milestone: 'SESSION_FORWARDED' });
  write(FunctionNames.listSessions, 0, { message: 'unrelated', traceId: 'other' });
});

afterAll(async () => {
  client?.destroy();
  await aws?.close();
});

describe('CloudWatchLogSearch on the local endpoint', () => {
  it('runs /trace end to end and finds the missing notification and the exception', async () => {
    const logs = new CloudWatchLogSearch(client, { deadlineMs: 10_000, pollInitialMs: 10 });

    const report = await investigateTrace(
      { id: SESSION },
      { logs, clock: { now: () => new Date() } },
      conferenceInvestigationConfig(),
    );

    if (report.kind !== 'found') throw new Error('expected found');
    expect(report.traceId).toBe(TRACE);
    expect(report.timeline.map((e) => e.milestone)).toEqual([
      'CREATE_REQUEST_RECEIVED',
      'SAVED_IN_DATABASE',
      'SESSION_FORWARDED',
    ]);
    expect(report.missing[0]?.functionName).toBe(FunctionNames.notifyNewSession);
    expect(report.exception?.name).toBe('SlackWebhookError');
    expect(report.scan.recordsScanned).toBeGreaterThan(0);
  });

  it('answers /leadtime and /cost jobs with the real engine', async () => {
    const ports = {
      logs: new CloudWatchLogSearch(client, { pollInitialMs: 10 }),
      clock: { now: () => new Date() },
    };
    const lead = await runInvestigation(
      { kind: 'leadtime', window: { label: '1h', durationMs: 3_600_000 } },
      ports,
      conferenceInvestigationConfig(),
    );
    expect(lead.text).toContain('1 never arrived');
    const cost = await runInvestigation(
      { kind: 'cost', period: { label: '7d', durationMs: 604_800_000 } },
      ports,
      conferenceInvestigationConfig(),
    );
    expect(cost.text).toContain('$0.00');
  });

  it('names a missing log group', async () => {
    const logs = new CloudWatchLogSearch(client, { pollInitialMs: 10 });
    const error = await logs
      .run({
        queryString: 'fields @message',
        logGroupNames: ['/aws/lambda/nope'],
        startTime: new Date(now - 1000),
        endTime: new Date(now),
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LogGroupNotFoundError);
    expect((error as LogGroupNotFoundError).userMessage).toContain('/aws/lambda/nope');
  });

  it('maps a query the engine rejects to MalformedQueryError', async () => {
    const logs = new CloudWatchLogSearch(client, { pollInitialMs: 10 });
    await expect(
      logs.run({
        queryString: 'fields | nonsense(',
        logGroupNames: [logGroupOf(FunctionNames.createSession)],
        startTime: new Date(now - 1000),
        endTime: new Date(now),
      }),
    ).rejects.toBeInstanceOf(MalformedQueryError);
  });
});
