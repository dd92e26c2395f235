import { describe, expect, it } from 'vitest';
import { investigationConfig } from '../../../src/commands/config';
import { investigateCost } from '../../../src/commands/cost/cost';
import { buildJsonCostQuery, buildTextCostQuery } from '../../../src/commands/cost/cost-query';
import { functionNameOfLog, priceUsage, readUsage } from '../../../src/commands/cost/cost-report';
import { costMessage, formatChange, formatUsd } from '../../../src/commands/cost/cost-view';
import { blockTextLength } from '../../../src/commands/slack/validate-message';
import { FakeLogSearch, fixedClock } from '../../fixtures/commands/fake-log-search';

const pricing = investigationConfig().pricing;
const usage = (invocations: number, gbSeconds: number) => ({
  functionName: 'f',
  invocations,
  avgDurationMs: 0,
  maxDurationMs: 0,
  gbSeconds,
});

describe('cost queries', () => {
  it('read text REPORT lines with memory in MB × 1e6 and billed duration alone', () => {
    const q = buildTextCostQuery();
    expect(q).toContain('filter @type = "REPORT"');
    expect(q).toContain('sum(@billedDuration / 1000 * @memorySize / 1000000 / 1024) as gbSeconds by @log');
    expect(q).not.toContain('initDuration');
  });

  it('read JSON platform.report records with memory in plain MB', () => {
    const q = buildJsonCostQuery();
    expect(q).toContain('filter type = "platform.report"');
    expect(q).toContain(
      'sum(record.metrics.billedDurationMs / 1000 * record.metrics.memorySizeMB / 1024) as gbSeconds by @log',
    );
    expect(q).not.toContain('initDuration');
  });
});

describe('cost arithmetic', () => {
  it('prices x86_64 GB-seconds and requests (hand-computed)', () => {
    // 400,000 GB-s × $0.0000166667 = $6.66668; 1 M requests × $0.20 = $0.20.
    const p = priceUsage(usage(1_000_000, 400_000), 'x86_64', pricing);
    expect(p.computeUsd).toBeCloseTo(6.66668, 10);
    expect(p.requestUsd).toBeCloseTo(0.2, 12);
    expect(p.totalUsd).toBeCloseTo(6.86668, 10);
  });

  it('prices arm64 GB-seconds at the lower rate (hand-computed)', () => {
    // 100,000 GB-s × $0.0000133334 = $1.33334; 2 M requests = $0.40.
    const p = priceUsage(usage(2_000_000, 100_000), 'arm64', pricing);
    expect(p.totalUsd).toBeCloseTo(1.73334, 10);
  });

  it('merges both log formats per function and weights the average duration by invocations', () => {
    const merged = readUsage([
      [
        {
          '@log': '123456789012:/aws/lambda/api',
          invocations: '300',
          avgDurationMs: '100',
          maxDurationMs: '900',
          gbSeconds: '15',
        },
      ],
      [
        {
          '@log': '123456789012:/aws/lambda/api',
          invocations: '100',
          avgDurationMs: '500',
          maxDurationMs: '1200',
          gbSeconds: '5',
        },
      ],
    ]);
    expect(merged).toEqual([
      { functionName: 'api', invocations: 400, avgDurationMs: 200, maxDurationMs: 1200, gbSeconds: 20 },
    ]);
  });

  it('maps @log to the function name', () => {
    expect(functionNameOfLog('123456789012:/aws/lambda/conference-create-session-lambda')).toBe(
      'conference-create-session-lambda',
    );
    expect(functionNameOfLog('/aws/lambda/x')).toBe('x');
  });
});

describe('/cost', () => {
  it('runs both formats for this and the previous period, prices by architecture and sorts by cost', async () => {
    // Arrange: now = Dec 1; the week is Nov 24 – Dec 1, the previous week Nov 17 – 24.
    const clock = fixedClock('2026-12-01T00:00:00Z');
    const thisWeek = new Date('2026-11-24T00:00:00Z');
    const logs = new FakeLogSearch([
      {
        when: /@type = "REPORT"/,
        startingFrom: thisWeek,
        rows: [
          {
            '@log': '1:/aws/lambda/cheap',
            invocations: '1000000',
            avgDurationMs: '10',
            maxDurationMs: '50',
            gbSeconds: '1000',
          },
          {
            '@log': '1:/aws/lambda/big',
            invocations: '500000',
            avgDurationMs: '900',
            maxDurationMs: '3000',
            gbSeconds: '200000',
          },
        ],
      },
      {
        when: /platform\.report/,
        startingFrom: thisWeek,
        rows: [
          {
            '@log': '1:/aws/lambda/json',
            invocations: '10',
            avgDurationMs: '5',
            maxDurationMs: '9',
            gbSeconds: '0.5',
          },
        ],
      },
      {
        when: /@type = "REPORT"/,
        rows: [
          {
            '@log': '1:/aws/lambda/big',
            invocations: '500000',
            avgDurationMs: '800',
            maxDurationMs: '2000',
            gbSeconds: '100000',
          },
        ],
      },
    ]);
    const config = investigationConfig({ architectures: { big: 'x86_64' }, defaultArchitecture: 'arm64' });

    // Act
    const report = await investigateCost({}, { logs, clock }, config);

    // Assert
    expect(logs.requests).toHaveLength(4);
    expect(logs.requests.map((r) => r.startTime.toISOString())).toEqual([
      '2026-11-24T00:00:00.000Z',
      '2026-11-24T00:00:00.000Z',
      '2026-11-17T00:00:00.000Z',
      '2026-11-17T00:00:00.000Z',
    ]);
    expect(report.functions.map((f) => [f.functionName, f.architecture])).toEqual([
      ['big', 'x86_64'],
      ['cheap', 'arm64'],
      ['json', 'arm64'],
    ]);
    // big: 200,000 × 0.0000166667 + 0.5 × 0.2 = 3.33334 + 0.1; previous: 1.66667 + 0.1.
    expect(report.functions[0]?.totalUsd).toBeCloseTo(3.43334, 9);
    expect(report.functions[0]?.previousUsd).toBeCloseTo(1.76667, 9);
    // cheap: 1000 × 0.0000133334 + 0.2 = 0.2133334; json: 0.5 × 0.0000133334 + 10e-6 × 0.2.
    expect(report.functions[1]?.totalUsd).toBeCloseTo(0.2133334, 10);
    expect(report.functions[2]?.totalUsd).toBeCloseTo(0.0000066667 + 0.000002, 12);
    expect(report.totalUsd).toBeCloseTo(3.43334 + 0.2133334 + 0.0000086667, 9);
    expect(report.change).toBeCloseTo(report.totalUsd / 1.76667 - 1, 9);

    const message = costMessage(report);
    expect(message.text).toBe('Lambda cost, last 7d: $3.65 (+106 %)');
    expect(JSON.stringify(message.blocks)).toContain('Scanned 4,004 records');
  });

  it('formats dollars and changes', () => {
    expect([formatUsd(0), formatUsd(0.00421), formatUsd(12.345)]).toEqual(['$0.00', '$0.0042', '$12.35']);
    expect([formatChange(undefined), formatChange(0.254), formatChange(-0.031)]).toEqual([
      'new',
      '+25 %',
      '-3 %',
    ]);
  });

  it('stays within Slack limits with 200 functions of long names', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({
      '@log': `1:/aws/lambda/${'function-name-'.repeat(4)}${i}`,
      invocations: String(i * 1000),
      avgDurationMs: '12.5',
      maxDurationMs: '99',
      gbSeconds: String(i * 10),
    }));
    const report = await investigateCost(
      {},
      { logs: new FakeLogSearch([{ when: /REPORT/, rows }]), clock: fixedClock('2026-12-01T00:00:00Z') },
      investigationConfig(),
    );
    const message = costMessage(report);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(11_000);
    expect(JSON.stringify(message.blocks)).toMatch(/… and \d+ more```/);
  });
});
