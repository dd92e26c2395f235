import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogsDeliveryCheck } from '../../scripts/lib/logs-delivery-check';
import { runSmoke } from '../../scripts/lib/smoke-steps';
import { StandInDeliveryCheck } from '../../scripts/lib/stand-in-delivery-check';
import { isLoopback, parseSmokeArgs, smokeCli } from '../../scripts/smoke';
import { FunctionNames, logGroupOf } from '../../src/conference-app/contract/function-names';
import { startFakeLogs, startFakeService } from './fake-servers';

describe('smoke test', () => {
  let healthy: Awaited<ReturnType<typeof startFakeService>>;
  let silent: Awaited<ReturnType<typeof startFakeService>>;
  let refusing: Awaited<ReturnType<typeof startFakeService>>;

  beforeAll(async () => {
    healthy = await startFakeService({ pipelineDelayMs: 150, notifies: true });
    silent = await startFakeService({ pipelineDelayMs: 50, notifies: false });
    refusing = await startFakeService({ pipelineDelayMs: 0, notifies: true, createStatus: 500 });
  });
  afterAll(async () => {
    await Promise.all([healthy.close(), silent.close(), refusing.close()]);
  });

  const standIns = (base: string) =>
    new StandInDeliveryCheck({ webhook: `${base}/webhook/received`, partner: `${base}/partner/received` });

  it('follows a session through every step of a healthy service, polling until each appears', async () => {
    const lines: string[] = [];

    const result = await runSmoke({
      api: healthy.url,
      delivery: standIns(healthy.url),
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
      delivery: standIns(silent.url),
      stepTimeoutMs: 400,
      pollIntervalMs: 25,
    });

    expect(result).toMatchObject({ ok: false, failedStep: 'NOTIFIED' });
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
  });
});

describe('LogsDeliveryCheck', () => {
  const traceId = '4b7e0a38-6d0c-4b8e-9c2b-3f0a5e1d2c11';
  let logs: Awaited<ReturnType<typeof startFakeLogs>>;
  let client: CloudWatchLogsClient;

  beforeAll(async () => {
    logs = await startFakeLogs({
      [traceId]: ['CREATE_REQUEST_RECEIVED', 'SAVED_IN_DATABASE', 'SLACK_NOTIFICATION_NEW_SESSION_SENT'],
    });
    client = new CloudWatchLogsClient({
      endpoint: logs.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await logs.close();
  });

  it('sees the notification milestone but not a forwarding that was never logged', async () => {
    const check = new LogsDeliveryCheck(client);
    const session = { sessionId: 'ignored', traceId };

    expect(await check.notified(session)).toBe(true);
    expect(await check.forwarded(session)).toBe(false);
  });

  it('sends the seed milestone query for the trace over every service log group', async () => {
    await new LogsDeliveryCheck(client).milestones(traceId);

    const last = logs.queries.at(-1);
    expect(last?.queryString).toContain(`filter traceId="${traceId}" and ispresent(milestone)`);
    expect(last?.logGroupNames).toEqual(Object.values(FunctionNames).map(logGroupOf));
  });
});
