import { describe, expect, it } from 'vitest';
import { sampleLatency, seededRandom } from '../../../src/local/stand-ins';

const quantile = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN;

describe('sampleLatency', () => {
  it('draws a lognormal whose median and spread match the settings', () => {
    const random = seededRandom(42);

    const samples = Array.from({ length: 4001 }, () =>
      sampleLatency({ median: 100, sigma: 0.1 }, random),
    ).sort((a, b) => a - b);

    expect(quantile(samples, 0.5)).toBeGreaterThan(98);
    expect(quantile(samples, 0.5)).toBeLessThan(102);
    // One sigma above the median in log space: the 84th percentile is median × e^sigma.
    expect(quantile(samples, 0.8413) / quantile(samples, 0.5)).toBeCloseTo(Math.exp(0.1), 1);
    expect(samples[0]).toBeGreaterThan(0);
  });

  it('is repeatable for a seed and gives 0 for a zero median', () => {
    const a = seededRandom(7);
    const b = seededRandom(7);

    expect([1, 2, 3].map(() => sampleLatency({ median: 50, sigma: 1 }, a))).toEqual(
      [1, 2, 3].map(() => sampleLatency({ median: 50, sigma: 1 }, b)),
    );
    expect(sampleLatency({ median: 0, sigma: 1 })).toBe(0);
  });

  it('has a long right tail for a large sigma', () => {
    const random = seededRandom(1);

    const samples = Array.from({ length: 4001 }, () => sampleLatency({ median: 100, sigma: 1 }, random)).sort(
      (a, b) => a - b,
    );

    expect(quantile(samples, 0.5)).toBeGreaterThan(90);
    expect(quantile(samples, 0.5)).toBeLessThan(110);
    expect(quantile(samples, 0.99)).toBeGreaterThan(800);
  });
});
