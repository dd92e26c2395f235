import type { Row } from './row';
import { toNumber, type Value } from './values';

/** One aggregate's running state for one group. */
export interface Accumulator {
  add(row: Row): void;
  result(): Value;
}

/** Builds fresh accumulators for a new group; `value` reads the argument, `timestamp` the event time. */
export type AccumulatorFactory = () => Accumulator;

type Getter = (row: Row) => Value;

/** The aggregate functions `stats` supports, by lower-case name, with their argument counts. */
export const AGGREGATES = new Map<string, { min: number; max: number; keepsTime: boolean }>([
  ['count', { min: 0, max: 1, keepsTime: false }],
  ['count_distinct', { min: 1, max: 1, keepsTime: false }],
  ['sum', { min: 1, max: 1, keepsTime: false }],
  ['avg', { min: 1, max: 1, keepsTime: false }],
  ['min', { min: 1, max: 1, keepsTime: true }],
  ['max', { min: 1, max: 1, keepsTime: true }],
  ['stddev', { min: 1, max: 1, keepsTime: false }],
  ['pct', { min: 2, max: 2, keepsTime: false }],
  ['earliest', { min: 1, max: 1, keepsTime: true }],
  ['latest', { min: 1, max: 1, keepsTime: true }],
]);

/**
 * Makes the accumulator factory for one aggregate call (`arg` is undefined for count() and count(*)).
 * `argIsTimestamp` says the argument is `@timestamp` itself, so earliest/latest need keep only the time.
 */
export function accumulatorFactory(
  name: string,
  arg: Getter | undefined,
  timestamp: Getter,
  percentile: number,
  argIsTimestamp = false,
): AccumulatorFactory {
  const value = arg ?? ONE;
  // Classes, not closures: one small object per group and aggregate, so many groups stay cheap.
  switch (name) {
    case 'count':
      return () => new Count(value);
    case 'count_distinct':
      return () => new CountDistinct(value);
    case 'sum':
      return () => new Sum(value, false);
    case 'avg':
      return () => new Sum(value, true);
    case 'min':
      return () => new MinMax(value, false);
    case 'max':
      return () => new MinMax(value, true);
    case 'stddev':
      return () => new StdDev(value);
    case 'pct':
      return () => new Pct(value, percentile);
    case 'earliest':
    case 'latest': {
      const latest = name === 'latest';
      if (argIsTimestamp) return () => new TimeExtreme(timestamp, latest);
      return () => new Extreme(value, timestamp, latest);
    }
    default:
      throw new Error(`No accumulator for ${name}`);
  }
}

const ONE: Getter = () => 1;

class Count implements Accumulator {
  private n = 0;
  constructor(private readonly value: Getter) {}
  add(r: Row): void {
    if (this.value(r) !== null) this.n++;
  }
  result(): Value {
    return this.n;
  }
}

class CountDistinct implements Accumulator {
  private readonly seen = new Set<Value>();
  constructor(private readonly value: Getter) {}
  add(r: Row): void {
    const v = this.value(r);
    if (v !== null) this.seen.add(typeof v === 'number' ? v : String(v));
  }
  result(): Value {
    return this.seen.size;
  }
}

class Sum implements Accumulator {
  private sum = 0;
  private n = 0;
  constructor(
    private readonly value: Getter,
    private readonly average: boolean,
  ) {}
  add(r: Row): void {
    const x = toNumber(this.value(r));
    if (x !== null) {
      this.sum += x;
      this.n++;
    }
  }
  result(): Value {
    return this.n === 0 ? null : this.average ? this.sum / this.n : this.sum;
  }
}

class MinMax implements Accumulator {
  private best: number | null = null;
  constructor(
    private readonly value: Getter,
    private readonly max: boolean,
  ) {}
  add(r: Row): void {
    const x = toNumber(this.value(r));
    if (x === null) return;
    if (this.best === null || (this.max ? x > this.best : x < this.best)) this.best = x;
  }
  result(): Value {
    return this.best;
  }
}

// Welford's running variance; sample standard deviation (n - 1), as most SQL engines report.
class StdDev implements Accumulator {
  private n = 0;
  private mean = 0;
  private m2 = 0;
  constructor(private readonly value: Getter) {}
  add(r: Row): void {
    const x = toNumber(this.value(r));
    if (x === null) return;
    this.n++;
    const delta = x - this.mean;
    this.mean += delta / this.n;
    this.m2 += delta * (x - this.mean);
  }
  result(): Value {
    return this.n === 0 ? null : this.n === 1 ? 0 : Math.sqrt(this.m2 / (this.n - 1));
  }
}

// Exact nearest-rank percentile: keeps the group's values (AWS approximates at scale).
class Pct implements Accumulator {
  private readonly values: number[] = [];
  constructor(
    private readonly value: Getter,
    private readonly percentile: number,
  ) {}
  add(r: Row): void {
    const x = toNumber(this.value(r));
    if (x !== null) this.values.push(x);
  }
  result(): Value {
    const values = this.values;
    if (values.length === 0) return null;
    values.sort((a, b) => a - b);
    const rank = Math.ceil((this.percentile / 100) * values.length);
    return values[Math.min(values.length - 1, Math.max(0, rank - 1))] ?? null;
  }
}

/** earliest/latest of any field: the value at the extreme time (the last one seen wins a tie for latest). */
class Extreme implements Accumulator {
  private bestTime = Number.NaN;
  private best: Value = null;
  constructor(
    private readonly value: Getter,
    private readonly timestamp: Getter,
    private readonly latest: boolean,
  ) {}
  add(r: Row): void {
    const v = this.value(r);
    const t = toNumber(this.timestamp(r));
    if (v === null || t === null) return;
    const b = this.bestTime;
    if (Number.isNaN(b) || (this.latest ? t >= b : t < b)) {
      this.bestTime = t;
      this.best = v;
    }
  }
  result(): Value {
    return this.best;
  }
}

/** earliest(@timestamp) / latest(@timestamp): the value is the time, so one number is the whole state. */
class TimeExtreme implements Accumulator {
  private best = Number.NaN;
  constructor(
    private readonly timestamp: Getter,
    private readonly latest: boolean,
  ) {}
  add(r: Row): void {
    const t = toNumber(this.timestamp(r));
    if (t === null) return;
    const b = this.best;
    if (Number.isNaN(b) || (this.latest ? t > b : t < b)) this.best = t;
  }
  result(): Value {
    return Number.isNaN(this.best) ? null : this.best;
  }
}
