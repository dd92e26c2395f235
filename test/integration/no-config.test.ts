import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import { readFlowConfigFile } from '../../src/bot/flow-config-file';
import { investigationConfig } from '../../src/commands/config';
import { learnFlows } from '../../src/commands/flows/learn-flows';
import { cachedFlowLearner } from '../../src/commands/flows/learned-flows';
import { investigateTrace } from '../../src/commands/trace/trace-session';
import { traceMessage } from '../../src/commands/trace/trace-view';
import { FunctionNames, MILESTONE_NAMES } from '../../src/conference-app/contract';
import { OrderFunctions } from '../../src/orders-app/order-flow';
import {
  commandAnswer,
  createSession,
  milestonesByTrace,
  readEvents,
  startTestStack,
  type TestStack,
  waitFor,
} from './helpers';
import { orderFunctionSpecs, orderFunctions, repoPath } from './orders-service';

const conferenceFunctions = Object.values(FunctionNames);
const groupsOf = (functions: readonly string[]) => functions.map((f) => `/aws/lambda/${f}`);

describe('no config at all: both services on the local stack, found and judged from their logs (issue 10)', () => {
  let t: TestStack;
  let session: { sessionId: string; traceId: string };
  const orders: Record<'ok' | 'retried' | 'mailFails', { orderId: string; correlationId: string }> =
    {} as never;
  /** Ten minutes on: every trace above is older than the learner's in-flight margin. */
  const later = () => new Date(Date.now() + 10 * 60_000);

  const command = (name: string, text: string) => commandAnswer(t, name, text, 60_000);

  beforeAll(async () => {
    t = await startTestStack({
      gumshoeConfig: null,
      extraFunctions: orderFunctionSpecs(),
    });
    const place = async (event: Record<string, unknown>) =>
      (await t.stack.runner.invoke(OrderFunctions.placeOrder, event)).payload as {
        orderId: string;
        correlationId: string;
      };
    session = await createSession(t.stack, 'Learned talk');
    orders.ok = await place({ orderId: 'ord-2001' });
    orders.retried = await place({ orderId: 'ord-2002', failPaymentAttempts: 2 });
    orders.mailFails = await place({ orderId: 'ord-2003', failEmail: true });
    await waitFor(
      'the session and every order to reach their last milestones',
      async () => {
        const sessions = milestonesByTrace(await readEvents(t.logs, conferenceFunctions));
        const seen = new Map<string, number>();
        for (const e of await readEvents(t.logs, orderFunctions)) {
          if (!e.message.startsWith('{')) continue;
          const line = JSON.parse(e.message) as { correlation_id?: string; milestone?: string };
          if (line.correlation_id && line.milestone)
            seen.set(line.correlation_id, (seen.get(line.correlation_id) ?? 0) + 1);
        }
        const done = (id: string, n: number) => (seen.get(id) ?? 0) >= n;
        return (sessions.get(session.traceId)?.size ?? 0) >= MILESTONE_NAMES.length &&
          done(orders.ok.correlationId, 4) &&
          done(orders.retried.correlationId, 6) &&
          done(orders.mailFails.correlationId, 3)
          ? true
          : undefined;
      },
      60_000,
    );
  }, 150_000);

  afterAll(async () => {
    await t?.close();
  });

  it('/trace over Slack finds a session or an order by its business id anywhere in a line, or by its correlation id', async () => {
    const bySession = await command('/trace', session.sessionId);
    expect(bySession).toContain(`→ trace \`${session.traceId}\``);
    expect(bySession).toContain('found by the log line');
    for (const m of MILESTONE_NAMES) expect(bySession).toContain(m);
    // Every trace here began seconds ago: the learner waits until a trace is 5 minutes old.
    expect(bySession).toContain('no flow learned yet');

    const byTrace = await command('/trace', session.traceId);
    expect(byTrace).toContain(`Trace ${session.traceId}`);
    expect(byTrace).toContain('found by traceId');

    // The orders service is no watched service of the stack: found under the prefix /aws/lambda/.
    const byOrder = await command('/trace', orders.mailFails.orderId);
    expect(byOrder).toContain(`→ trace \`${orders.mailFails.correlationId}\``);
    expect(byOrder).toContain('ORDER_RECEIVED');
    expect(byOrder).toContain('EmailRefusedError');
    const byCorrelation = await command('/trace', orders.retried.correlationId);
    expect(byCorrelation).toContain('found by correlation_id');
    expect(byCorrelation).toContain('PAYMENT_ATTEMPT_FAILED');
  }, 150_000);

  it('judges a trace by the flow it learned: the missing branch, its function and the error, as with a config', async () => {
    const logs = new CloudWatchLogSearch(t.logs, { deadlineMs: 30_000, pollInitialMs: 20 });
    const config = investigationConfig({
      logGroupNames: groupsOf([...conferenceFunctions, ...orderFunctions]),
    });
    const ports = { logs, clock: { now: later }, learner: cachedFlowLearner() };

    const failed = await investigateTrace({ id: orders.mailFails.orderId }, ports, config);
    const retried = await investigateTrace({ id: orders.retried.correlationId }, ports, config);
    const healthy = await investigateTrace({ id: session.sessionId }, ports, config);

    if (failed.kind !== 'found' || retried.kind !== 'found' || healthy.kind !== 'found')
      throw new Error('not found');
    expect(failed.matchedBy).toBe('the log line');
    expect(retried.matchedBy).toBe('correlation_id');
    // The failed attempts are a retry one order in three took: optional, so nothing is missing.
    expect(retried.timeline.map((e) => e.milestone)).toContain('PAYMENT_ATTEMPT_FAILED');
    expect(retried.missing).toEqual([]);
    expect(failed.learned).toEqual({ outcome: 'flow', traces: 3, windowLabel: '24 h' });
    expect(failed.missing.map((m) => [m.milestone, m.functionName])).toEqual([
      ['CONFIRMATION_EMAILED', OrderFunctions.emailConfirmation],
    ]);
    // The two readers of the payment are siblings, ordered by time only: either may come first.
    expect(['PAYMENT_CAPTURED', 'ORDER_PACKED']).toContain(failed.missing[0]?.after);
    expect(failed.exception?.name).toBe('EmailRefusedError');
    const text = JSON.stringify(traceMessage(failed).blocks);
    expect(text).toContain('learned from 3 traces of the last 24 h (no config)');
    expect(text).toContain(
      `First missing milestone:* \`CONFIRMATION_EMAILED\`, expected from \`${OrderFunctions.emailConfirmation}\``,
    );
    expect(healthy.learned?.outcome).toBe('flow');
    expect([failed.flow, healthy.flow]).toEqual(['order', 'session']);
    expect(healthy.missing).toEqual([]);
  }, 120_000);

  it('the learner reproduces the conference graph from its logs: milestones, functions, the branch after the save', async () => {
    const logs = new CloudWatchLogSearch(t.logs, { deadlineMs: 30_000, pollInitialMs: 20 });
    const now = later();

    const learned = await learnFlows(
      logs,
      {
        logGroupNames: groupsOf(conferenceFunctions),
        window: { start: new Date(t.startedAt), end: now, label: 'test' },
      },
      undefined,
      now,
    );

    const flow = learned.flows.find((f) => f.businessIds.includes('sessionId'));
    const configured = readFlowConfigFile(repoPath('examples/conference.gumshoe.yaml')).flows[0];
    expect(flow?.name).toBe(configured?.name);
    expect(flow?.logFormat).toBe('gumshoe');
    expect(flow?.milestones[0]?.name).toBe('CREATE_REQUEST_RECEIVED');
    expect(new Set(flow?.milestones.map((m) => m.name))).toEqual(
      new Set(configured?.milestones.map((m) => m.name)),
    );
    for (const m of configured?.milestones ?? []) {
      const got = flow?.milestones.find((l) => l.name === m.name);
      expect(got?.functionName).toBe(m.functionName);
      expect(got?.frequency).toBe(1);
      // The stream's two readers are siblings: either follows the save or the other, by time only.
      const sibling = {
        SLACK_NOTIFICATION_NEW_SESSION_SENT: 'SESSION_FORWARDED',
        SESSION_FORWARDED: 'SLACK_NOTIFICATION_NEW_SESSION_SENT',
      }[m.name];
      expect([m.after, ...(sibling ? [[sibling]] : [])]).toContainEqual(got?.after);
    }
  }, 120_000);

  it('help says no flow is configured and that flows are learned', async () => {
    const sent = await t.stack.slack.command('/gumshoe', 'help');
    expect(sent.body).toContain('none configured');
    expect(sent.body).toContain('/gumshoe flows');
  });
});
