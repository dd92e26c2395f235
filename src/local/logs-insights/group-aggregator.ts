import type { AggregateColumn } from './aggregates';
import { aggregateSlot, type Stats } from './query-stages';
import { Row } from './row';
import type { Value } from './values';

/** Per-group aggregate state: memory grows with the number of groups, not of events. */
export function makeAggregator(stats: Stats): {
  add: (row: Row) => void;
  each: (sink: (row: Row) => void) => void;
  finish: () => Row[];
} {
  // A group is a number: its slot in every aggregate column. The map from key to number is the
  // only per-group entry besides the key; the by values are kept apart only for several keys.
  const groups = new Map<unknown, number>();
  const multiKeys: Value[][] = [];
  const { groupKey, byGetters, byNames, factories, items } = stats;
  const columns: AggregateColumn[] = factories.map((f) => f());
  const open = (key: unknown): number => {
    const g = groups.size;
    groups.set(key, g);
    for (let i = 0; i < columns.length; i++) (columns[i] as AggregateColumn).open(g);
    return g;
  };
  if (byGetters.length === 0) open('');
  const add = (row: Row) => {
    const key = groupKey(row);
    let g = groups.get(key);
    if (g === undefined) {
      g = open(key);
      if (byGetters.length > 1) multiKeys.push(byGetters.map((b) => b.fn(row)));
    }
    for (let i = 0; i < columns.length; i++) (columns[i] as AggregateColumn).add(g, row);
  };
  // One group's row at a time, so a caller that keeps few of them never holds them all.
  const each = (sink: (row: Row) => void) => {
    for (const [key, g] of groups) {
      const row = new Row(undefined, g);
      const keys = byGetters.length > 1 ? (multiKeys[g] as Value[]) : [key as Value];
      for (let i = 0; i < byNames.length; i++) row.setVar(byNames[i] as string, keys[i] ?? null);
      for (let i = 0; i < columns.length; i++)
        row.setVar(aggregateSlot(i), (columns[i] as AggregateColumn).result(g));
      for (const item of items) row.setVar(item.name, item.compiled.fn(row));
      sink(row);
    }
  };
  const finish = () => {
    const rows: Row[] = [];
    each((row) => rows.push(row));
    return rows;
  };
  return { add, each, finish };
}
