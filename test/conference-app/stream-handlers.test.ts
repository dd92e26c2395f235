import { afterEach, describe, expect, it } from 'vitest';
import { FunctionNames, Milestone } from '../../src/conference-app/contract';
import { createForwardSessionHandler } from '../../src/conference-app/handlers/forward-session';
import { createNotifyNewSessionHandler } from '../../src/conference-app/handlers/notify-new-session';
import { HttpPartnerForwarder } from '../../src/conference-app/http/http-partner-forwarder';
import { SlackWebhookNotifier } from '../../src/conference-app/http/slack-webhook-notifier';
import { describeSystem } from '../../src/topology';
import { InMemoryDeliveryLedger, ManualTimer } from '../fakes/delivery-ledger';
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

const LOCAL_SETTINGS = {
  channelId: 'C0001',
  timeZone: 'UTC',
  partnerUrl: 'http://127.0.0.1:1/',
  accountAliases: {},
  alarmReminderMinutes: 30,
  alarmMentionHere: false,
  faults: {},
};

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function notifyHandler(
  url: string,
  options: {
    timeoutMs?: number;
    latencyMs?: number;
    maxPerMessage?: number;
    budgetMs?: number;
    remainingMs?: number;
  } = {},
) {
  const { logger, lines } = capturingLogger();
  const timer = new ManualTimer(Date.now());
  const ledger = new InMemoryDeliveryLedger(() => timer.now());
  const handler = createNotifyNewSessionHandler({
    notifier: new SlackWebhookNotifier(url),
    ledger,
    logger,
    timeoutMs: options.timeoutMs ?? 2000,
    maxPerMessage: options.maxPerMessage ?? 25,
    retry: { budgetMs: options.budgetMs ?? 15_000, baseDelayMs: 250, maxDelayMs: 4000 },
    timer,
    latencyMs: options.latencyMs ?? 0,
  });
  return {
    handler,
    lines,
    timer,
    ledger,
    // Time enough for the whole budget unless a test gives the deployed timeout.
    context: lambdaContext(FunctionNames.notifyNewSession, 'req-notify', options.remainingMs ?? 60_000),
  };
}

const milestonesOf = (lines: Record<string, unknown>[]) =>
  contractLines(lines).filter((l) => l.milestone === Milestone.slackNotificationSent);

describe('notify-new-session handler', () => {
  it('announces a batch in one message and logs the milestone once per session', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url);
    const sessions = Array.from({ length: 3 }, () => aSession());

    const result = await handler(streamEvent(sessions.map((session) => ({ session }))), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(webhook.received).toHaveLength(1);
    const text = String(webhook.received[0]?.text);
    expect(text.startsWith('3 new sessions:\n')).toBe(true);
    for (const s of sessions) expect(text).toContain(s.sessionId);
    expect(
      milestonesOf(lines)
        .map((l) => [l.sessionId, l.traceId])
        .sort(),
    ).toEqual(sessions.map((s) => [s.sessionId, s.traceId]).sort());
    for (const line of milestonesOf(lines)) {
      expect(line).toMatchObject({
        functionName: FunctionNames.notifyNewSession,
        AWSRequestId: 'req-notify',
      });
    }
  });

  it('splits a batch larger than one message allows, one message after the other', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url, { maxPerMessage: 2 });

    await handler(streamEvent(Array.from({ length: 5 }, () => ({ session: aSession() }))), context);

    expect(webhook.received.map((m) => String(m.text).split('\n')[0])).toEqual([
      '2 new sessions:',
      '2 new sessions:',
      expect.stringMatching(/^New session: /),
    ]);
    expect(webhook.maxInFlight()).toBe(1);
    expect(milestonesOf(lines)).toHaveLength(5);
  });

  it('does not announce a redelivered record again', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines } = notifyHandler(webhook.url);
    const event = streamEvent([{ session: aSession() }, { session: aSession() }]);

    await handler(event, context);
    const again = await handler(event, context);

    expect(again.batchItemFailures).toEqual([]);
    expect(webhook.received).toHaveLength(1);
    expect(milestonesOf(lines)).toHaveLength(2);
  });

  it('logs the lead time since the session was created on the notification line', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context, lines, timer } = notifyHandler(webhook.url);
    const session = aSession({ createdAt: new Date(timer.now() - 5_000).toISOString() });

    await handler(streamEvent([{ session }]), context);

    const line = lines.find((l) => l.milestone === Milestone.slackNotificationSent);
    expect(line).toMatchObject({ leadTimeMs: 5_000, announcedWith: 1 });
  });

  it('announces the session in the message text, escaped for mrkdwn', async () => {
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

  it('waits what a 429 asks (Retry-After) and then sends', async () => {
    let calls = 0;
    const webhook = await stub((_b, res) => {
      calls += 1;
      if (calls === 1) res.writeHead(429, { 'retry-after': '2' }).end('rate_limited');
      else res.end('ok');
    });
    const { handler, context, lines, timer } = notifyHandler(webhook.url);

    const result = await handler(streamEvent([{ session: aSession() }]), context);

    expect(result.batchItemFailures).toEqual([]);
    expect(timer.sleeps).toEqual([2000]);
    expect(milestonesOf(lines)).toHaveLength(1);
  });

  it('outlasts a 4 s webhook outage with spaced-out retries and loses nothing', async () => {
    let timer: ManualTimer | undefined;
    let outageEnds = 0;
    const webhook = await stub((_b, res) => {
      res.statusCode = (timer?.now() ?? 0) < outageEnds ? 500 : 200;
      res.end();
    });
    const built = notifyHandler(webhook.url);
    timer = built.timer;
    outageEnds = timer.now() + 4_000;
    const sessions = [aSession(), aSession()];

    const result = await built.handler(streamEvent(sessions.map((session) => ({ session }))), built.context);

    expect(result.batchItemFailures).toEqual([]);
    expect(timer.sleeps).toEqual([250, 500, 1000, 2000, 4000]);
    expect(webhook.received.filter((m) => String(m.text).startsWith('2 new sessions'))).toHaveLength(6);
    expect(milestonesOf(built.lines)).toHaveLength(2);
  });

  it('reports the records once the retry budget is spent, and a redelivery sends them', async () => {
    let up = false;
    const webhook = await stub((_b, res) => {
      res.statusCode = up ? 200 : 503;
      res.end();
    });
    const { handler, context, lines } = notifyHandler(webhook.url, { budgetMs: 1_000 });
    const event = streamEvent([{ session: aSession() }, { session: aSession() }]);

    const first = await handler(event, context);
    up = true;
    const second = await handler(event, context);

    expect(first.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1000', '1001']);
    expect(contractLines(lines).filter((l) => l.exception !== undefined)).toHaveLength(2);
    expect(second.batchItemFailures).toEqual([]);
    expect(milestonesOf(lines)).toHaveLength(2);
  });

  it('stops retrying in time to report within the deployed timeout, whatever the budget', async () => {
    const webhook = await stub((_b, res) => {
      res.statusCode = 503;
      res.end();
    });
    const deployedMs =
      (describeSystem(LOCAL_SETTINGS).functions.notifyNewSession?.timeoutSeconds ?? 0) * 1000;
    const { handler, context, timer } = notifyHandler(webhook.url, {
      budgetMs: 15_000,
      remainingMs: deployedMs,
    });
    const startMs = timer.now();

    const result = await handler(streamEvent([{ session: aSession() }]), context);

    expect(result.batchItemFailures).toHaveLength(1);
    // The last attempt (up to its 2 s timeout) and the report still fit before the timeout.
    expect(timer.now() - startMs + 2000).toBeLessThan(deployedMs);
    expect(timer.sleeps.length).toBeGreaterThan(0);
  });

  it('counts a webhook slower than the timeout as a failure', async () => {
    const webhook = await stub(async (_b, res) => {
      await wait(1000);
      res.end('ok');
    });
    const { handler, context } = notifyHandler(webhook.url, { timeoutMs: 100, budgetMs: 0 });
    const event = streamEvent([{ session: aSession() }]);

    const result = await handler(event, context);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber },
    ]);
  });

  it('reports a record whose image is not a session', async () => {
    const webhook = await stub((_b, res) => void res.end('ok'));
    const { handler, context } = notifyHandler(webhook.url);
    const event = streamEvent([{ session: aSession() }]);
    const image = event.Records[0]?.dynamodb?.NewImage;
    if (image) delete image.traceId;

    const result = await handler(event, context);

    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.dynamodb?.SequenceNumber },
    ]);
    expect(webhook.received).toHaveLength(0);
  });
});

describe('forward-session handler', () => {
  function forwardHandler(url: string) {
    const { logger, lines } = capturingLogger();
    const handler = createForwardSessionHandler({
      forwarder: new HttpPartnerForwarder(`${url}/`),
      ledger: new InMemoryDeliveryLedger(),
      logger,
      concurrency: 4,
      timeoutMs: 500,
      // No retries inside the invocation: these tests are about what the event source sees.
      retry: { budgetMs: 0, baseDelayMs: 250, maxDelayMs: 4000 },
      timer: new ManualTimer(),
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

  it('does not forward a redelivered record again', async () => {
    const partner = await stub((_b, res) => void res.end());
    const { handler, context, lines } = forwardHandler(partner.url);
    const event = streamEvent([{ session: aSession() }]);

    await handler(event, context);
    const again = await handler(event, context);

    expect(again.batchItemFailures).toEqual([]);
    expect(partner.received).toHaveLength(1);
    expect(contractLines(lines).filter((l) => l.milestone === Milestone.sessionForwarded)).toHaveLength(1);
  });

  it('stops retrying a failing partner in time to report within the deployed timeout (RETRY_BUDGET_MS 15 s > 10 s)', async () => {
    const partner = await stub((_b, res) => {
      res.statusCode = 500;
      res.end();
    });
    const deployedMs = (describeSystem(LOCAL_SETTINGS).functions.forwardSession?.timeoutSeconds ?? 0) * 1000;
    const timer = new ManualTimer(1_000_000);
    const handler = createForwardSessionHandler({
      forwarder: new HttpPartnerForwarder(`${partner.url}/`),
      ledger: new InMemoryDeliveryLedger(() => timer.now()),
      logger: capturingLogger().logger,
      concurrency: 4,
      timeoutMs: 3000,
      retry: { budgetMs: 15_000, baseDelayMs: 250, maxDelayMs: 4000 },
      timer,
    });

    const result = await handler(
      streamEvent([{ session: aSession() }]),
      lambdaContext(FunctionNames.forwardSession, 'req-forward', deployedMs),
    );

    expect(result.batchItemFailures).toHaveLength(1);
    expect(timer.now() - 1_000_000 + 3000).toBeLessThan(deployedMs);
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
