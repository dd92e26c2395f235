import type { AggregateColumnFactory } from './aggregates';
import type { Compiled } from './compile-expression';
import type { Prefilter } from './prefilter';
import type { Row } from './row';
import type { Value } from './values';

// What a compiled query is made of: compile-query.ts builds the stages, run-stages.ts runs them.

export type RowOp = (row: Row) => boolean;
export type Order = (row: Row) => Value[];

export interface Stats {
  readonly groupKey: (row: Row) => unknown;
  readonly byGetters: readonly Compiled[];
  readonly byNames: readonly string[];
  readonly factories: readonly AggregateColumnFactory[];
  readonly items: readonly { readonly name: string; readonly compiled: Compiled }[];
}

export type Stage =
  | {
      readonly k: 'op';
      readonly apply: RowOp;
      readonly dropsRows: boolean;
      /** A filter's necessary condition on the raw message, if it has a cheap one. */
      readonly pre?: Prefilter | null;
    }
  | { readonly k: 'sort'; readonly keys: Order; readonly descending: readonly boolean[] }
  | { readonly k: 'limit'; readonly n: number }
  | { readonly k: 'dedup'; readonly key: (row: Row) => Value[] }
  | { readonly k: 'stats'; readonly stats: Stats };

export interface Column {
  readonly name: string;
  readonly get: (row: Row) => Value;
  readonly isTime: boolean;
}

/** The row variable holding the i-th aggregate's result (a name no query can write). */
export function aggregateSlot(i: number): string {
  return `\u0000agg${i}`;
}

/** A value as part of a group or dedup key: numbers and strings never collide, missing is its own. */
export function keyPart(v: Value): string {
  return v === null ? '\u0002' : typeof v === 'number' ? `n${v}` : `s${String(v)}`;
}
