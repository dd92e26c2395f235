import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/commands/errors';
import { buildTraceSummaryFilter, splitTraceWindow } from '../../../src/commands/xray/trace-summaries';

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
