import { describe, expect, it } from 'vitest';
import type { Block } from '../../../src/commands/slack/block-kit';
import { parseTrace, type TraceTree } from '../../../src/commands/xray/trace-document';
import {
  buildWaterfallMessage,
  drawBar,
  xrayTraceConsoleUrl,
} from '../../../src/commands/xray/waterfall-view';
import { fixture } from '../alarms/fixtures';
import { expectWithinSlackLimits } from '../alarms/slack-limits';

function traceOf(name: string): TraceTree {
  return parseTrace((fixture('xray', name) as { Traces: unknown[] }).Traces[0]);
}

function texts(blocks: Block[]): string[] {
  return blocks.map((b) =>
    b.type === 'section' || b.type === 'header'
      ? (b.text?.text ?? '')
      : b.type === 'context'
        ? b.elements.map((e) => e.text).join(' ')
        : '',
  );
}

/** A synthetic trace of n sequential subsegments under one segment. */
function wideTrace(n: number): TraceTree {
  const subsegments = Array.from({ length: n }, (_, i) => ({
    id: `s${String(i).padStart(15, '0')}`,
    name: `step-${i}-with-a-rather-long-name-that-needs-cutting`,
    start_time: 1000 + i * 0.01,
    end_time: 1000 + i * 0.01 + 0.009,
  }));
  const doc = {
    id: 'root000000000000',
    name: 'root',
    trace_id: '1-00000001-000000000000000000000001',
    start_time: 1000,
    end_time: 1000 + n * 0.01,
    subsegments,
  };
  return parseTrace({
    Id: '1-00000001-000000000000000000000001',
    Segments: [{ Id: doc.id, Document: JSON.stringify(doc) }],
  });
}

describe('drawBar', () => {
  it.each([
    [0, 100, 100, 10, '██████████'],
    [50, 50, 100, 10, '     █████'],
    [0, 1, 100, 10, '▏         '],
    [99, 1, 100, 10, '         ▏'],
    [0, 0, 0, 4, '▏   '],
  ])('draws offset %d duration %d of %d in %d chars', (offset, duration, total, width, bar) => {
    expect(drawBar(offset, duration, total, width)).toBe(bar);
  });
});

describe('buildWaterfallMessage', () => {
  it('shows the seed incident with its bottleneck in bold and a console link', () => {
    const message = buildWaterfallMessage(traceOf('seed-incident-trace.json'), { region: 'eu-west-1' });
    expectWithinSlackLimits(message);
    const all = texts(message.blocks).join('\n');
    expect(all).toContain('Trace 1-69f47a80-a01ef2a0f003da37183f4fcc · 3.12 s');
    expect(all).toContain('Sessions.saveSessionDynamoDB');
    expect(all).toContain(
      'Bottleneck: *Sessions.saveSessionDynamoDB*: 3.0 s, of which DynamoDB PutItem 8 ms — 2.99 s spent in the function itself',
    );
    const code = texts(message.blocks).find((t) => t.startsWith('```')) ?? '';
    const saveLine = code.split('\n').find((l) => l.includes('Sessions.saveSessionDynamoDB')) ?? '';
    // 3.0 of 3.12 s at 40 columns: a bar of 38 or so full blocks.
    expect((saveLine.match(/█/g) ?? []).length).toBeGreaterThanOrEqual(37);
    expect(message.text).toContain('Bottleneck: Sessions.saveSessionDynamoDB');
    const actions = message.blocks.find((b) => b.type === 'actions');
    expect(actions?.type === 'actions' && actions.elements[0]?.url).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/1-69f47a80-a01ef2a0f003da37183f4fcc',
    );
  });

  it('marks faults, errors, throttles and in-progress rows and notes unreadable documents', () => {
    const message = buildWaterfallMessage(traceOf('parallel-fault-trace.json'), { region: 'eu-west-1' });
    expectWithinSlackLimits(message);
    const all = texts(message.blocks).join('\n');
    expect(all).toMatch(/SNS Publish .*⚠⏱/);
    expect(all).toMatch(/hooks\.slack\.com .*✖/);
    expect(all).toMatch(/conference-forward-session-lambda .*…/);
    expect(all).toContain('1 unreadable segment document(s)');
  });

  it('names the faulting segment and its exception first, the bottleneck second', () => {
    const message = buildWaterfallMessage(traceOf('parallel-fault-trace.json'), { region: 'eu-west-1' });
    const all = texts(message.blocks);
    const fault = all.findIndex((t) => t.startsWith(':x: Fault:'));
    const bottleneck = all.findIndex((t) => t.startsWith(':mag: Bottleneck:'));
    expect(fault).toBeGreaterThan(-1);
    expect(fault).toBeLessThan(bottleneck);
    expect(all[fault]).toMatch(/hooks\.slack\.com.* failed.*: ServiceUnavailable: downstream failed/);
    expect(message.text).toMatch(/Fault: .*hooks\.slack\.com.*ServiceUnavailable.*\. Bottleneck: /);
  });

  it('caps the rows, splits code blocks under 3000 characters and says how many are hidden', () => {
    const message = buildWaterfallMessage(wideTrace(120), { region: 'eu-west-1', maxRows: 60 });
    expectWithinSlackLimits(message);
    const codes = texts(message.blocks).filter((t) => t.startsWith('```'));
    expect(codes.length).toBeGreaterThan(1);
    expect(
      codes
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('step-')).length,
    ).toBe(59);
    expect(texts(message.blocks).join('\n')).toContain('… and 61 more segments');
  });

  it('explains an empty trace', () => {
    const message = buildWaterfallMessage(parseTrace({ Id: '1-00000000-000000000000000000000000' }), {
      region: 'us-east-1',
    });
    expectWithinSlackLimits(message);
    expect(message.text).toContain('No segments found');
  });

  it('encodes the console link', () => {
    expect(xrayTraceConsoleUrl('eu-west-1', '1-a-b')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/1-a-b',
    );
  });
});
