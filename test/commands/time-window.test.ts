import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/commands/errors';
import { parseTimeWindow, previousWindow, windowEndingAt } from '../../src/commands/time-window';

describe('parseTimeWindow', () => {
  it.each([
    ['15m', '15m', 15 * 60_000],
    ['90min', '90m', 90 * 60_000],
    ['1h', '1h', 3_600_000],
    ['24H', '24h', 86_400_000],
    ['7d', '7d', 7 * 86_400_000],
    ['2w', '2w', 14 * 86_400_000],
    ['week', '7d', 7 * 86_400_000],
    ['30d', '30d', 30 * 86_400_000],
    ['month', '30d', 30 * 86_400_000],
  ])('parses %s', (text, label, durationMs) => {
    expect(parseTimeWindow(text)).toEqual({ label, durationMs });
  });

  it.each(['31d', '5w', '9999h'])('refuses %s as longer than 30 days', (text) => {
    expect(() => parseTimeWindow(text)).toThrow(
      expect.objectContaining({
        name: 'InvalidInputError',
        userMessage: expect.stringMatching(/at most 30 days/),
      }),
    );
  });

  it.each(['0m', '', 'h', '1.5h', '-1h', '1y', '1h;drop', 'yesterday'])('refuses %j with usage', (text) => {
    const error = (() => {
      try {
        parseTimeWindow(text);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).userMessage).toMatch(/window|minute/);
  });
});

describe('windows', () => {
  it('end at the given instant and the previous one abuts it', () => {
    const w = windowEndingAt({ label: '1h', durationMs: 3_600_000 }, new Date('2026-11-24T12:00:00Z'));
    expect(w.start.toISOString()).toBe('2026-11-24T11:00:00.000Z');
    const p = previousWindow(w);
    expect(p).toEqual({ start: new Date('2026-11-24T10:00:00Z'), end: new Date('2026-11-24T11:00:00Z') });
  });
});
