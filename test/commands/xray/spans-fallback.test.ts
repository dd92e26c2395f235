import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/commands/errors';
import {
  buildSpansQuery,
  type InsightsRow,
  otelToXrayTraceId,
  spansToTraceTree,
  xrayToOtelTraceId,
} from '../../../src/commands/xray/spans-fallback';
import { findBottleneck, flattenTrace } from '../../../src/commands/xray/waterfall';
import { fixture } from '../alarms/fixtures';

const rows = fixture('xray', 'aws-spans-query-results.json') as InsightsRow[];
const TRACE = '1-69f47a80-a01ef2a0f003da37183f4fcc';

describe('trace id conversion', () => {
  it('converts an X-Ray id to the OTel id and back', () => {
    expect(xrayToOtelTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe('5759e988bd862e3fe1be46a994272793');
    expect(otelToXrayTraceId('5759e988bd862e3fe1be46a994272793')).toBe('1-5759e988-bd862e3fe1be46a994272793');
  });

  it.each(['', '1-5759e988', '1-5759e988-bd862e3fe1be46a99427279"', 'x" or 1=1'])(
    'rejects %j with a user-safe message',
    (id) => {
      expect(() => xrayToOtelTraceId(id)).toThrow(InvalidInputError);
    },
  );
});

describe('buildSpansQuery', () => {
  it('filters aws/spans on the OTel trace id', () => {
    expect(buildSpansQuery('1-5759e988-bd862e3fe1be46a994272793')).toBe(
      'fields @timestamp, @message\n| filter traceId = "5759e988bd862e3fe1be46a994272793"\n| sort @timestamp asc\n| limit 500',
    );
  });
});

describe('spansToTraceTree', () => {
  it('builds the same tree and bottleneck from spans as from segment documents', () => {
    const tree = spansToTraceTree(rows, TRACE);
    expect(tree.traceId).toBe(TRACE);
    expect(flattenTrace(tree).map((r) => [r.depth, r.name, r.operation ?? '', r.namespace ?? ''])).toEqual([
      [0, 'conference-save-session-dynamodb-lambda', '', ''],
      [1, 'DynamoDB', 'PutItem', 'aws'],
      [1, 'Sessions.saveSessionDynamoDB', '', ''],
      [2, 'DynamoDB', 'PutItem', 'aws'],
    ]);
    expect(findBottleneck(tree)?.sentence).toBe(
      'Sessions.saveSessionDynamoDB: 3.0 s, of which DynamoDB PutItem 8 ms — 2.99 s spent in the function itself',
    );
  });

  it('maps an ERROR status with a 4xx response to an error flag and keeps the message as cause', () => {
    const last = flattenTrace(spansToTraceTree(rows, TRACE)).at(-1);
    expect(last).toMatchObject({ error: true, fault: false });
    expect(last?.node.cause).toBe('ProvisionedThroughputExceededException');
  });

  it('accepts LogSearch rows (field → value)', () => {
    const records = rows.map((r) => Object.fromEntries(r.map((f) => [f.field, f.value])));
    expect(flattenTrace(spansToTraceTree(records, TRACE))).toHaveLength(4);
  });

  it('accepts raw JSON lines, skips other traces, duplicates and junk', () => {
    const lines = rows.map((r) => r.find((f) => f.field === '@message')?.value ?? '');
    const other = lines[0]?.replace(/69f47a80a01ef2a0f003da37183f4fcc/g, '0'.repeat(32)) ?? '';
    const tree = spansToTraceTree([...lines, lines[1] ?? '', other, 'not json'], TRACE);
    expect(flattenTrace(tree)).toHaveLength(4);
    expect(tree.skipped).toEqual([{ id: '#6', error: '@message: missing or not JSON' }]);
  });

  it('marks a span without an end as in progress and keeps orphans at the root', () => {
    const tree = spansToTraceTree(
      [
        {
          traceId: '69f47a80a01ef2a0f003da37183f4fcc',
          spanId: 'aa',
          parentSpanId: 'missing',
          name: 'late',
          startTimeUnixNano: '1777629600000000000',
        },
      ],
      TRACE,
    );
    expect(tree.roots[0]).toMatchObject({ name: 'late', inProgress: true, startMs: 1777629600000 });
  });
});
