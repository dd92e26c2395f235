import type { StoredLogEvent } from '../logs/log-event';
import {
  AGGREGATES,
  type AggregateColumn,
  type AggregateColumnFactory,
  aggregateColumnFactory,
} from './aggregates';
import type {
  CompiledInsightsQuery,
  InsightsResult,
  InsightsResultField,
  InsightsRunOptions,
  InsightsStatistics,
  MalformedQueryError,
} from './api';
import type { Command, Expr, NamedExpr } from './ast';
import { type Compiled, compileExpr, compileRegex, pointerOf, type Scope } from './compile-expression';
import { parseQuery } from './parser';
import { allOf, byteTest, type Prefilter, prefilterOf, stringTest } from './prefilter';
import { Row } from './row';
import { TopK } from './top-k';
import { formatValue, sortCompare, truthy, type Value } from './values';

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

/** The compiled query, plus a faster entry point for sources that hold raw lines. */
export interface LocalInsightsQuery extends CompiledInsightsQuery {
  /** Same results as `run` over the same events, in the same order. */
  runBatches(batches: Iterable<RawEventBatch>, options: InsightsRunOptions): InsightsResult;
}

type RowOp = (row: Row) => boolean;
type Order = (row: Row) => Value[];

interface Stats {
  readonly groupKey: (row: Row) => unknown;
  readonly byGetters: readonly Compiled[];
  readonly byNames: readonly string[];
  readonly factories: readonly AggregateColumnFactory[];
  readonly items: readonly { readonly name: string; readonly compiled: Compiled }[];
}

type Stage =
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

interface Column {
  readonly name: string;
  readonly get: (row: Row) => Value;
  readonly isTime: boolean;
}

const SLOT = '\u0000agg';

/** Compiles a query string into a reusable, streaming query; throws MalformedQueryError. */
export function compileQuery(queryString: string): LocalInsightsQuery {
  const { commands, errorAt } = parseQuery(queryString);
  const scope: Scope = { vars: new Map(), afterStats: false, errorAt };
  const stages: Stage[] = [];
  const shown: string[] = [];
  let display: string[] | undefined;
  let hasStats = false;
  let statsCount = 0;
  let currentScope = scope;
  rejectSortOrLimitBeforeSecondStats(commands, errorAt);
  const twoStats = commands.filter((c) => c.k === 'stats').length === 2;

  const show = (name: string) => {
    if (!shown.includes(name)) shown.push(name);
  };

  for (const command of commands) {
    switch (command.k) {
      case 'fields': {
        const s = currentScope;
        const assigns: { name: string; fn: (r: Row) => Value }[] = [];
        // In order, so later expressions of one `fields` may use earlier aliases.
        for (const item of command.items) {
          const compiled = compileExpr(item.expr, s);
          show(item.name);
          // A bare field keeps reading the event; only expressions and aliases become computed columns.
          if (item.expr.k === 'field' && item.expr.name === item.name && !s.afterStats) continue;
          assigns.push({ name: item.name, fn: compiled.fn });
          s.vars.set(item.name, { isTime: compiled.isTime });
        }
        stages.push({
          k: 'op',
          dropsRows: false,
          apply: (row) => {
            for (const a of assigns) row.setVar(a.name, a.fn(row));
            return true;
          },
        });
        break;
      }
      case 'display': {
        // display picks the columns; an expression or alias there computes its column, as in `fields`.
        const s = currentScope;
        const assigns: { name: string; fn: (r: Row) => Value }[] = [];
        for (const item of command.items) {
          if (item.expr.k === 'field' && item.expr.name === item.name) continue;
          const compiled = compileExpr(item.expr, s);
          assigns.push({ name: item.name, fn: compiled.fn });
          s.vars.set(item.name, { isTime: compiled.isTime });
        }
        if (assigns.length > 0) {
          stages.push({
            k: 'op',
            dropsRows: false,
            apply: (row) => {
              for (const a of assigns) row.setVar(a.name, a.fn(row));
              return true;
            },
          });
        }
        display = command.items.map((item) => item.name);
        break;
      }
      case 'filter': {
        const predicate = compileExpr(command.expr, currentScope).fn;
        const pre = currentScope.afterStats ? null : prefilterOf(command.expr, currentScope);
        // The prefilter runs on the raw message before the row exists (see `plan`); here only the predicate.
        stages.push({ k: 'op', dropsRows: true, pre, apply: (row) => truthy(predicate(row)) });
        break;
      }
      case 'parse':
        stages.push({ k: 'op', dropsRows: false, apply: compileParse(command, currentScope) });
        for (const name of command.names) {
          currentScope.vars.set(name, { isTime: false });
          show(name);
        }
        break;
      case 'sort': {
        const s = currentScope;
        const getters = command.keys.map((key) => compileExpr(key.expr, s).fn);
        stages.push({
          k: 'sort',
          keys: (row) => getters.map((g) => g(row)),
          descending: command.keys.map((key) => key.descending),
        });
        break;
      }
      case 'limit':
        stages.push({ k: 'limit', n: command.count });
        break;
      case 'dedup': {
        const getters = command.keys.map((key) => compileExpr(key.expr, currentScope).fn);
        stages.push({ k: 'dedup', key: (row) => getters.map((g) => g(row)) });
        break;
      }
      case 'stats': {
        // "Use multiple stats commands in a single query" (CWL_QuerySyntax-Stats): the second one
        // aggregates the first one's rows; AWS takes two at most.
        if (statsCount === 2) throw errorAt('A query can have at most two stats commands', command.offset);
        statsCount += 1;
        hasStats = true;
        const { stats, after } = compileStats(command, currentScope, errorAt);
        stages.push({ k: 'stats', stats });
        currentScope = twoStats ? { ...after, definedOnly: true } : after;
        shown.length = 0;
        for (const name of [...stats.byNames, ...stats.items.map((i) => i.name)]) show(name);
        break;
      }
    }
  }

  const finalScope = currentScope;
  let names = display ?? shown;
  if (names.length === 0 && !hasStats) names = ['@timestamp', '@message'];
  const columns: Column[] = names.map((name) => {
    const c = compileExpr({ k: 'field', name, offset: 0 }, finalScope);
    return { name, get: c.fn, isTime: c.isTime };
  });
  if (!hasStats) columns.push({ name: '@ptr', get: pointerOf, isTime: false });

  return {
    run: (events, options) => run(stages, columns, events, options),
    runBatches: (batches, options) => runBatches(stages, columns, batches, options),
  };
}

function compileParse(command: Extract<Command, { k: 'parse' }>, scope: Scope): RowOp {
  const source = compileExpr(command.source, scope).fn;
  const regex = command.pattern.kind === 'regex';
  // Glob: `*` captures lazily, except a trailing `*`, which takes the rest of the line; compiled to
  // RE2 too, as a glob of many stars would backtrack polynomially in a JavaScript RegExp.
  const parts = command.pattern.text.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  const pattern = regex
    ? command.pattern.text
    : parts
        .map((p, i) => (i === 0 ? p : `${i === parts.length - 1 && p === '' ? '(.*)' : '(.*?)'}${p}`))
        .join('');
  const re = compileRegex(pattern, command.offset, scope);
  const names = command.names;
  return (row) => {
    const v = source(row);
    const text = v === null ? null : String(v);
    if (regex) {
      const groups = text === null ? null : re.groups(text);
      for (const name of names) row.setVar(name, groups?.[name] ?? null);
    } else {
      const captures = text === null ? null : re.captures(text);
      for (let i = 0; i < names.length; i++) row.setVar(names[i] as string, captures?.[i + 1] ?? null);
    }
    return true;
  };
}

/** "If you use a sort or limit command, it must appear after the second stats command" (CWL_QuerySyntax-Stats). */
function rejectSortOrLimitBeforeSecondStats(
  commands: readonly Command[],
  errorAt: (message: string, offset: number) => MalformedQueryError,
): void {
  const statsAt = commands.flatMap((c, i) => (c.k === 'stats' ? [i] : []));
  const second = statsAt[1];
  if (second === undefined) return;
  const early = commands.slice(0, second).find((c) => c.k === 'sort' || c.k === 'limit');
  if (early) throw errorAt(`A ${early.k} command must come after the second stats command`, early.offset);
}

function compileStats(
  command: Extract<Command, { k: 'stats' }>,
  scope: Scope,
  errorAt: (message: string, offset: number) => MalformedQueryError,
): { stats: Stats; after: Scope } {
  const factories: AggregateColumnFactory[] = [];
  // A second stats sees no @timestamp unless the first one defined it; earliest()/latest() then have no time.
  const timestamp =
    scope.definedOnly && !scope.vars.has('@timestamp')
      ? () => null
      : compileExpr({ k: 'field', name: '@timestamp', offset: 0 }, scope).fn;
  const after: Scope = {
    vars: new Map(),
    afterStats: true,
    errorAt,
    aggregate: (call) => {
      const spec = AGGREGATES.get(call.name.toLowerCase());
      if (!spec) return undefined;
      const name = call.name.toLowerCase();
      const args = call.args;
      if (args.length < spec.min || args.length > spec.max) {
        throw errorAt(`${call.name}() takes ${spec.min}..${spec.max} arguments`, call.offset);
      }
      let arg: Compiled | undefined;
      const first = args[0];
      if (first && first.k !== 'star')
        arg = compileExpr(first, { ...scope, aggregate: noNestedAggregate(errorAt) });
      if (first?.k === 'star' && name !== 'count')
        throw errorAt("'*' is only allowed in count(*)", first.offset);
      let percentile = 0;
      if (name === 'pct') {
        const p = args[1] as Expr;
        if (p.k !== 'number' || p.value < 0 || p.value > 100)
          throw errorAt('pct() needs a percentile 0..100', p.offset);
        percentile = p.value;
      }
      const slot = `${SLOT}${factories.length}`;
      const argIsTimestamp =
        first?.k === 'field' &&
        first.name === '@timestamp' &&
        !scope.afterStats &&
        !scope.vars.has('@timestamp');
      factories.push(aggregateColumnFactory(name, arg?.fn, timestamp, percentile, argIsTimestamp));
      return { fn: (r: Row) => r.getVar(slot), isTime: spec.keepsTime && (arg?.isTime ?? false) };
    },
  };

  const byGetters = command.by.map((b) => compileExpr(b.expr, scope));
  const byNames = command.by.map((b) => b.name);
  for (let i = 0; i < byNames.length; i++) {
    after.vars.set(byNames[i] as string, { isTime: byGetters[i]?.isTime ?? false });
  }
  const items = command.items.map((item: NamedExpr) => {
    const compiled = compileExpr(item.expr, after);
    after.vars.set(item.name, { isTime: compiled.isTime });
    return { name: item.name, compiled };
  });
  const keyFns = byGetters.map((g) => g.fn);
  const groupKey =
    keyFns.length === 0
      ? () => ''
      : keyFns.length === 1
        ? (keyFns[0] as (r: Row) => Value)
        : (row: Row) => keyFns.map((f) => keyPart(f(row))).join('\u0001');
  // Aggregates were allocated while compiling the items; the scope after stats has no aggregate hook.
  const { aggregate: _unused, ...plain } = after;
  return { stats: { groupKey, byGetters, byNames, factories, items }, after: plain };
}

function keyPart(v: Value): string {
  return v === null ? '\u0002' : typeof v === 'number' ? `n${v}` : `s${String(v)}`;
}

function noNestedAggregate(
  errorAt: (message: string, offset: number) => MalformedQueryError,
): Scope['aggregate'] {
  return (call) => {
    if (AGGREGATES.has(call.name.toLowerCase())) throw errorAt('Aggregates cannot be nested', call.offset);
    return undefined;
  };
}

/** Per-group aggregate state: memory grows with the number of groups, not of events. */
function makeAggregator(stats: Stats): {
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
        row.setVar(`${SLOT}${i}`, (columns[i] as AggregateColumn).result(g));
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

function run(
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

function runBatches(
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
