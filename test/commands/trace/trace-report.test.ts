import { describe, expect, it } from 'vitest';
import {
  buildTimeline,
  collectXRayTraces,
  findMissingMilestones,
  readException,
  readSightings,
} from '../../../src/commands/trace/trace-report';
import { FunctionNames, Milestone } from '../../../src/conference-app/contract';
import { conferenceFlow } from '../../fixtures/flows/conference';

const row = (milestone: string, ts: string, functionName = '') => ({
  '@timestamp': ts.replace('T', ' ').replace('Z', ''),
  milestone,
  functionName,
});

describe('findMissingMilestones', () => {
  it('names the root as missing when nothing was logged', () => {
    const { missing } = findMissingMilestones(new Set(), conferenceFlow.milestones);
    expect(missing).toEqual([
      { milestone: Milestone.createRequestReceived, functionName: FunctionNames.createSession, after: null },
    ]);
  });

  it('names the save after a create', () => {
    const { missing, logsLookIncomplete } = findMissingMilestones(
      new Set([Milestone.createRequestReceived]),
      conferenceFlow.milestones,
    );
    expect(missing.map((m) => m.milestone)).toEqual([Milestone.savedInDatabase]);
    expect(missing[0]?.functionName).toBe(FunctionNames.saveSession);
    expect(logsLookIncomplete).toBe(false);
  });

  it('lists both branches after the save, notification first', () => {
    const { missing } = findMissingMilestones(
      new Set([Milestone.createRequestReceived, Milestone.savedInDatabase]),
      conferenceFlow.milestones,
    );
    expect(missing.map((m) => m.functionName)).toEqual([
      FunctionNames.notifyNewSession,
      FunctionNames.forwardSession,
    ]);
  });

  it('names only the missing branch when the other arrived', () => {
    const { missing } = findMissingMilestones(
      new Set([Milestone.createRequestReceived, Milestone.savedInDatabase, Milestone.slackNotificationSent]),
      conferenceFlow.milestones,
    );
    expect(missing).toEqual([
      {
        milestone: Milestone.sessionForwarded,
        functionName: FunctionNames.forwardSession,
        after: Milestone.savedInDatabase,
      },
    ]);
  });

  it('finds nothing missing on a complete trace', () => {
    const all = new Set<string>(Object.values(Milestone));
    expect(findMissingMilestones(all, conferenceFlow.milestones)).toEqual({
      missing: [],
      logsLookIncomplete: false,
    });
  });

  it('flags incomplete logs when a later milestone appears without its predecessor', () => {
    const { missing, logsLookIncomplete } = findMissingMilestones(
      new Set([Milestone.createRequestReceived, Milestone.slackNotificationSent]),
      conferenceFlow.milestones,
    );
    expect(missing[0]?.milestone).toBe(Milestone.savedInDatabase);
    expect(logsLookIncomplete).toBe(true);
  });
});

describe('buildTimeline', () => {
  it('orders by time, computes deltas and collapses retried milestones', () => {
    const timeline = buildTimeline(
      [
        row(Milestone.createRequestReceived, '2026-11-24T10:00:00.000Z', FunctionNames.createSession),
        row(Milestone.savedInDatabase, '2026-11-24T10:00:01.500Z', FunctionNames.saveSession),
        row(Milestone.savedInDatabase, '2026-11-24T10:00:03.000Z', FunctionNames.saveSession),
        row(Milestone.slackNotificationSent, '2026-11-24T10:00:02.000Z'),
      ],
      conferenceFlow.milestones,
    );
    expect(timeline.map((e) => [e.milestone, e.deltaMs, e.occurrences])).toEqual([
      [Milestone.createRequestReceived, null, 1],
      [Milestone.savedInDatabase, 1500, 2],
      [Milestone.slackNotificationSent, 500, 1],
    ]);
    // A row without functionName takes the contract's function.
    expect(timeline[2]?.functionName).toBe(FunctionNames.notifyNewSession);
  });

  it('prefers the service ISO timestamp over @timestamp and drops rows without a time', () => {
    const timeline = buildTimeline([
      {
        milestone: 'CREATE_REQUEST_RECEIVED',
        timestamp: '2026-11-24T10:00:00.123Z',
        '@timestamp': '2026-11-24 10:00:00.200',
      },
      { milestone: 'SAVED_IN_DATABASE' },
    ]);
    expect(timeline).toHaveLength(1);
    expect(timeline[0]?.at.toISOString()).toBe('2026-11-24T10:00:00.123Z');
  });
});

describe('readSightings', () => {
  it('reads several traces of one session newest first', () => {
    const sightings = readSightings([
      {
        traceId: 'old',
        firstSeen: '2026-11-24 09:00:00.000',
        lastSeen: '2026-11-24 09:00:05.000',
        lines: '7',
      },
      {
        traceId: 'new',
        firstSeen: '2026-11-24 10:00:00.000',
        lastSeen: '2026-11-24 10:00:02.000',
        lines: '3',
      },
      { traceId: 'broken' },
    ]);
    expect(sightings.map((s) => [s.traceId, s.lines])).toEqual([
      ['new', 3],
      ['old', 7],
    ]);
  });
});

describe('readException', () => {
  it('keeps name, message and the top five frames', () => {
    const stack = [
      'TypeError: boom',
      ...Array.from({ length: 9 }, (_, i) => `    at f${i} (index.js:${i}:1)`),
    ].join('\n');
    const e = readException([
      {
        '@timestamp': '2026-11-24 10:00:01.000',
        functionName: FunctionNames.saveSession,
        'exception.name': 'TypeError',
        'exception.message': 'boom',
        'exception.stack': stack,
        '@logStream': '2026/11/24/[$LATEST]abc',
      },
    ]);
    expect(e).toMatchObject({ name: 'TypeError', message: 'boom', functionName: FunctionNames.saveSession });
    expect(e?.stackTop).toEqual([
      'at f0 (index.js:0:1)',
      'at f1 (index.js:1:1)',
      'at f2 (index.js:2:1)',
      'at f3 (index.js:3:1)',
      'at f4 (index.js:4:1)',
    ]);
  });

  it('is undefined without an exception row', () => {
    expect(readException([])).toBeUndefined();
  });
});

describe('collectXRayTraces', () => {
  it('keeps distinct ids in first-seen order, each with the functions that logged it', () => {
    expect(
      collectXRayTraces(
        [
          { xrayTraceId: 'b', functionName: 'create' },
          { xrayTraceId: 'a', functionName: 'save' },
        ],
        [{ xrayTraceId: 'b', functionName: 'create' }, { xrayTraceId: 'b' }, {}],
      ),
    ).toEqual([
      { id: 'b', functions: ['create'] },
      { id: 'a', functions: ['save'] },
    ]);
  });
});
