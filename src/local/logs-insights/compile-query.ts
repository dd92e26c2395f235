import { AGGREGATES, type AggregateColumnFactory, aggregateColumnFactory } from './aggregates';
import type { CompiledInsightsQuery, InsightsResult, InsightsRunOptions, MalformedQueryError } from './api';
import type { Command, Expr, NamedExpr } from './ast';
import { type Compiled, compileExpr, compileRegex, pointerOf, type Scope } from './compile-expression';
import { parseQuery } from './parser';
import { prefilterOf } from './prefilter';
import { aggregateSlot, type Column, keyPart, type RowOp, type Stage, type Stats } from './query-stages';
import type { Row } from './row';
import { type RawEventBatch, run, runBatches } from './run-stages';
import { truthy, type Value } from './values';

export { MAX_RESULT_ROWS, type RawEventBatch } from './run-stages';

/** The compiled query, plus a faster entry point for sources that hold raw lines. */
export interface LocalInsightsQuery extends CompiledInsightsQuery {
  /** Same results as `run` over the same events, in the same order. */
  runBatches(batches: Iterable<RawEventBatch>, options: InsightsRunOptions): InsightsResult;
}

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
      const slot = aggregateSlot(factories.length);
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

function noNestedAggregate(
  errorAt: (message: string, offset: number) => MalformedQueryError,
): Scope['aggregate'] {
  return (call) => {
    if (AGGREGATES.has(call.name.toLowerCase())) throw errorAt('Aggregates cannot be nested', call.offset);
    return undefined;
  };
}
