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

/** Makes the accumulator factory for one aggregate call (`arg` is undefined for count() and count(*)). */
export function accumulatorFactory(
  name: string,
  arg: Getter | undefined,
  timestamp: Getter,
  percentile: number,
): AccumulatorFactory {
  const value = arg ?? (() => 1);
  switch (name) {
    case 'count':
      return () => {
        let n = 0;
        return {
          add: (r) => {
            if (value(r) !== null) n++;
          },
          result: () => n,
        };
      };
    case 'count_distinct':
      return () => {
        const seen = new Set<Value>();
        return {
          add: (r) => {
            const v = value(r);
            if (v !== null) seen.add(typeof v === 'number' ? v : String(v));
          },
          result: () => seen.size,
        };
      };
    case 'sum':
    case 'avg':
      return () => {
        let sum = 0;
        let n = 0;
        return {
          add: (r) => {
            const x = toNumber(value(r));
            if (x !== null) {
              sum += x;
              n++;
            }
          },
          result: () => (n === 0 ? null : name === 'sum' ? sum : sum / n),
        };
      };
    case 'min':
    case 'max':
      return () => {
        let best: number | null = null;
        const better = name === 'min' ? (x: number, b: number) => x < b : (x: number, b: number) => x > b;
        return {
          add: (r) => {
            const x = toNumber(value(r));
            if (x !== null && (best === null || better(x, best))) best = x;
          },
          result: () => best,
        };
      };
    case 'stddev':
      // Welford's running variance; sample standard deviation (n - 1), as most SQL engines report.
      return () => {
        let n = 0;
        let mean = 0;
        let m2 = 0;
        return {
          add: (r) => {
            const x = toNumber(value(r));
            if (x === null) return;
            n++;
            const delta = x - mean;
            mean += delta / n;
            m2 += delta * (x - mean);
          },
          result: () => (n === 0 ? null : n === 1 ? 0 : Math.sqrt(m2 / (n - 1))),
        };
      };
    case 'pct':
      // Exact nearest-rank percentile: keeps the group's values (AWS approximates at scale).
      return () => {
        const values: number[] = [];
        return {
          add: (r) => {
            const x = toNumber(value(r));
            if (x !== null) values.push(x);
          },
          result: () => {
            if (values.length === 0) return null;
            values.sort((a, b) => a - b);
            const rank = Math.ceil((percentile / 100) * values.length);
            return values[Math.min(values.length - 1, Math.max(0, rank - 1))] ?? null;
          },
        };
      };
    case 'earliest':
    case 'latest':
      return () => {
        let bestTime: number | null = null;
        let best: Value = null;
        const latest = name === 'latest';
        return {
          add: (r) => {
            const v = value(r);
            const t = toNumber(timestamp(r));
            if (v === null || t === null) return;
            if (bestTime === null || (latest ? t >= bestTime : t < bestTime)) {
              bestTime = t;
              best = v;
            }
          },
          result: () => best,
        };
      };
    default:
      throw new Error(`No accumulator for ${name}`);
  }
}
