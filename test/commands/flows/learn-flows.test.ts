import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parseFlowConfig } from '../../../src/commands/flows/flow-set';
import { learnedConfigYaml } from '../../../src/commands/flows/flows-view';
import { learnFlows } from '../../../src/commands/flows/learn-flows';
import { learnFlowGraphs } from '../../../src/commands/flows/learn-graph';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { EngineLogSearch } from '../../fixtures/commands/engine-log-search';
import { conferenceFlow } from '../../fixtures/flows/conference';

const T0 = Date.parse('2026-12-05T08:00:00Z');
const uuid = (i: number) => `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`;
let seq = 0;

/** The conference service's lines (this repo's logger) for one session; the two branches in either order. */
function session(i: number, notifyFirst: boolean): StoredLogEvent[] {
  const at = T0 + i * 60_000;
  const steps: [string, string, number][] = [
    ['CREATE_REQUEST_RECEIVED', 'conference-create-session-lambda', 0],
    ['SAVED_IN_DATABASE', 'conference-save-session-dynamodb-lambda', 300],
    ['SLACK_NOTIFICATION_NEW_SESSION_SENT', 'conference-slack-notification-lambda', notifyFirst ? 500 : 700],
    ['SESSION_FORWARDED', 'conference-forward-session-lambda', notifyFirst ? 700 : 500],
  ];
  return steps.map(([milestone, fn, offset]) => ({
    logGroupName: `/aws/lambda/${fn}`,
    logStreamName: '2026/12/05/[$LATEST]abc',
    timestamp: at + offset,
    ingestionTime: at + offset,
    message: JSON.stringify({
      level: 'INFO',
      message: 'm',
      functionName: fn,
      traceId: uuid(i),
      sessionId: uuid(1000 + i),
      milestone,
    }),
    eventId: String(++seq),
  }));
}

describe('learnFlows', () => {
  it('reproduces the conference graph from its logs: the order, the functions and the branch after the save', async () => {
    const events = Array.from({ length: 10 }, (_, i) => session(i, i % 2 === 0)).flat();
    const logs = new EngineLogSearch(events);
    const now = new Date(T0 + 3_600_000);

    const report = await learnFlows(
      logs,
      {
        logGroupNames: [...new Set(events.map((e) => e.logGroupName))],
        window: { start: new Date(T0), end: now, label: '1h' },
      },
      undefined,
      now,
    );

    const [flow] = report.flows;
    expect(flow?.name).toBe('session');
    expect(flow?.businessIds).toEqual(['sessionId']);
    expect(flow?.logFormat).toBe('gumshoe');
    expect(flow?.traces).toBe(10);
    // Siblings of a branch have no order of their own: compared as a set, with the root first.
    const byName = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    expect(flow?.milestones[0]?.name).toBe('CREATE_REQUEST_RECEIVED');
    expect(flow?.milestones.map((m) => [m.name, m.functionName, m.after]).sort(byName)).toEqual(
      conferenceFlow.milestones.map((m) => [m.name, m.functionName, m.after]).sort(byName),
    );
    // The printed config loads, and describes the same graph.
    const printed = parseFlowConfig(parseYaml(learnedConfigYaml(report.flows)), 'learned.yaml');
    expect(printed.flows[0]?.milestones.map((m) => [m.name, m.after]).sort(byName)).toEqual(
      conferenceFlow.milestones.map((m) => [m.name, m.after]).sort(byName),
    );
  });

  it('flags a milestone seen in only part of the traces, counts retries and leaves traces in flight out', () => {
    const s = (traceId: string, milestone: string, at: number, count = 1) => ({
      traceId,
      milestone,
      functionName: 'f',
      at,
      count,
    });
    const flows = learnFlowGraphs(
      [
        s('a', 'START', 0),
        s('a', 'RETRY', 10, 2),
        s('a', 'END', 20),
        s('b', 'START', 100),
        s('b', 'END', 120),
        s('c', 'START', 200),
        s('c', 'END', 230),
        s('late', 'START', 10_000),
      ],
      1000,
    );
    expect(flows).toHaveLength(1);
    expect(flows[0]?.traces).toBe(3);
    const retry = flows[0]?.milestones.find((m) => m.name === 'RETRY');
    expect(retry?.frequency).toBeCloseTo(1 / 3);
    expect(retry?.retried).toBe(1);
    // The partial RETRY is no predecessor of END: END follows START.
    expect(flows[0]?.milestones.find((m) => m.name === 'END')?.after).toEqual(['START']);
  });
});
