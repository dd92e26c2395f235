import { describe, expect, it } from 'vitest';
import { investigationConfig } from '../../../src/commands/config';
import { GumshoeError } from '../../../src/commands/errors';
import { parseFlowConfig } from '../../../src/commands/flows/flow-set';
import { buildSampleQuery } from '../../../src/commands/flows/learn-flows';
import { cachedFlowLearner, LEARNED_FLOWS_TTL_MS } from '../../../src/commands/flows/learned-flows';
import { LOG_FIELD_PRESETS } from '../../../src/commands/flows/log-fields';
import type { LogSearch, LogSearchRequest } from '../../../src/commands/ports';
import { investigateTrace, showTraceLogs } from '../../../src/commands/trace/trace-session';
import { traceMessage } from '../../../src/commands/trace/trace-view';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { EngineLogSearch } from '../../fixtures/commands/engine-log-search';

const T0 = Date.parse('2026-12-05T08:00:00Z');
const GROUPS = ['api', 'pay', 'pack', 'mail', 'gift'].map((f) => `/aws/lambda/${f}`);
let seq = 0;

/** One Powertools Logger line of the orders-like service. */
function line(trace: string, fn: string, offsetMs: number, extra: Record<string, unknown>): StoredLogEvent {
  return {
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: '2026/12/05/[$LATEST]abc',
    timestamp: T0 + offsetMs,
    ingestionTime: T0 + offsetMs,
    message: JSON.stringify({
      level: 'INFO',
      message: `order ord-${trace.slice(5)}`,
      function_name: fn,
      correlation_id: trace,
      orderId: `ord-${trace.slice(5)}`,
      ...extra,
    }),
    eventId: String(++seq),
  };
}

/**
 * Six orders a minute apart: received → paid → packed and e-mailed (a branch); one gift-wrapped (a
 * branch most skip). The last one's packing throws: PACKED never comes.
 */
function orders(): StoredLogEvent[] {
  const events: StoredLogEvent[] = [];
  for (let i = 0; i < 6; i++) {
    const t = `corr-${i}`;
    const at = i * 60_000;
    events.push(
      line(t, 'api', at, { milestone: 'ORDER_RECEIVED' }),
      line(t, 'pay', at + 100, { milestone: 'ORDER_PAID' }),
      line(t, 'mail', at + 300, { milestone: 'CONFIRMATION_EMAILED' }),
    );
    if (i === 0) events.push(line(t, 'gift', at + 400, { milestone: 'GIFT_WRAPPED' }));
    if (i < 5) events.push(line(t, 'pack', at + 200, { milestone: 'ORDER_PACKED' }));
    else
      events.push(
        line(t, 'pack', at + 200, {
          level: 'ERROR',
          message: 'packing failed',
          error: { name: 'OutOfBoxesError', message: 'no box fits', stack: 'OutOfBoxesError: no box fits' },
        }),
      );
  }
  return events;
}

const isLearning = (r: LogSearchRequest) => r.queryString.includes('as at, count(*) as lines');

describe('/trace without a config: the flow learned from the logs', () => {
  const config = investigationConfig({ logGroupNames: GROUPS });

  it('names the first missing milestone, its function and the exception, as with a config', async () => {
    const logs = new EngineLogSearch(orders());
    const clock = { now: () => new Date(T0 + 3_600_000) };

    const report = await investigateTrace({ id: 'ord-5' }, { logs, clock }, config);

    expect(report.kind).toBe('found');
    if (report.kind !== 'found') return;
    expect(report.traceId).toBe('corr-5');
    expect(report.matchedBy).toBe('the log line');
    expect(report.flow).toBe('order');
    expect(report.learned).toEqual({ outcome: 'flow', traces: 6, windowLabel: '24 h' });
    // GIFT_WRAPPED is a branch one trace in six took: optional, so not reported missing.
    expect(report.missing).toEqual([
      { milestone: 'ORDER_PACKED', functionName: 'pack', after: 'ORDER_PAID' },
    ]);
    expect(report.exception?.name).toBe('OutOfBoxesError');
    expect(report.exception?.functionName).toBe('pack');
    // Learned over the day ending now through the fields the id was found by; the sample that
    // names the flow by its business id reads the last hour only.
    const learning = logs.requests.filter(isLearning);
    expect(learning).toHaveLength(1);
    expect(learning[0]?.queryString).toContain('by correlation_id, milestone, function_name');
    expect(learning[0]?.startTime.getTime()).toBe(T0 + 3_600_000 - 24 * 3_600_000);
    const sample = logs.requests.filter(
      (r) => r.queryString === buildSampleQuery(LOG_FIELD_PRESETS.powertools),
    );
    expect(sample.map((r) => r.startTime.getTime())).toEqual([T0]);

    const text = JSON.stringify(traceMessage(report).blocks);
    expect(text).toContain('Flow `order` learned from 6 traces of the last 24 h (no config)');
    expect(text).toContain(
      'First missing milestone:* `ORDER_PACKED`, expected from `pack` after `ORDER_PAID`',
    );
    expect(text).toContain('OutOfBoxesError');
  });

  it("lets Show logs read a Powertools trace's lines through Powertools' fields", async () => {
    const logs = new EngineLogSearch(orders());
    const clock = { now: () => new Date(T0 + 3_600_000) };
    const report = await investigateTrace({ id: 'corr-5' }, { logs, clock }, config);
    if (report.kind !== 'found') throw new Error('not found');
    expect(report.logsFlow).toBe('powertools');

    const shown = await showTraceLogs(
      {
        traceId: 'corr-5',
        functionName: 'pack',
        fromMs: report.window.start.getTime(),
        toMs: report.window.end.getTime(),
        flow: report.logsFlow,
      },
      { logs, clock },
      config,
    );

    expect(shown.lines.map((l) => [l.level, l.message])).toEqual([['ERROR', 'packing failed']]);
  });

  it('learns once per worker environment for ten minutes of its clock, then again', async () => {
    const logs = new EngineLogSearch(orders());
    let now = T0 + 3_600_000;
    const ports = { logs, clock: { now: () => new Date(now) }, learner: cachedFlowLearner() };

    const first = await investigateTrace({ id: 'ord-5' }, ports, config);
    now += LEARNED_FLOWS_TTL_MS - 1;
    const second = await investigateTrace({ id: 'ord-3' }, ports, config);
    const learnedBefore = logs.requests.filter(isLearning).length;
    now += 1;
    await investigateTrace({ id: 'ord-5' }, ports, config);

    expect(learnedBefore).toBe(1);
    expect(logs.requests.filter(isLearning)).toHaveLength(2);
    if (first.kind !== 'found' || second.kind !== 'found') throw new Error('not found');
    expect(second.flow).toBe('order');
    expect(second.missing).toEqual([]);
    // The cached answer did not pay for the learning again.
    expect(second.scan.recordsScanned).toBeLessThan(first.scan.recordsScanned);
  });

  it('shares one learning between concurrent jobs and keeps no failed learning', async () => {
    const engine = new EngineLogSearch(orders());
    let failLearning = true;
    const logs: LogSearch & { learnings: number } = {
      learnings: 0,
      async run(request) {
        if (isLearning(request)) {
          this.learnings += 1;
          if (failLearning)
            throw new GumshoeError(
              'ThrottlingException',
              'CloudWatch Logs is throttling queries; try again shortly.',
            );
        }
        return engine.run(request);
      },
    };
    const ports = { logs, clock: { now: () => new Date(T0 + 3_600_000) }, learner: cachedFlowLearner() };

    const failed = await investigateTrace({ id: 'ord-5' }, ports, config);
    failLearning = false;
    const both = await Promise.all([
      investigateTrace({ id: 'ord-5' }, ports, config),
      investigateTrace({ id: 'ord-4' }, ports, config),
    ]);

    if (failed.kind !== 'found') throw new Error('not found');
    expect(failed.learned).toEqual({
      outcome: 'failed',
      reason: 'CloudWatch Logs is throttling queries; try again shortly.',
    });
    expect(failed.flow).toBeUndefined();
    expect(failed.timeline.map((e) => e.milestone)).toEqual([
      'ORDER_RECEIVED',
      'ORDER_PAID',
      'CONFIRMATION_EMAILED',
    ]);
    expect(JSON.stringify(traceMessage(failed).blocks)).toContain(
      'the flow could not be learned from the logs (CloudWatch Logs is throttling queries; try again shortly.)',
    );
    expect(logs.learnings).toBe(2);
    expect(both.map((r) => (r.kind === 'found' ? r.flow : r.kind))).toEqual(['order', 'order']);
  });

  it("learns again after a minute when the cached flows do not know the trace's (a new flow's first traces)", async () => {
    // Refunds began two minutes before the first /trace: still in flight for the learner then.
    const refunds = [1, 2, 3].flatMap((i) => [
      line(`refund-${i}`, 'api', 58 * 60_000 + i * 1000, {
        milestone: 'MONEY_BACK_ASKED',
        orderId: undefined,
        refundId: `rf-${i}`,
      }),
      line(`refund-${i}`, 'pay', 58 * 60_000 + i * 1000 + 100, {
        milestone: 'MONEY_BACK_PAID',
        orderId: undefined,
        refundId: `rf-${i}`,
      }),
    ]);
    const logs = new EngineLogSearch([...orders(), ...refunds]);
    let now = T0 + 3_600_000;
    const ports = { logs, clock: { now: () => new Date(now) }, learner: cachedFlowLearner() };

    const first = await investigateTrace({ id: 'refund-1' }, ports, config);
    now += 30_000;
    await investigateTrace({ id: 'refund-2' }, ports, config);
    const learnedWithinAMinute = logs.requests.filter(isLearning).length;
    now += 6 * 60_000;
    const later = await investigateTrace({ id: 'refund-3' }, ports, config);

    if (first.kind !== 'found' || later.kind !== 'found') throw new Error('not found');
    expect(first.flow).toBeUndefined();
    expect(first.learned).toEqual({ outcome: 'none', windowLabel: '24 h', inFlightMs: 5 * 60_000 });
    expect(JSON.stringify(traceMessage(first).blocks)).toContain(
      "no flow learned yet (from the last 24 h's traces older than 5 min)",
    );
    expect(learnedWithinAMinute).toBe(1);
    expect(logs.requests.filter(isLearning)).toHaveLength(2);
    expect(later.learned).toEqual({ outcome: 'flow', traces: 3, windowLabel: '24 h' });
    // Named by its business id (refundId), not its first milestone's first word.
    expect(later.flow).toBe('refund');
  });

  it('learns nothing when a config is set', async () => {
    const logs = new EngineLogSearch(orders());
    const flows = parseFlowConfig(
      {
        logFormat: 'powertools',
        flows: [
          {
            name: 'order',
            businessIds: ['orderId'],
            milestones: [{ name: 'ORDER_RECEIVED', function: 'api' }],
          },
        ],
      },
      'orders.yaml',
    );
    const clock = { now: () => new Date(T0 + 3_600_000) };

    const report = await investigateTrace({ id: 'ord-5' }, { logs, clock }, { ...config, flows });

    expect(report.kind).toBe('found');
    if (report.kind !== 'found') return;
    expect(report.flow).toBe('order');
    expect(report.learned).toBeUndefined();
    expect(logs.requests.filter(isLearning)).toHaveLength(0);
  });
});
