import type { StoredLogEvent } from '../logs/log-event';
import type { InsightsResult, InsightsResultField, InsightsRunOptions, InsightsStatistics } from './api';
import { makeAggregator } from './group-aggregator';
import { allOf, byteTest, type Prefilter, stringTest } from './prefilter';
import { type Column, keyPart, type Order, type RowOp, type Stage } from './query-stages';
import { Row } from './row';
import { TopK } from './top-k';
import { formatValue, sortCompare, type Value } from './values';

/** GetQueryResults returns at most 10,000 rows; StartQuery's `limit` defaults to it. */
export const MAX_RESULT_ROWS = 10_000;

/**
 * Events laid out in one buffer, for a source that reads raw lines (a file, a store's NDJSON):
 * the engine tests each line's bytes against the query's prefilter and asks for the event object
 * only for lines that pass, so most lines never become strings or objects.
 */
export interface RawEventBatch {
  readonly count: number;
  /** Each event's timestamp (epoch ms). */
  readonly timestamps: ArrayLike<number>;
  /** Each message's UTF-8 size, for `bytesScanned`. */
  readonly messageBytes: ArrayLike<number>;
  /** Holds each message, as UTF-8 text or as its JSON string encoding, at `[starts[i], ends[i])`. */
  readonly buffer: Buffer;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
  /**
   * The whole event at index i; called at most once per event, only for events the prefilter passes,
   * and not at all when the query reads only their time and top-level fields of a flat JSON line.
   */
  event(index: number): StoredLogEvent;
}

interface Plan {
  /** Whether streamed rows are only read as they pass (a stats sink): they may then read their batch in place. */
  readonly transient: boolean;
  /** The op stages before the first sort/limit/dedup/stats, run on each event's row as it streams. */
  readonly streaming: readonly RowOp[];
  /** The prefilters of the streaming filters together: a row failing it would be dropped anyway. */
  readonly pre: Prefilter | null;
  readonly sink: (row: Row) => void;
  readonly finish: () => Row[];
  /** For stats: hands out the finished rows one at a time instead of as one array. */
  readonly each?: (sink: (row: Row) => void) => void;
  readonly rest: readonly Stage[];
  readonly apiLimit: number;
}

function plan(stages: readonly Stage[], options: InsightsRunOptions): Plan {
  const apiLimit = Math.min(MAX_RESULT_ROWS, Math.max(1, options.limit ?? MAX_RESULT_ROWS));
  let firstBlocking = stages.findIndex((s) => s.k !== 'op');
  if (firstBlocking < 0) firstBlocking = stages.length;
  const ops = stages.slice(0, firstBlocking) as Extract<Stage, { k: 'op' }>[];
  let pre: Prefilter | null = null;
  for (const op of ops) pre = allOf(pre, op.pre ?? null);
  const blocking = stages[firstBlocking];
  let rest = stages.slice(firstBlocking);

  // Where streamed rows go: per-group accumulators for stats, else a bounded top-k in result order.
  let sink: (row: Row) => void;
  let finish: () => Row[];
  let each: Plan['each'];
  if (blocking?.k === 'stats') {
    const aggregator = makeAggregator(blocking.stats);
    sink = aggregator.add;
    finish = aggregator.finish;
    each = aggregator.each;
    rest = rest.slice(1);
  } else {
    // Non-stats results come newest first unless the query sorts them.
    let order: { keys: Order; descending: readonly boolean[] } = {
      keys: (row) => [row.time],
      descending: [true],
    };
    if (blocking?.k === 'sort') {
      order = blocking;
      rest = rest.slice(1);
    }
    // Only a limit bounds what must be kept, and only if nothing after it drops or reorders rows.
    let bound = apiLimit;
    for (const stage of rest) {
      if (stage.k === 'limit') bound = Math.min(bound, stage.n);
      else if (stage.k !== 'op' || stage.dropsRows) {
        bound = Number.POSITIVE_INFINITY;
        break;
      }
    }
    const top = new TopK<Row>(bound, compareBy(order.descending), order.keys);
    sink = (row) => top.add(row);
    finish = () => top.sorted();
  }
  return {
    transient: blocking?.k === 'stats',
    streaming: ops.map((op) => op.apply),
    pre,
    sink,
    finish,
    ...(each ? { each } : {}),
    rest,
    apiLimit,
  };
}

/** Runs the streaming stages on one row and hands it on; false if a filter dropped it. */
function stream(p: Plan, row: Row): boolean {
  const ops = p.streaming;
  for (let i = 0; i < ops.length; i++) if (!(ops[i] as RowOp)(row)) return false;
  p.sink(row);
  return true;
}

export function run(
  stages: readonly Stage[],
  columns: readonly Column[],
  events: Iterable<StoredLogEvent>,
  options: InsightsRunOptions,
): InsightsResult {
  const p = plan(stages, options);
  const { startTimeMs, endTimeMs } = options;
  const pre = p.pre ? stringTest(p.pre) : null;
  let recordsScanned = 0;
  let recordsMatched = 0;
  let bytesScanned = 0;
  let seq = 0;
  for (const event of events) {
    const t = event.timestamp;
    if (t < startTimeMs || t > endTimeMs) continue;
    recordsScanned++;
    const message = event.message;
    bytesScanned += Buffer.byteLength(message, 'utf8');
    if (pre !== null && !pre(message)) continue;
    if (stream(p, new Row(event, seq++))) recordsMatched++;
  }
  return finishRun(p, columns, { recordsMatched, recordsScanned, bytesScanned });
}

export function runBatches(
  stages: readonly Stage[],
  columns: readonly Column[],
  batches: Iterable<RawEventBatch>,
  options: InsightsRunOptions,
): InsightsResult {
  const p = plan(stages, options);
  const { startTimeMs, endTimeMs } = options;
  const pre = p.pre ? byteTest(p.pre) : null;
  // A stats run moves one row from line to line: nothing keeps a row past its line.
  const shared = p.transient ? new Row(undefined, 0) : null;
  let recordsScanned = 0;
  let recordsMatched = 0;
  let bytesScanned = 0;
  let seq = 0;
  for (const batch of batches) {
    const { count, timestamps, messageBytes, buffer, starts, ends } = batch;
    pre?.reset();
    for (let i = 0; i < count; i++) {
      const t = timestamps[i] as number;
      if (t < startTimeMs || t > endTimeMs) continue;
      recordsScanned++;
      bytesScanned += messageBytes[i] as number;
      // The byte test before any string or object exists: most lines stop here.
      if (pre !== null && !pre.test(buffer, starts[i] as number, ends[i] as number)) continue;
      // A row kept past this batch (sorted, limited) needs its event now; a stats row reads in place.
      let row: Row;
      if (shared === null) row = new Row(batch.event(i), seq++);
      else {
        shared.moveTo(batch, i, t, seq++);
        row = shared;
      }
      if (stream(p, row)) recordsMatched++;
    }
  }
  return finishRun(p, columns, { recordsMatched, recordsScanned, bytesScanned });
}

function finishRun(p: Plan, columns: readonly Column[], statistics: InsightsStatistics): InsightsResult {
  const rest = p.rest;
  let first = 0;
  while (rest[first]?.k === 'op') first++;
  const sort = rest[first];
  const limit = rest[first + 1];
  let rows: Row[];
  if (p.each && sort?.k === 'sort' && limit?.k === 'limit') {
    // stats | filter … | sort | limit n: each group row goes through the filters into a heap of n,
    // so only n rows are ever kept (the same rows, in the same order, as sorting them all).
    const ops = rest.slice(0, first) as Extract<Stage, { k: 'op' }>[];
    const top = new TopK<Row>(limit.n, compareBy(sort.descending), sort.keys);
    p.each((row) => {
      for (let i = 0; i < ops.length; i++) if (!(ops[i] as Extract<Stage, { k: 'op' }>).apply(row)) return;
      top.add(row);
    });
    rows = top.sorted();
    first += 2;
  } else {
    rows = p.finish();
    first = 0;
  }
  for (let i = first; i < rest.length; i++) {
    const stage = rest[i] as Stage;
    const next = rest[i + 1];
    if (stage.k === 'sort' && next?.k === 'limit') {
      // sort then limit (the usual end of a stats query): keep only the first n, not a full sort.
      const top = new TopK<Row>(next.n, compareBy(stage.descending), stage.keys);
      for (const row of rows) top.add(row);
      rows = top.sorted();
      i++;
      continue;
    }
    rows = applyStage(stage, rows);
  }
  if (rows.length > p.apiLimit) rows = rows.slice(0, p.apiLimit);

  const results: InsightsResultField[][] = rows.map((row) => {
    const out: InsightsResultField[] = [];
    for (const column of columns) {
      const value = formatValue(column.get(row), column.isTime);
      // GetQueryResults leaves out the fields a row does not have.
      if (value !== null) out.push({ field: column.name, value });
    }
    return out;
  });
  return { results, statistics };
}

function compareBy(descending: readonly boolean[]) {
  return (a: Value[], b: Value[]): number => {
    for (let i = 0; i < descending.length; i++) {
      const c = sortCompare(a[i] ?? null, b[i] ?? null);
      if (c !== 0) {
        // Missing values stay last in both directions.
        if (a[i] === null || b[i] === null) return c;
        return descending[i] ? -c : c;
      }
    }
    return 0;
  };
}

function applyStage(stage: Stage, rows: Row[]): Row[] {
  switch (stage.k) {
    case 'op':
      return rows.filter((row) => stage.apply(row));
    case 'limit':
      return rows.slice(0, stage.n);
    case 'sort': {
      const compare = compareBy(stage.descending);
      const keyed = rows.map((row) => ({ row, keys: stage.keys(row) }));
      keyed.sort((a, b) => compare(a.keys, b.keys) || a.row.seq - b.row.seq);
      return keyed.map((k) => k.row);
    }
    case 'dedup': {
      // Keeps the first row per key in the current order; rows with a missing key are all kept.
      const seen = new Set<string>();
      return rows.filter((row) => {
        const key = stage.key(row);
        if (key.some((v) => v === null)) return true;
        const k = key.map(keyPart).join('\u0001');
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    case 'stats': {
      // A stats after sort/limit/dedup aggregates the rows those kept.
      const aggregator = makeAggregator(stage.stats);
      for (const row of rows) aggregator.add(row);
      return aggregator.finish();
    }
  }
}
