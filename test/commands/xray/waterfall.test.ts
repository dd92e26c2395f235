import { describe, expect, it } from 'vitest';
import { parseTrace, type TraceNode, type TraceTree } from '../../../src/commands/xray/trace-document';
import {
  findBottleneck,
  flattenTrace,
  formatDuration,
  selfTimeMs,
  traceDurationMs,
  unionLengthMs,
} from '../../../src/commands/xray/waterfall';
import { fixture } from '../alarms/fixtures';

function traceOf(name: string): TraceTree {
  const output = fixture('xray', name) as { Traces: unknown[] };
  return parseTrace(output.Traces[0]);
}

function find(tree: TraceTree, name: string): TraceNode {
  const row = flattenTrace(tree).find((r) => r.name === name);
  if (!row) throw new Error(`no node ${name}`);
  return row.node;
}

describe('formatDuration', () => {
  it.each([
    [8, '8 ms'],
    [0.4, '0 ms'],
    [999.4, '999 ms'],
    [3000, '3.0 s'],
    [2992, '2.99 s'],
    [3100, '3.1 s'],
    [12_440, '12.4 s'],
    [125_000, '2 min 05 s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('unionLengthMs', () => {
  it.each([
    [[], 0],
    [[[0, 10]], 10],
    [
      [
        [0, 10],
        [5, 15],
      ],
      15,
    ],
    [
      [
        [0, 10],
        [20, 30],
      ],
      20,
    ],
    [
      [
        [0, 100],
        [10, 20],
        [30, 40],
      ],
      100,
    ],
    [
      [
        [-50, 10],
        [90, 200],
      ],
      20,
    ],
  ] as [[number, number][], number][])('measures %j clipped to [0, 100] as %d', (intervals, length) => {
    expect(unionLengthMs(intervals, 0, 100)).toBe(length);
  });
});

describe('parseTrace', () => {
  it('links the function segment under the Lambda service segment whatever their order', () => {
    const tree = traceOf('seed-incident-trace.json');
    expect(tree.traceId).toBe('1-69f47a80-a01ef2a0f003da37183f4fcc');
    expect(tree.roots).toHaveLength(1);
    expect(tree.roots[0]?.origin).toBe('AWS::Lambda');
    expect(tree.roots[0]?.children[0]?.origin).toBe('AWS::Lambda::Function');
    expect(tree.roots[0]?.children[0]?.children.map((c) => c.name)).toEqual([
      'Initialization',
      'Invocation',
      'Overhead',
    ]);
  });

  it('keeps orphans at the root, nests segments under subsegments and records unparseable documents', () => {
    const tree = traceOf('parallel-fault-trace.json');
    expect(tree.roots.map((r) => r.name)).toEqual([
      'conference-create-session-lambda',
      'conference-slack-notification-lambda',
    ]);
    expect(find(tree, 'SQS').children.map((c) => c.name)).toEqual(['conference-forward-session-lambda']);
    expect(tree.skipped).toEqual([{ id: 'd000000000000001', error: 'Document: not JSON' }]);
    expect(tree.roots[0]?.cause).toBe('ServiceUnavailable: downstream failed');
  });
});

describe('flattenTrace', () => {
  it('lists the seed incident in start order with depth, offsets and self time', () => {
    const rows = flattenTrace(traceOf('seed-incident-trace.json'));
    expect(rows.map((r) => [r.depth, r.name, r.operation ?? ''])).toEqual([
      [0, 'conference-save-session-dynamodb-lambda', ''],
      [1, 'conference-save-session-dynamodb-lambda', ''],
      [2, 'Initialization', ''],
      [2, 'Invocation', ''],
      [3, 'DynamoDB', 'PutItem'],
      [3, 'Sessions.saveSessionDynamoDB', ''],
      [4, 'DynamoDB', 'PutItem'],
      [2, 'Overhead', ''],
    ]);
    const save = rows[5];
    expect(save?.startOffsetMs).toBeCloseTo(89, 3);
    expect(save?.durationMs).toBeCloseTo(3000, 3);
    expect(save?.selfMs).toBeCloseTo(2992, 3);
    expect(rows[0]?.selfMs).toBeCloseTo(3120 - 3052, 3);
    expect(rows[3]?.selfMs).toBeCloseTo(3022 - 8 - 3000, 3);
  });

  it('subtracts the union of parallel children, not their sum', () => {
    const tree = traceOf('parallel-fault-trace.json');
    // Fanout 390 ms; SQS 1.020–1.220 and SNS 1.100–1.300 overlap, Slack 1.350–1.390: union 320 ms.
    expect(selfTimeMs(find(tree, 'Fanout'))).toBeCloseTo(70, 3);
  });

  it('ends an in-progress segment at its last child and marks faults, errors and throttles', () => {
    const tree = traceOf('parallel-fault-trace.json');
    const rows = flattenTrace(tree);
    const worker = rows.find((r) => r.name === 'conference-forward-session-lambda');
    expect(worker).toMatchObject({ inProgress: true });
    expect(worker?.durationMs).toBeCloseTo(450, 3);
    expect(rows.find((r) => r.name === 'SNS')).toMatchObject({ throttle: true, error: true, fault: false });
    expect(rows.find((r) => r.name === 'hooks.slack.com')).toMatchObject({
      fault: true,
      namespace: 'remote',
    });
    expect(traceDurationMs(tree)).toBeCloseTo(700, 3);
  });
});

describe('findBottleneck', () => {
  it('names Sessions.saveSessionDynamoDB in the seed incident', () => {
    const bottleneck = findBottleneck(traceOf('seed-incident-trace.json'));
    expect(bottleneck?.node.name).toBe('Sessions.saveSessionDynamoDB');
    expect(bottleneck?.selfMs).toBeCloseTo(2992, 3);
    expect(bottleneck?.sentence).toBe(
      'Sessions.saveSessionDynamoDB: 3.0 s, of which DynamoDB PutItem 8 ms — 2.99 s spent in the function itself',
    );
  });

  it('says when all the time is the node’s own', () => {
    const bottleneck = findBottleneck(traceOf('parallel-fault-trace.json'));
    expect(bottleneck?.node.name).toBe('Invocation');
    expect(bottleneck?.sentence).toBe('Invocation: 440 ms, all of it spent in the function itself');
  });

  it('returns undefined for an empty trace', () => {
    expect(
      findBottleneck(parseTrace({ Id: '1-00000000-000000000000000000000000', Segments: [] })),
    ).toBeUndefined();
  });
});
