import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionNames, MILESTONE_NAMES } from '../../src/conference-app/contract';
import { SEED_QUERIES } from '../fixtures/seed-queries';
import {
  createSession,
  jsonLines,
  milestonesByTrace,
  type RawEvent,
  readEvents,
  reportLines,
  runQuery,
  startTestStack,
  type TestStack,
  waitFor,
} from './helpers';

// The seed's queries, verbatim (../shared/README.md).
const MILESTONE_QUERY = (traceId: string) => `fields milestone, functionName, timestamp
| filter traceId="${traceId}" and ispresent(milestone)
| sort timestamp asc`;

const SESSIONS = 3;

describe('local stack: a session created over HTTP (issue 3)', () => {
  let t: TestStack;
  let groups: string[];
  const created: { sessionId: string; traceId: string; subject: string }[] = [];
  let events: RawEvent[];

  beforeAll(async () => {
    t = await startTestStack();
    groups = t.stack.serviceLogGroups;
    for (let i = 0; i < SESSIONS; i++) {
      const subject = `Integration talk ${i} ${Date.now()}`;
      created.push({ ...(await createSession(t.stack, subject)), subject });
    }
    // Settled: every trace has its four milestones and the logs stop growing (the last REPORT lines).
    let previous = -1;
    events = await waitFor(
      'four milestones per session and quiet logs',
      async () => {
        const now = await readEvents(t.logs, Object.values(FunctionNames));
        const traces = milestonesByTrace(now);
        const complete = created.every((s) => traces.get(s.traceId)?.size === MILESTONE_NAMES.length);
        const quiet = now.length === previous;
        previous = now.length;
        return complete && quiet ? now : undefined;
      },
      30_000,
      300,
    );
  }, 60_000);

  afterAll(async () => {
    await t?.close();
  });

  it('logs the four milestones under one traceId, each from its function (StartQuery/GetQueryResults)', async () => {
    for (const session of created) {
      const rows = await runQuery(t.logs, groups, MILESTONE_QUERY(session.traceId), t.startedAt);

      expect(rows.map((r) => r.milestone).sort()).toEqual([...MILESTONE_NAMES].sort());
      expect(rows[0]?.milestone).toBe('CREATE_REQUEST_RECEIVED');
      expect(Object.fromEntries(rows.map((r) => [r.milestone, r.functionName]))).toEqual({
        CREATE_REQUEST_RECEIVED: FunctionNames.createSession,
        SAVED_IN_DATABASE: FunctionNames.saveSession,
        SLACK_NOTIFICATION_NEW_SESSION_SENT: FunctionNames.notifyNewSession,
        SESSION_FORWARDED: FunctionNames.forwardSession,
      });
    }
  });

  it('finds the traceId from the sessionId with the seed query', async () => {
    const [session] = created;
    if (!session) throw new Error('no session');
    const rows = await runQuery(
      t.logs,
      groups,
      `fields traceId\n| filter sessionId="${session.sessionId}"\n| limit 1`,
      t.startedAt,
    );
    expect(rows.map((r) => r.traceId)).toEqual([session.traceId]);
  });

  it('delivers each session to the webhook and the partner stand-ins', () => {
    const webhook = JSON.stringify(t.stack.standIns.received('slack').map((r) => r.body));
    const partner = t.stack.standIns.received('partner');
    for (const session of created) {
      expect(webhook).toContain(session.subject);
      expect(partner.filter((r) => JSON.stringify(r.body).includes(session.sessionId))).toHaveLength(1);
    }
    expect(partner.every((r) => r.path === '/session/forward' && r.status === 200)).toBe(true);
  });

  it('lists the sessions newest first on GET /sessions', async () => {
    const response = await fetch(`${t.stack.conferenceApi.url}/sessions?limit=100`);
    const body = (await response.json()) as { sessions: { sessionId: string; traceId: string }[] };

    expect(response.status).toBe(200);
    expect(body.sessions.map((s) => s.sessionId)).toEqual(created.map((s) => s.sessionId).reverse());
    expect(body.sessions.map((s) => s.traceId)).toEqual(created.map((s) => s.traceId).reverse());
  });

  it("returns the seed's lead time per trace, as the raw events give it", async () => {
    const expected = created
      .map(({ traceId }) => {
        const times = jsonLines(events)
          .filter(
            ({ line }) =>
              line.traceId === traceId &&
              (line.milestone === 'CREATE_REQUEST_RECEIVED' ||
                line.milestone === 'SLACK_NOTIFICATION_NEW_SESSION_SENT'),
          )
          .map((e) => e.timestamp);
        return { traceId, seconds: (Math.max(...times) - Math.min(...times)) / 1000 };
      })
      .filter((e) => e.seconds !== 0)
      .sort((a, b) => b.seconds - a.seconds);

    const rows = await runQuery(t.logs, groups, SEED_QUERIES.leadTime, t.startedAt);

    expect(expected).toHaveLength(SESSIONS);
    expect(rows.map((r) => r.traceId)).toEqual(expected.map((e) => e.traceId));
    rows.forEach((row, i) => {
      expect(Number(row.LeadTimeInSeconds)).toBeCloseTo(expected[i]?.seconds ?? Number.NaN, 6);
    });
  });

  it("returns the seed's two cost queries' figures, as the REPORT lines give them", async () => {
    // Read again: GET /sessions above added a list-sessions invocation since beforeAll.
    const reports = reportLines(await readEvents(t.logs, Object.values(FunctionNames)));
    const gbSeconds = reports.reduce(
      (sum, r) => sum + (r.billedDurationMs / 1000) * (r.memorySizeMb / 1024),
      0,
    );
    // One REPORT per invocation: create (3), save, notify, forward at least once per session.
    expect(reports.length).toBeGreaterThanOrEqual(SESSIONS + 3);

    const [total] = await runQuery(t.logs, groups, SEED_QUERIES.costTotal, t.startedAt);
    const [detail] = await runQuery(t.logs, groups, SEED_QUERIES.costDetail, t.startedAt);

    expect(Number(total?.TotalBilledDurationInGBSeconds)).toBeCloseTo(gbSeconds, 9);
    expect(Number(total?.TotalCostInDollar)).toBeCloseTo(gbSeconds * 0.00001667, 12);
    expect(Number(detail?.NumberOfInvocations)).toBe(reports.length);
    expect(Number(detail?.AverageExecutionTime)).toBe(
      Math.ceil(reports.reduce((sum, r) => sum + r.durationMs, 0) / reports.length),
    );
    expect(Number(detail?.MaxExecutionTime)).toBeCloseTo(Math.max(...reports.map((r) => r.durationMs)), 6);
    expect(Number(detail?.TotalCostInDollar)).toBeCloseTo(gbSeconds * 0.00001667, 12);
  });
});
