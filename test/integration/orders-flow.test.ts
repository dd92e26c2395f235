import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import { readFlowConfigFile } from '../../src/bot/flow-config-file';
import { investigateAlarm } from '../../src/commands/alarms/investigate';
import { investigateFieldsOf } from '../../src/commands/flows/investigate-fields';
import { learnFlows } from '../../src/commands/flows/learn-flows';
import { OrderFunctions } from '../../src/orders-app/order-flow';
import { commandAnswer, readEvents, startTestStack, type TestStack, waitFor } from './helpers';
import { orderFunctionSpecs, orderFunctions, repoPath } from './orders-service';

const ORDERS_CONFIG = repoPath('examples/orders.gumshoe.yaml');

/** Every Powertools milestone line of the orders service: correlation id → milestones. */
async function ordersMilestones(t: TestStack): Promise<Map<string, string[]>> {
  const byTrace = new Map<string, string[]>();
  for (const e of await readEvents(t.logs, orderFunctions)) {
    if (!e.message.startsWith('{')) continue;
    const line = JSON.parse(e.message) as { correlation_id?: string; milestone?: string };
    if (line.correlation_id && line.milestone)
      byTrace.set(line.correlation_id, [...(byTrace.get(line.correlation_id) ?? []), line.milestone]);
  }
  return byTrace;
}

describe('a second service, configured only (Powertools Logger, orderId, a retry and a branch) (issue 10)', () => {
  let t: TestStack;
  const orders: Record<'ok' | 'retried' | 'mailFails', { orderId: string; correlationId: string }> =
    {} as never;

  const command = (name: string, text: string) => commandAnswer(t, name, text);

  beforeAll(async () => {
    t = await startTestStack({
      gumshoeConfig: ORDERS_CONFIG,
      extraFunctions: orderFunctionSpecs(),
    });
    const place = async (event: Record<string, unknown>) =>
      (await t.stack.runner.invoke(OrderFunctions.placeOrder, event)).payload as {
        orderId: string;
        correlationId: string;
      };
    orders.ok = await place({ orderId: 'ord-1001' });
    orders.retried = await place({ orderId: 'ord-1002', failPaymentAttempts: 2 });
    orders.mailFails = await place({ orderId: 'ord-1003', failEmail: true });
    await waitFor(
      'every order to reach its last milestones',
      async () => {
        const seen = await ordersMilestones(t);
        const done = (id: string, n: number) => (seen.get(id)?.length ?? 0) >= n;
        return done(orders.ok.correlationId, 4) &&
          done(orders.retried.correlationId, 6) &&
          done(orders.mailFails.correlationId, 3)
          ? true
          : undefined;
      },
      30_000,
    );
  }, 90_000);

  afterAll(async () => {
    await t?.close();
  });

  it('/trace finds an order by its orderId, in the order flow, with every milestone of both branches', async () => {
    const answer = await command('/trace', orders.ok.orderId);
    expect(answer).toContain('Flow `order`');
    expect(answer).toContain('found by orderId');
    for (const m of ['ORDER_RECEIVED', 'PAYMENT_CAPTURED', 'ORDER_PACKED', 'CONFIRMATION_EMAILED'])
      expect(answer).toContain(m);
    expect(answer).toContain(OrderFunctions.emailConfirmation);
    expect(answer).toContain('Every expected milestone was logged');
  });

  it('/trace by correlation id shows the retried payment and, for a refused e-mail, the missing branch and its error', async () => {
    const retried = await command('/trace', orders.retried.correlationId);
    expect(retried).toContain('found by correlation_id');
    expect(retried).toContain('PAYMENT_ATTEMPT_FAILED');
    expect(retried).toContain('Every expected milestone was logged');

    const failed = await command('/trace', orders.mailFails.orderId);
    expect(failed).toContain(
      'First missing milestone:* `CONFIRMATION_EMAILED`, expected from `orders-email-confirmation`',
    );
    expect(failed).toContain('EmailRefusedError');
  });

  it('/leadtime measures the configured pair of the order flow, and any other pair asked for', async () => {
    const packed = await command('/leadtime', 'order 1h');
    expect(packed).toContain('Lead time of order, last 1h');
    expect(packed).toContain('3 traces');
    expect(packed).toContain('From `ORDER_RECEIVED` to `ORDER_PACKED`');
    const emailed = await command('/leadtime', 'ORDER_RECEIVED..CONFIRMATION_EMAILED 1h');
    expect(emailed).toContain('2 traces');
    expect(emailed).toContain('1 never arrived');
    expect(await command('/leadtime', 'order NOPE..ORDER_PACKED')).toContain('has no milestone `NOPE`');
  });

  it('Investigate reads the error through the config: the Powertools error and the order to trace', async () => {
    const logs = new CloudWatchLogSearch(t.logs, { deadlineMs: 20_000, pollInitialMs: 20 });
    const now = Date.now();
    const message = await investigateAlarm(
      {
        alarmName: 'orders-email-errors',
        functions: [OrderFunctions.emailConfirmation],
        window: { start: new Date(t.startedAt), end: new Date(now + 60_000) },
      },
      logs,
      undefined,
      investigateFieldsOf(readFlowConfigFile(ORDERS_CONFIG)),
    );
    const text = JSON.stringify(message.blocks);
    expect(text).toContain('EmailRefusedError');
    expect(text).toContain(orders.mailFails.correlationId);
    expect(text).toContain('trace_run');
  });

  it('help lists the configured flow', async () => {
    const sent = await t.stack.slack.command('/gumshoe', 'help');
    expect(sent.body).toContain('ORDER_RECEIVED');
  });

  it('the learner reproduces the order graph from the logs alone: milestones, functions, the partial retry, the branch', async () => {
    const logs = new CloudWatchLogSearch(t.logs, { deadlineMs: 20_000, pollInitialMs: 20 });
    const later = new Date(Date.now() + 10 * 60_000);
    const learned = await learnFlows(
      logs,
      {
        logGroupNames: orderFunctions.map((f) => `/aws/lambda/${f}`),
        window: { start: new Date(t.startedAt), end: later, label: 'test' },
      },
      undefined,
      later,
    );
    const order = learned.flows.find((f) => f.businessIds.includes('orderId'));
    const configured = readFlowConfigFile(ORDERS_CONFIG).flows[0];
    expect(order?.name).toBe(configured?.name);
    expect(order?.logFormat).toBe('powertools');
    expect(new Set(order?.milestones.map((m) => m.name))).toEqual(
      new Set(configured?.milestones.map((m) => m.name)),
    );
    for (const m of configured?.milestones ?? []) {
      const got = order?.milestones.find((l) => l.name === m.name);
      expect(got?.functionName).toBe(m.functionName);
      // Siblings of one branch are ordered by time only: either follows the fork or the other.
      const sibling =
        m.name === 'ORDER_PACKED'
          ? 'CONFIRMATION_EMAILED'
          : m.name === 'CONFIRMATION_EMAILED'
            ? 'ORDER_PACKED'
            : undefined;
      expect([m.after, ...(sibling ? [[sibling]] : [])]).toContainEqual(got?.after);
    }
    expect(order?.milestones.find((m) => m.name === 'PAYMENT_ATTEMPT_FAILED')?.frequency).toBeCloseTo(1 / 3);
    expect(order?.milestones[0]?.name).toBe('ORDER_RECEIVED');
  });
});
