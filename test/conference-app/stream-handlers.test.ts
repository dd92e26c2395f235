import { afterEach, describe, expect, it } from 'vitest';
import { FunctionNames, Milestone } from '../../src/conference-app/contract';
import { createForwardSessionHandler } from '../../src/conference-app/handlers/forward-session';
import { createNotifyNewSessionHandler } from '../../src/conference-app/handlers/notify-new-session';
import { HttpPartnerForwarder } from '../../src/conference-app/http/http-partner-forwarder';
import { SlackWebhookNotifier } from '../../src/conference-app/http/slack-webhook-notifier';
import { aSession, capturingLogger, contractLines, lambdaContext, startStub, streamEvent } from './helpers';

const stubs: Awaited<ReturnType<typeof startStub>>[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => s.close()));
});

async function stub(respond: Parameters<typeof startStub>[0]) {
  const s = await startStub(respond);
  stubs.push(s);
  return s;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function notifyHandler(
  url: string,
  options: { concurrency?: number; timeoutMs?: number; latencyMs?: number } = {},
) {
  const { logger, lines } = capturingLogger();
  const handler = createNotifyNewSessionHandler({
    notifier: new SlackWebhookNotifier(url),
    logger,
    concurrency: options.concurrency ?? 10,
    timeoutMs: options.timeoutMs ?? 2000,
    latencyMs: options.latencyMs ?? 0,
  });
  return { handler, lines, context: lambdaContext(FunctionNames.notifyNewSession, 'req-notify') };
}

describe('notify-new-session handler', () => {
  it('sends the batch with bounded concurrency, not one by one', async () => {
    const webhook = await stub(async (_body, res) => {
      await wait(100);
      res.end('ok');
    });
    const { handler, context, lines } = notifyHandler(webhook.url, { concurrency: 5 });
    const sessions = Array.from({ length: 12 }, () => aSession());

    const started = performance.now();
    const result = await handler(streamEvent(sessions.map((session) => ({ session }))), context);
    const elapsed = performance.now() - started;

    expect(result.batchItemFailures).toEqual([]);
    expect(webhook.received).toHaveLength(12);
    expect(webhook.maxInFlight()).toBe(5);
    // 12 at 100 ms each with 5 in flight is 3 rounds (~300 ms); one by one would be 1.2 s.
    expect(elapsed).toBeLessThan(900);
    const milestones = contractLines(lines).filter((l) => l.milestone === Milestone.slackNotificationSent);
    expect(milestones.map((l) => [l.sessionId, l.traceId]).sort()).toEqual(
      sessions.map((s) => [s.sessionId, s.traceId]).sort(),
    );
    for (const line of milestones) {
      expect(line).toMatchObject({
        functionName: FunctionNames.notifyNewSession,
        AWSRequestId: 'req-notify',
      });
    }
  });

  it('logs the lead time since the session was created on the notification line', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url);
    const createdAt = new Date(Date.now() - 5_000).toISOString();
    const session = aSession({ createdAt });

    const before = Date.now();
    await handler(streamEvent([{ session }]), context);
    const after = Date.now();

    const line = lines.find((l) => l.milestone === Milestone.slackNotificationSent);
    const leadTimeMs = line?.leadTimeMs;
    expect(typeof leadTimeMs).toBe('number');
    expect(leadTimeMs).toBeGreaterThanOrEqual(before - Date.parse(createdAt));
    expect(leadTimeMs).toBeLessThanOrEqual(after - Date.parse(createdAt));
  });

  it('announces the session in the message text', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context } = notifyHandler(webhook.url);
    const session = aSession({ subject: 'Tracing <slow> & steady' });

    await handler(streamEvent([{ session }]), context);

    expect(String(webhook.received[0]?.text)).toContain('Tracing &lt;slow&gt; &amp; steady');
    expect(String(webhook.received[0]?.text)).toContain(session.sessionId);
  });

  it('ignores MODIFY and REMOVE records', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url);

    const result = await handler(
      streamEvent([
        { session: aSession(), eventName: 'MODIFY' },
        { session: aSession(), eventName: 'REMOVE' },
      ]),
      context,
    );

    expect(result.batchItemFailures).toEqual([]);
    expect(webhook.received).toHaveLength(0);
    expect(lines).toHaveLength(0);
  });

  it('reports exactly the record the webhook refused', async () => {
    const bad = aSession({ subject: 'refuse me' });
    const webhook = await stub((body, res) => {
      res.statusCode = String(body.text).includes('refuse me') ? 500 : 200;
      res.end();
    });
    const { handler, context, lines } = notifyHandler(webhook.url);
    const event = streamEvent([{ session: aSession() }, { session: bad }, { session: aSession() }]);

    const result = await handler(event, context);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[1]?.dynamodb?.SequenceNumber },
    ]);
    const failure = contractLines(lines).find((l) => l.exception !== undefined);
    expect(failure).toMatchObject({ sessionId: bad.sessionId, traceId: bad.traceId });
    expect(failure?.exception?.message).toContain('500');
    expect(contractLines(lines).filter((l) => l.milestone !== undefined)).toHaveLength(2);
  });

  it('counts a webhook slower than the timeout as a failure', async () => {
    const slow = aSession({ subject: 'slow' });
    const webhook = await stub(async (body, res) => {
      if (String(body.text).includes('"slow"')) await wait(1000);
      res.end('ok');
    });
    const { handler, context } = notifyHandler(webhook.url, { timeoutMs: 150 });
    const event = streamEvent([{ session: slow }, { session: aSession() }]);

    const started = performance.now();
    const result = await handler(event, context);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber },
    ]);
    expect(performance.now() - started).toBeLessThan(800);
  });

  it('adds the injected latency before each webhook call', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context } = notifyHandler(webhook.url, {
      latencyMs: 120,
      concurrency: 1,
      timeoutMs: 100,
    });

    const started = performance.now();
    const result = await handler(streamEvent([{ session: aSession() }, { session: aSession() }]), context);

    // The latency is outside the webhook timeout, so both still succeed.
    expect(result.batchItemFailures).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(235);
  });

  it('reports a record whose image is not a session', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url);
    const event = streamEvent([{ session: aSession() }]);
    const image = event.Records[0]?.dynamodb?.NewImage;
    if (image) delete image.traceId;

    const result = await handler(event, context);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber },
    ]);
    expect(contractLines(lines)[0]?.exception?.name).toBe('ZodError');
  });
});

describe('forward-session handler', () => {
  function forwardHandler(url: string) {
    const { logger, lines } = capturingLogger();
    const handler = createForwardSessionHandler({
      forwarder: new HttpPartnerForwarder(`${url}/`),
      logger,
      concurrency: 4,
      timeoutMs: 500,
    });
    return { handler, lines, context: lambdaContext(FunctionNames.forwardSession, 'req-forward') };
  }

  it('posts each session as JSON to /session/forward and logs SESSION_FORWARDED', async () => {
    const partner = await stub((_b, res) => void res.end());
    const { handler, context, lines } = forwardHandler(partner.url);
    const session = aSession();

    const result = await handler(streamEvent([{ session }]), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(partner.received).toEqual([{ ...session, path: '/session/forward' }]);
    expect(contractLines(lines)).toEqual([
      expect.objectContaining({
        milestone: Milestone.sessionForwarded,
        functionName: FunctionNames.forwardSession,
        traceId: session.traceId,
        sessionId: session.sessionId,
      }),
    ]);
  });

  it('reports failed records and succeeds when the event source retries them', async () => {
    let partnerUp = false;
    const partner = await stub((_b, res) => {
      res.statusCode = partnerUp ? 204 : 503;
      res.end();
    });
    const { handler, context, lines } = forwardHandler(partner.url);
    const event = streamEvent([{ session: aSession() }, { session: aSession() }]);

    const first = await handler(event, context);
    partnerUp = true;
    const retried = await handler(
      {
        Records: event.Records.filter((r) =>
          first.batchItemFailures.some((f) => f.itemIdentifier === r.dynamodb?.SequenceNumber),
        ),
      },
      context,
    );

    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1000', '1001']);
    expect(retried.batchItemFailures).toEqual([]);
    expect(contractLines(lines).filter((l) => l.milestone === Milestone.sessionForwarded)).toHaveLength(2);
    expect(contractLines(lines).filter((l) => l.exception !== undefined)).toHaveLength(2);
  });

  it('counts an unreachable partner as a failure', async () => {
    const partner = await stub((_b, res) => void res.end());
    const url = partner.url;
    await partner.close();
    stubs.length = 0;
    const { handler, context } = forwardHandler(url);

    const result = await handler(streamEvent([{ session: aSession() }]), context);

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: '1000' }]);
  });
});
