import { describe, expect, it } from 'vitest';
import { investigationConfig } from '../../../src/commands/config';
import { parseFlowConfig } from '../../../src/commands/flows/flow-set';
import { investigateLeadTime } from '../../../src/commands/leadtime/leadtime';
import { investigateTrace } from '../../../src/commands/trace/trace-session';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { EngineLogSearch } from '../../fixtures/commands/engine-log-search';
import { fixedClock } from '../../fixtures/commands/fake-log-search';

const T0 = Date.parse('2026-12-05T08:00:00Z');
const REQ = 'c0ffee00-0000-4000-8000-000000000001';
let seq = 0;
const event = (fn: string, offsetMs: number, message: string): StoredLogEvent => ({
  logGroupName: `/aws/lambda/${fn}`,
  logStreamName: '2026/12/05/[$LATEST]abc',
  timestamp: T0 + offsetMs,
  ingestionTime: T0 + offsetMs,
  message,
  eventId: String(++seq),
});
const flowOf = (logFormat: string) =>
  parseFlowConfig(
    {
      logFormat,
      flows: [
        {
          name: 'order',
          businessIds: ['orderId'],
          milestones: [
            { name: 'ORDER_RECEIVED', function: 'api' },
            { name: 'ORDER_PACKED', function: 'pack', after: 'ORDER_RECEIVED' },
            { name: 'ORDER_SHIPPED', function: 'ship', after: 'ORDER_PACKED' },
          ],
        },
      ],
    },
    `${logFormat}.yaml`,
  );
const clock = fixedClock('2026-12-05T09:00:00Z');

describe('log field presets on the offline Logs Insights engine', () => {
  it("lambda-text: /trace finds an order in Lambda's text lines and names the missing milestone", async () => {
    const flows = flowOf('lambda-text');
    const line = (ms: string, fn: string, offset: number) =>
      event(fn, offset, `2026-12-05T08:00:00.000Z\t${REQ}\tINFO\torder ord-7 traceId=tr-77 milestone=${ms}`);
    const logs = new EngineLogSearch([line('ORDER_RECEIVED', 'api', 0), line('ORDER_PACKED', 'pack', 400)]);
    const config = investigationConfig({ logGroupNames: [...flows.logGroups.names], flows });

    const report = await investigateTrace({ id: 'tr-77' }, { logs, clock }, config);

    expect(report.kind).toBe('found');
    if (report.kind !== 'found') return;
    expect(report.flow).toBe('order');
    expect(report.timeline.map((e) => [e.milestone, e.functionName])).toEqual([
      ['ORDER_RECEIVED', 'api'],
      ['ORDER_PACKED', 'pack'],
    ]);
    expect(report.missing.map((m) => m.milestone)).toEqual(['ORDER_SHIPPED']);
  });

  it('lambda-json: /leadtime measures the default pair (first to last milestone) through the JSON fields', async () => {
    const flows = flowOf('lambda-json');
    const json = (ms: string, fn: string, offset: number, trace: string) =>
      event(
        fn,
        offset,
        JSON.stringify({
          timestamp: 'x',
          level: 'INFO',
          requestId: REQ,
          message: 'm',
          traceId: trace,
          orderId: 'ord-1',
          milestone: ms,
        }),
      );
    const logs = new EngineLogSearch([
      json('ORDER_RECEIVED', 'api', 0, 'a1'),
      json('ORDER_SHIPPED', 'ship', 2500, 'a1'),
      json('ORDER_RECEIVED', 'api', 1000, 'b2'),
    ]);
    const config = investigationConfig({ logGroupNames: [...flows.logGroups.names], flows });

    const report = await investigateLeadTime({}, { logs, clock }, config);

    expect(report.pair).toEqual({ flow: 'order', from: 'ORDER_RECEIVED', to: 'ORDER_SHIPPED' });
    expect(report.count).toBe(1);
    expect(report.maxMs).toBe(2500);
    expect(report.neverArrivedCount).toBe(1);
    expect(logs.requests[0]?.logGroupNames).toEqual(['/aws/lambda/api', '/aws/lambda/ship']);
  });
});
