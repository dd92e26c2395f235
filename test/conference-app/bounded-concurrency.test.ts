import { describe, expect, it } from 'vitest';
import { settleWithConcurrency } from '../../src/conference-app/sessions/bounded-concurrency';

describe('settleWithConcurrency', () => {
  it('never exceeds the limit and settles every item in input order', async () => {
    let inFlight = 0;
    let max = 0;

    const results = await settleWithConcurrency([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 10 * (n % 3)));
      inFlight--;
      if (n === 4) throw new Error('four');
    });

    expect(max).toBe(3);
    expect(results.map((r) => [r.item, r.ok])).toEqual([
      [1, true],
      [2, true],
      [3, true],
      [4, false],
      [5, true],
      [6, true],
      [7, true],
    ]);
  });

  it('handles an empty batch', async () => {
    expect(await settleWithConcurrency([], 10, async () => undefined)).toEqual([]);
  });
});
