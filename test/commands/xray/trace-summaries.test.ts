import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/commands/errors';
import {
  buildTraceSummaryFilter,
  findFailedTraces,
  splitTraceWindow,
  type TraceSummaryReader,
  type TraceSummaryRow,
} from '../../../src/commands/xray/trace-summaries';

/** A reader answering from a fixed list of rows, filtered by window, recording each call. */
function fakeReader(rows: TraceSummaryRow[]) {
  const calls: { filter: string; start: Date; end: Date; max: number | undefined }[] = [];
  const reader: TraceSummaryReader = {
    traceSummaries: async (filter, window, max) => {
      calls.push({ filter, start: window.start, end: window.end, max });
      const inWindow = rows.filter(
        (r) => r.StartTime && r.StartTime >= window.start && r.StartTime < window.end,
      );
      return inWindow.slice(0, max ?? inWindow.length);
    },
  };
  return { reader, calls };
}
const id = (n: number) => `1-6b05ca80-${String(n).padStart(24, '0')}`;
const at = (iso: string) => new Date(iso);

describe('buildTraceSummaryFilter', () => {
  it('matches faults, errors and slow traces of one service', () => {
    expect(
      buildTraceSummaryFilter({
        services: ['conference-save-session-dynamodb-lambda'],
        slowerThanSeconds: 2,
      }),
    ).toBe(
      'service("conference-save-session-dynamodb-lambda") { fault = true OR error = true OR responsetime > 2 }',
    );
  });

  it('joins several services with OR and drops duplicates', () => {
    expect(buildTraceSummaryFilter({ services: ['a', 'b', 'a'], includeErrors: false })).toBe(
      'service("a") { fault = true } OR service("b") { fault = true }',
    );
  });

  it.each(['x") OR service("y', 'back\\slash', '', 'spaced name', '"'])(
    'rejects the unsafe service name %j',
    (name) => {
      expect(() => buildTraceSummaryFilter({ services: [name] })).toThrow(InvalidInputError);
    },
  );

  it('rejects an empty service list and a negative response time', () => {
    expect(() => buildTraceSummaryFilter({ services: [] })).toThrow(InvalidInputError);
    expect(() => buildTraceSummaryFilter({ services: ['a'], slowerThanSeconds: -1 })).toThrow(
      InvalidInputError,
    );
  });
});

describe('splitTraceWindow', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 4, 1, h));

  it('keeps a short window whole', () => {
    expect(splitTraceWindow({ start: at(9), end: at(10) })).toEqual([{ start: at(9), end: at(10) }]);
  });

  it('cuts a 14 h window into 6 h chunks, newest first, covering it exactly', () => {
    const chunks = splitTraceWindow({ start: at(0), end: at(14) });
    expect(chunks).toEqual([
      { start: at(8), end: at(14) },
      { start: at(2), end: at(8) },
      { start: at(0), end: at(2) },
    ]);
  });

  it('returns nothing for an empty or inverted window', () => {
    expect(splitTraceWindow({ start: at(10), end: at(10) })).toEqual([]);
    expect(splitTraceWindow({ start: at(11), end: at(10) })).toEqual([]);
  });
});

describe('findFailedTraces', () => {
  it('asks once per 6 h chunk, newest first, with the service filter, and returns the traces newest first', async () => {
    const { reader, calls } = fakeReader([
      { Id: id(1), StartTime: at('2026-05-01T01:00:00Z'), Duration: 0.5, HasFault: true },
      { Id: id(2), StartTime: at('2026-05-01T09:00:00Z'), Duration: 1.25, HasError: true },
      { Id: id(3), StartTime: at('2026-05-01T08:00:00Z'), HasFault: true, HasThrottle: true },
    ]);

    const found = await findFailedTraces(reader, {
      services: ['save-fn'],
      window: { start: at('2026-05-01T00:00:00Z'), end: at('2026-05-01T10:00:00Z') },
    });

    expect(calls.map((c) => [c.start.toISOString(), c.end.toISOString()])).toEqual([
      ['2026-05-01T04:00:00.000Z', '2026-05-01T10:00:00.000Z'],
      ['2026-05-01T00:00:00.000Z', '2026-05-01T04:00:00.000Z'],
    ]);
    expect(calls[0]?.filter).toBe('service("save-fn") { fault = true OR error = true }');
    expect(found).toEqual({
      truncated: false,
      traces: [
        {
          id: id(2),
          startTime: at('2026-05-01T09:00:00Z'),
          durationSeconds: 1.25,
          fault: false,
          error: true,
          throttle: false,
        },
        { id: id(3), startTime: at('2026-05-01T08:00:00Z'), fault: true, error: false, throttle: true },
        {
          id: id(1),
          startTime: at('2026-05-01T01:00:00Z'),
          durationSeconds: 0.5,
          fault: true,
          error: false,
          throttle: false,
        },
      ],
    });
  });

  it('keeps at most max traces, says so, and stops asking once full', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({
      Id: id(i),
      StartTime: at(`2026-05-01T09:0${i}:00Z`),
      HasFault: true,
    }));
    const { reader, calls } = fakeReader(rows);

    const found = await findFailedTraces(reader, {
      services: ['save-fn'],
      window: { start: at('2026-04-30T20:00:00Z'), end: at('2026-05-01T10:00:00Z') },
      max: 5,
    });

    expect(found.truncated).toBe(true);
    expect(found.traces).toHaveLength(5);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.max).toBe(6);
  });

  it('drops rows without a well-formed trace id and repeats, and lower-cases ids', async () => {
    const { reader } = fakeReader([
      { Id: 'not-a-trace', StartTime: at('2026-05-01T09:00:00Z'), HasFault: true },
      { Id: id(7).toUpperCase(), StartTime: at('2026-05-01T09:01:00Z'), HasFault: true },
      { Id: id(7), StartTime: at('2026-05-01T09:01:00Z'), HasFault: true },
      { StartTime: at('2026-05-01T09:02:00Z'), HasFault: true },
    ]);

    const found = await findFailedTraces(reader, {
      services: ['save-fn'],
      window: { start: at('2026-05-01T08:00:00Z'), end: at('2026-05-01T10:00:00Z') },
    });

    expect(found.traces.map((t) => t.id)).toEqual([id(7)]);
  });

  it('refuses a service name that could break out of the filter string before calling X-Ray', async () => {
    const { reader, calls } = fakeReader([]);

    await expect(
      findFailedTraces(reader, {
        services: ['fn") OR service("x'],
        window: { start: at('2026-05-01T08:00:00Z'), end: at('2026-05-01T10:00:00Z') },
      }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(calls).toEqual([]);
  });
});
