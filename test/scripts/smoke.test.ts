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
import { LogsDeliveryCheck } from '../../scripts/lib/logs-delivery-check';
import { runSmoke } from '../../scripts/lib/smoke-steps';
import { StandInDeliveryCheck } from '../../scripts/lib/stand-in-delivery-check';
import { deliveryCheckFor, isLoopback, parseSmokeArgs, smokeCli } from '../../scripts/smoke';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import { type LocalAws, startLocalAws } from '../../src/local/aws';
import { type StandIns, startStandIns } from '../../src/local/stand-ins';
import { startFakeService } from './fake-servers';

describe('smoke test', () => {
  let standIns: StandIns;
  let healthy: Awaited<ReturnType<typeof startFakeService>>;
  let silent: Awaited<ReturnType<typeof startFakeService>>;
  let refusing: Awaited<ReturnType<typeof startFakeService>>;

  beforeAll(async () => {
    // The real local stand-ins, fast and never failing, as the pipeline's destinations.
    standIns = await startStandIns({
      host: '127.0.0.1',
      config: { latency: { median: 1, sigma: 0 }, failureRate: 0 },
    });
    const targets = { webhookUrl: standIns.slackWebhookUrl, partnerUrl: standIns.partnerUrl };
    healthy = await startFakeService({ pipelineDelayMs: 150, notifies: true, ...targets });
    silent = await startFakeService({ pipelineDelayMs: 50, notifies: false, ...targets });
    refusing = await startFakeService({ pipelineDelayMs: 0, notifies: true, createStatus: 500 });
  });
  afterAll(async () => {
    await Promise.all([healthy.close(), silent.close(), refusing.close(), standIns.close()]);
  });

  const delivery = () => new StandInDeliveryCheck(standIns.url);

  it('follows a session through every step of a healthy service, polling until each appears', async () => {
    const lines: string[] = [];

    const result = await runSmoke({
      api: healthy.url,
      delivery: delivery(),
      stepTimeoutMs: 3000,
      pollIntervalMs: 25,
      log: (l) => lines.push(l),
    });

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(healthy.sessions.map((s) => s.sessionId)).toContain(result.session.sessionId);
    // SAVED only once the pipeline delay has passed: the step waited rather than looked once.
    expect(result.stepMs.SAVED).toBeGreaterThanOrEqual(140);
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['CREATED', 'SAVED', 'NOTIFIED', 'FORWARDED']);
  });

  it('names NOTIFIED as the failing step when the webhook never receives the session', async () => {
    const result = await runSmoke({
      api: silent.url,
      delivery: delivery(),
      stepTimeoutMs: 400,
      pollIntervalMs: 25,
    });

    expect(result).toMatchObject({ ok: false, failedStep: 'NOTIFIED' });
  });

  it('does not count a notification the webhook answered with an error', async () => {
    const failing = await startStandIns({
      host: '127.0.0.1',
      config: { latency: { median: 1, sigma: 0 }, failureRate: 0, slack: { failureRate: 1 } },
    });
    const service = await startFakeService({
      pipelineDelayMs: 0,
      notifies: true,
      webhookUrl: failing.slackWebhookUrl,
      partnerUrl: failing.partnerUrl,
    });
    try {
      const result = await runSmoke({
        api: service.url,
        delivery: new StandInDeliveryCheck(failing.url),
        stepTimeoutMs: 400,
        pollIntervalMs: 25,
      });

      expect(result).toMatchObject({ ok: false, failedStep: 'NOTIFIED' });
      expect(failing.received('slack')).toHaveLength(1);
    } finally {
      await Promise.all([service.close(), failing.close()]);
    }
  });

  it('exits 1 naming CREATED when the API refuses the session', async () => {
    const lines: string[] = [];

    const code = await smokeCli(['--api', refusing.url, '--local', '--timeout', '1'], (l) => lines.push(l));

    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(/^FAIL at CREATED: POST \/sessions answered 500/);
  });

  it('exits 2 with usage on a malformed --api', async () => {
    const lines: string[] = [];
    expect(await smokeCli(['--api', 'not a url'], (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toMatch(/--api/);
  });

  it('treats loopback APIs as local and others as deployed', () => {
    expect(isLoopback('http://127.0.0.1:3000')).toBe(true);
    expect(isLoopback('http://localhost:3000/')).toBe(true);
    expect(isLoopback('https://abc.execute-api.eu-west-1.amazonaws.com/')).toBe(false);
    expect(parseSmokeArgs(['--api', 'http://127.0.0.1:3000']).timeout).toBe(60);
    expect(deliveryCheckFor(parseSmokeArgs(['--api', 'http://127.0.0.1:3000'])).kind).toBe('local stand-ins');
    expect(deliveryCheckFor(parseSmokeArgs(['--api', 'http://127.0.0.1:3000', '--logs'])).kind).toBe(
      'Logs Insights milestones',
    );
  });
});

describe('LogsDeliveryCheck (against the local CloudWatch Logs endpoint)', () => {
  const traceId = '4b7e0a38-6d0c-4b8e-9c2b-3f0a5e1d2c11';
  let aws: LocalAws;
  let client: CloudWatchLogsClient;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'gumshoe-smoke-logs-'));
    aws = await startLocalAws({ port: 0, host: '127.0.0.1', dataDir });
    client = new CloudWatchLogsClient({
      endpoint: aws.url,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    // The service's own log lines: created and saved by one trace, notified later; another trace forwarded.
    const now = Date.now();
    const lines: [string, string, string][] = [
      [FunctionNames.createSession, traceId, 'CREATE_REQUEST_RECEIVED'],
      [FunctionNames.saveSession, traceId, 'SAVED_IN_DATABASE'],
      [FunctionNames.notifyNewSession, traceId, 'SLACK_NOTIFICATION_NEW_SESSION_SENT'],
      [FunctionNames.forwardSession, 'another-trace', 'SESSION_FORWARDED'],
    ];
    for (const [i, [fn, trace, milestone]] of lines.entries()) {
      const logGroupName = logGroupOf(fn);
      await client.send(new CreateLogGroupCommand({ logGroupName })).catch(() => undefined);
      await client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: `s${i}` }));
      const line = {
        timestamp: new Date(now + i).toISOString(),
        level: 'INFO',
        message: milestone,
        functionName: fn,
      };
      await client.send(
        new PutLogEventsCommand({
          logGroupName,
          logStreamName: `s${i}`,
          logEvents: [
            { timestamp: now + i, message: JSON.stringify({ ...line, traceId: trace, milestone }) },
          ],
        }),
      );
    }
  });
  afterAll(async () => {
    client.destroy();
    await aws.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sees the notification milestone of the trace but not a forwarding logged for another trace', async () => {
    const check = new LogsDeliveryCheck(client, { resultPollMs: 20 });
    const session = { sessionId: 'unused', traceId };

    expect(await check.notified(session)).toBe(true);
    expect(await check.forwarded(session)).toBe(false);
  });

  it('returns the trace milestones in time order with the seed milestone query', async () => {
    const milestones = await new LogsDeliveryCheck(client, { resultPollMs: 20 }).milestones(traceId);

    expect(milestones).toEqual([
      'CREATE_REQUEST_RECEIVED',
      'SAVED_IN_DATABASE',
      'SLACK_NOTIFICATION_NEW_SESSION_SENT',
    ]);
  });
});
