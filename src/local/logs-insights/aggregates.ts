import type { Row } from './row';
import { sortCompare, toNumber, type Value } from './values';

/**
 * One aggregate's running state for every group of a run, column-wise: groups are numbered
 * 0, 1, 2 … in the order they are first seen, and numeric state lives in typed arrays, so a group
 * costs a few array slots instead of an object (fewer objects for the GC to trace and promote).
 */
export interface AggregateColumn {
  /** Makes room for the next group, numbered `group` (always the number of groups so far). */
  open(group: number): void;
  add(group: number, row: Row): void;
  result(group: number): Value;
}

/** Builds a fresh column for one run of a query. */
export type AggregateColumnFactory = () => AggregateColumn;

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
  // The value that sorts first / last in Logs Insights' sort order (CWL_QuerySyntax-Stats, "Functions to use with stats").
  ['sortsfirst', { min: 1, max: 1, keepsTime: true }],
  ['sortslast', { min: 1, max: 1, keepsTime: true }],
]);

/**
 * Makes the column factory for one aggregate call (`arg` is undefined for count() and count(*)).
 * `argIsTimestamp` says the argument is `@timestamp` itself, so earliest/latest need keep only the time.
 */
export function aggregateColumnFactory(
  name: string,
  arg: Getter | undefined,
  timestamp: Getter,
  percentile: number,
  argIsTimestamp = false,
): AggregateColumnFactory {
  const value = arg ?? ONE;
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
    case 'sortsfirst':
      return () => new SortExtreme(value, false);
    case 'sortslast':
      return () => new SortExtreme(value, true);
    default:
      throw new Error(`No aggregate column for ${name}`);
  }
}

const ONE: Getter = () => 1;

/** A growable Float64Array; new slots start at `initial` (NaN stands for "no value yet"). */
class Numbers {
  a = new Float64Array(64);
  constructor(private readonly initial: number) {
    if (initial !== 0) this.a.fill(initial);
  }
  open(group: number): void {
    if (group < this.a.length) return;
    const bigger = new Float64Array(this.a.length * 2);
    if (this.initial !== 0) bigger.fill(this.initial, this.a.length);
    bigger.set(this.a);
    this.a = bigger;
  }
}

class Count implements AggregateColumn {
  private readonly n = new Numbers(0);
  constructor(private readonly value: Getter) {}
  open(g: number): void {
    this.n.open(g);
  }
  add(g: number, r: Row): void {
    if (this.value(r) === null) return;
    const n = this.n.a;
    n[g] = (n[g] as number) + 1;
  }
  result(g: number): Value {
    return this.n.a[g] as number;
  }
}

class CountDistinct implements AggregateColumn {
  private readonly seen: Set<Value>[] = [];
  constructor(private readonly value: Getter) {}
  open(): void {
    this.seen.push(new Set());
  }
  add(g: number, r: Row): void {
    const v = this.value(r);
    if (v !== null) this.seen[g]?.add(typeof v === 'number' ? v : String(v));
  }
  result(g: number): Value {
    return this.seen[g]?.size ?? 0;
  }
}

class Sum implements AggregateColumn {
  private readonly sum = new Numbers(0);
  private readonly n = new Numbers(0);
  constructor(
    private readonly value: Getter,
    private readonly average: boolean,
  ) {}
  open(g: number): void {
    this.sum.open(g);
    this.n.open(g);
  }
  add(g: number, r: Row): void {
    const x = toNumber(this.value(r));
    if (x !== null) {
      const sum = this.sum.a;
      const n = this.n.a;
      sum[g] = (sum[g] as number) + x;
      n[g] = (n[g] as number) + 1;
    }
  }
  result(g: number): Value {
    const n = this.n.a[g] as number;
    const sum = this.sum.a[g] as number;
    return n === 0 ? null : this.average ? sum / n : sum;
  }
}

// toNumber never gives NaN, so NaN can mark a group without a value.
class MinMax implements AggregateColumn {
  private readonly best = new Numbers(Number.NaN);
  constructor(
    private readonly value: Getter,
    private readonly max: boolean,
  ) {}
  open(g: number): void {
    this.best.open(g);
  }
  add(g: number, r: Row): void {
    const x = toNumber(this.value(r));
    if (x === null) return;
    const a = this.best.a;
    const b = a[g] as number;
    if (Number.isNaN(b) || (this.max ? x > b : x < b)) a[g] = x;
  }
  result(g: number): Value {
    const b = this.best.a[g] as number;
    return Number.isNaN(b) ? null : b;
  }
}

// Welford's running variance; sample standard deviation (n - 1), as most SQL engines report.
class StdDev implements AggregateColumn {
  private readonly n = new Numbers(0);
  private readonly mean = new Numbers(0);
  private readonly m2 = new Numbers(0);
  constructor(private readonly value: Getter) {}
  open(g: number): void {
    this.n.open(g);
    this.mean.open(g);
    this.m2.open(g);
  }
  add(g: number, r: Row): void {
    const x = toNumber(this.value(r));
    if (x === null) return;
    const counts = this.n.a;
    const mean = this.mean.a;
    const m2 = this.m2.a;
    const n = (counts[g] as number) + 1;
    counts[g] = n;
    const delta = x - (mean[g] as number);
    const nextMean = (mean[g] as number) + delta / n;
    mean[g] = nextMean;
    m2[g] = (m2[g] as number) + delta * (x - nextMean);
  }
  result(g: number): Value {
    const n = this.n.a[g] as number;
    return n === 0 ? null : n === 1 ? 0 : Math.sqrt((this.m2.a[g] as number) / (n - 1));
  }
}

// Exact nearest-rank percentile: keeps the group's values (AWS approximates at scale).
class Pct implements AggregateColumn {
  private readonly values: number[][] = [];
  constructor(
    private readonly value: Getter,
    private readonly percentile: number,
  ) {}
  open(): void {
    this.values.push([]);
  }
  add(g: number, r: Row): void {
    const x = toNumber(this.value(r));
    if (x !== null) this.values[g]?.push(x);
  }
  result(g: number): Value {
    const values = this.values[g] ?? [];
    if (values.length === 0) return null;
    values.sort((a, b) => a - b);
    const rank = Math.ceil((this.percentile / 100) * values.length);
    return values[Math.min(values.length - 1, Math.max(0, rank - 1))] ?? null;
  }
}

/** earliest/latest of any field: the value at the extreme time (the last one seen wins a tie for latest). */
class Extreme implements AggregateColumn {
  private readonly bestTime = new Numbers(Number.NaN);
  private readonly best: Value[] = [];
  constructor(
    private readonly value: Getter,
    private readonly timestamp: Getter,
    private readonly latest: boolean,
  ) {}
  open(g: number): void {
    this.bestTime.open(g);
    this.best.push(null);
  }
  add(g: number, r: Row): void {
    const v = this.value(r);
    const t = toNumber(this.timestamp(r));
    if (v === null || t === null) return;
    const times = this.bestTime.a;
    const b = times[g] as number;
    if (Number.isNaN(b) || (this.latest ? t >= b : t < b)) {
      times[g] = t;
      this.best[g] = v;
    }
  }
  result(g: number): Value {
    return this.best[g] ?? null;
  }
}

/** earliest(@timestamp) / latest(@timestamp): the value is the time, so one number is the whole state. */
class TimeExtreme implements AggregateColumn {
  private readonly best = new Numbers(Number.NaN);
  constructor(
    private readonly timestamp: Getter,
    private readonly latest: boolean,
  ) {}
  open(g: number): void {
    this.best.open(g);
  }
  add(g: number, r: Row): void {
    const t = toNumber(this.timestamp(r));
    if (t === null) return;
    const a = this.best.a;
    const b = a[g] as number;
    if (Number.isNaN(b) || (this.latest ? t > b : t < b)) a[g] = t;
  }
  result(g: number): Value {
    const b = this.best.a[g] as number;
    return Number.isNaN(b) ? null : b;
  }
}

/** sortsFirst/sortsLast: the value that comes first or last in `sort … asc` order; missing values never win. */
class SortExtreme implements AggregateColumn {
  private readonly best: Value[] = [];
  constructor(
    private readonly value: Getter,
    private readonly last: boolean,
  ) {}
  open(): void {
    this.best.push(null);
  }
  add(g: number, r: Row): void {
    const v = this.value(r);
    if (v === null) return;
    const b = this.best[g] ?? null;
    if (b === null) {
      this.best[g] = v;
      return;
    }
    const c = sortCompare(v, b);
    if (this.last ? c > 0 : c < 0) this.best[g] = v;
  }
  result(g: number): Value {
    return this.best[g] ?? null;
  }
}
