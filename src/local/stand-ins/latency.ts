/** A lognormal latency: half the samples fall below `median` ms; `sigma` is the spread of ln(latency). */
export interface LatencyDistribution {
  median: number;
  sigma: number;
}

/** A source of uniform numbers in [0, 1), so tests can seed it. */
export type RandomSource = () => number;

/** A small seeded PRNG (mulberry32), for repeatable latency draws. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One standard normal draw (Box–Muller). */
function standardNormal(random: RandomSource): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Draws one latency in ms: median × e^(sigma·Z), as WireMock's lognormal delay does. */
export function sampleLatency(distribution: LatencyDistribution, random: RandomSource = Math.random): number {
  if (distribution.median <= 0) return 0;
  return distribution.median * Math.exp(distribution.sigma * standardNormal(random));
}
