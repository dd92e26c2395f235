import type { MalformedQueryError } from './api';
import type { Expr } from './ast';
import { parsePeriod, roundToPeriod, SCALAR_FUNCTIONS, toMillis } from './functions';
import { compileLinearRegex, type LinearRegex } from './linear-regex';
import { isJsonField, plainLiteral } from './prefilter';
import { isPlatformField, LOCAL_ACCOUNT_ID, type Row } from './row';
import { compareValues, toNumber, truthy, type Value, valuesEqual } from './values';

/** An expression compiled to a closure, and whether its value is a timestamp (printed as a date). */
export interface Compiled {
  readonly fn: (row: Row) => Value;
  readonly isTime: boolean;
}

/** What the compiler knows at one point of the pipeline. */
export interface Scope {
  /** Names computed by earlier stages (`fields`, `parse`, `stats`), with whether each is a timestamp. */
  readonly vars: Map<string, { isTime: boolean }>;
  /** After `stats` every name is a computed column; no event fields remain. */
  readonly afterStats: boolean;
  /**
   * Between two stats commands and after them, only the first one's fields (and later aliases) exist:
   * AWS refuses any other reference (CWL_QuerySyntax-Stats, "Notes and limitations").
   */
  readonly definedOnly?: boolean;
  readonly errorAt: (message: string, offset: number) => MalformedQueryError;
  /** Inside `stats`: compiles an aggregate call, or returns undefined for a scalar function. */
  readonly aggregate?: (call: Extract<Expr, { k: 'call' }>) => Compiled | undefined;
}

/** Opaque `@ptr`: the group and event id, so a pointer is unique across groups. */
export function pointerOf(row: Row): Value {
  const e = row.event;
  return e ? Buffer.from(`${e.logGroupName}\u0000${e.eventId}`).toString('base64url') : null;
}

function fieldGetter(name: string, scope: Scope, offset = 0): Compiled {
  if (scope.definedOnly && !scope.vars.has(name)) {
    throw scope.errorAt(
      `'${name}' is not defined by the first stats command; after it a query can refer only to the fields that stats defines`,
      offset,
    );
  }
  if (scope.afterStats || scope.vars.has(name)) {
    return { fn: (r) => r.getVar(name), isTime: scope.vars.get(name)?.isTime ?? false };
  }
  switch (name) {
    case '@timestamp':
      return { fn: (r) => r.time, isTime: true };
    case '@ingestionTime':
      return { fn: (r) => r.event?.ingestionTime ?? null, isTime: true };
    case '@message':
      return { fn: (r) => r.event?.message ?? null, isTime: false };
    case '@logStream':
      return { fn: (r) => r.event?.logStreamName ?? null, isTime: false };
    case '@log':
      return { fn: (r) => (r.event ? `${LOCAL_ACCOUNT_ID}:${r.event.logGroupName}` : null), isTime: false };
    case '@ptr':
      return { fn: pointerOf, isTime: false };
  }
  if (isPlatformField(name)) return { fn: (r) => r.platformField(name), isTime: false };
  // AWS shows a JSON key that itself starts with `@` as `@@key`.
  const jsonName = name.startsWith('@@') ? name.slice(1) : name;
  return { fn: (r) => r.jsonField(jsonName), isTime: false };
}

/** Compiles a Logs Insights regex into a linear-time matcher; bad syntax is a MalformedQueryException. */
export function compileRegex(source: string, offset: number, scope: Pick<Scope, 'errorAt'>): LinearRegex {
  try {
    return compileLinearRegex(source);
  } catch (cause) {
    const error = scope.errorAt(`Invalid regular expression /${source}/`, offset);
    error.cause = cause;
    throw error;
  }
}

function periodArg(expr: Expr | undefined, scope: Scope, offset: number) {
  if (expr?.k !== 'period')
    throw scope.errorAt('Expected a time period such as 5m or 1h', expr?.offset ?? offset);
  const period = parsePeriod(expr.text);
  if (!period) throw scope.errorAt(`Unknown time period '${expr.text}'`, expr.offset);
  return period;
}

/** Compiles an expression once into a closure evaluated per row. */
export function compileExpr(expr: Expr, scope: Scope): Compiled {
  switch (expr.k) {
    case 'number': {
      const v = expr.value;
      return { fn: () => v, isTime: false };
    }
    case 'string': {
      const v = expr.value;
      return { fn: () => v, isTime: false };
    }
    case 'field':
      return fieldGetter(expr.name, scope, expr.offset);
    case 'period':
      throw scope.errorAt(
        `A time period '${expr.text}' is only allowed in bin(), datefloor(), dateceil()`,
        expr.offset,
      );
    case 'regex':
      throw scope.errorAt('A regular expression is only allowed after like, =~ or in parse', expr.offset);
    case 'star':
      throw scope.errorAt("'*' is only allowed in count(*)", expr.offset);
    case 'neg': {
      const operand = compileExpr(expr.operand, scope).fn;
      return {
        fn: (r) => {
          const x = toNumber(operand(r));
          return x === null ? null : -x;
        },
        isTime: false,
      };
    }
    case 'not': {
      const operand = compileExpr(expr.operand, scope).fn;
      return { fn: (r) => !truthy(operand(r)), isTime: false };
    }
    case 'in': {
      const operand = compileExpr(expr.operand, scope).fn;
      const items = expr.list.map((e) => compileExpr(e, scope).fn);
      const negated = expr.negated;
      return {
        fn: (r) => {
          const v = operand(r);
          if (v === null) return false;
          const found = items.some((item) => valuesEqual(v, item(r)));
          return negated ? !found : found;
        },
        isTime: false,
      };
    }
    case 'like':
      return compileLike(expr, scope);
    case 'binary':
      return compileBinary(expr, scope);
    case 'call':
      return compileCall(expr, scope);
  }
}

function compileLike(expr: Extract<Expr, { k: 'like' }>, scope: Scope): Compiled {
  const operand = compileExpr(expr.operand, scope).fn;
  const negated = expr.negated;
  const test = (matched: boolean) => (negated ? !matched : matched);
  if (expr.pattern.k === 'regex') {
    const re = compileRegex(expr.pattern.source, expr.pattern.offset, scope);
    return {
      fn: (r) => {
        const v = operand(r);
        return v === null ? false : test(re.test(String(v)));
      },
      isTime: false,
    };
  }
  // `like "text"` is a substring match.
  const pattern = compileExpr(expr.pattern, scope).fn;
  return {
    fn: (r) => {
      const v = operand(r);
      const p = pattern(r);
      return v === null || p === null ? false : test(String(v).includes(String(p)));
    },
    isTime: false,
  };
}

function compileBinary(expr: Extract<Expr, { k: 'binary' }>, scope: Scope): Compiled {
  // After stats there are no event fields to compare in place: every name is a computed column.
  if (expr.op === '=' && !scope.afterStats) {
    // A JSON field against plain text (the usual filter): the row may compare its bytes in place.
    const field = isJsonField(expr.left, scope)
      ? expr.left
      : isJsonField(expr.right, scope)
        ? expr.right
        : null;
    const text = field === expr.left ? plainLiteral(expr.right) : field ? plainLiteral(expr.left) : null;
    if (field && text !== null) {
      const name = field.name;
      return { fn: (row) => row.jsonFieldEquals(name, text), isTime: false };
    }
  }
  const l = compileExpr(expr.left, scope).fn;
  const r = compileExpr(expr.right, scope).fn;
  const bool = (fn: (row: Row) => boolean): Compiled => ({ fn, isTime: false });
  const arith = (op: (a: number, b: number) => number): Compiled => ({
    fn: (row) => {
      const a = toNumber(l(row));
      if (a === null) return null;
      const b = toNumber(r(row));
      if (b === null) return null;
      const v = op(a, b);
      return Number.isFinite(v) ? v : null;
    },
    isTime: false,
  });
  const cmp = (ok: (c: number) => boolean) =>
    bool((row) => {
      const c = compareValues(l(row), r(row));
      return c !== null && ok(c);
    });
  switch (expr.op) {
    case 'and':
      return bool((row) => truthy(l(row)) && truthy(r(row)));
    case 'or':
      return bool((row) => truthy(l(row)) || truthy(r(row)));
    case '=':
      return bool((row) => valuesEqual(l(row), r(row)));
    case '!=':
      return bool((row) => {
        const a = l(row);
        const b = r(row);
        // A comparison with a missing field is false, whichever the operator.
        return a !== null && b !== null && !valuesEqual(a, b);
      });
    case '<':
      return cmp((c) => c < 0);
    case '<=':
      return cmp((c) => c <= 0);
    case '>':
      return cmp((c) => c > 0);
    case '>=':
      return cmp((c) => c >= 0);
    case '+':
      return arith((a, b) => a + b);
    case '-':
      return arith((a, b) => a - b);
    case '*':
      return arith((a, b) => a * b);
    case '/':
      return arith((a, b) => a / b);
    case '%':
      return arith((a, b) => a % b);
    case '^':
      return arith((a, b) => a ** b);
    default:
      throw scope.errorAt(`Unknown operator '${expr.op}'`, expr.offset);
  }
}

function compileCall(expr: Extract<Expr, { k: 'call' }>, scope: Scope): Compiled {
  const aggregate = scope.aggregate?.(expr);
  if (aggregate) return aggregate;
  const name = expr.name.toLowerCase();
  if (name === 'bin') {
    if (expr.args.length !== 1) throw scope.errorAt('bin() takes one time period', expr.offset);
    const period = periodArg(expr.args[0], scope, expr.offset);
    if (scope.definedOnly && !scope.vars.has('@timestamp'))
      throw scope.errorAt(
        'bin() reads @timestamp, which the first stats command does not pass on: define a time there (max(@timestamp) as t) and use dateceil(t, period)',
        expr.offset,
      );
    const ts = fieldGetter('@timestamp', scope, expr.offset).fn;
    return {
      fn: (r) => {
        const t = toNumber(ts(r));
        return t === null ? null : roundToPeriod(t, period, false);
      },
      isTime: true,
    };
  }
  if (name === 'datefloor' || name === 'dateceil') {
    if (expr.args.length !== 2)
      throw scope.errorAt(`${expr.name}() takes a timestamp and a period`, expr.offset);
    const ts = compileExpr(expr.args[0] as Expr, scope).fn;
    const period = periodArg(expr.args[1], scope, expr.offset);
    const up = name === 'dateceil';
    return {
      fn: (r) => {
        const t = toMillis(ts(r));
        return t === null ? null : roundToPeriod(t, period, up);
      },
      isTime: true,
    };
  }
  const fn = SCALAR_FUNCTIONS.get(name);
  if (!fn) throw scope.errorAt(`Unknown or unsupported function '${expr.name}'`, expr.offset);
  if (expr.args.length < fn.min || expr.args.length > fn.max) {
    throw scope.errorAt(
      `${expr.name}() takes ${fn.min}..${fn.max} arguments, got ${expr.args.length}`,
      expr.offset,
    );
  }
  const args = expr.args.map((a) => compileExpr(a, scope));
  const apply = fn.apply;
  const argFns = args.map((a) => a.fn);
  const isTime =
    fn.time === true || (['coalesce', 'greatest', 'least'].includes(name) && args[0]?.isTime === true);
  if (argFns.length === 1) {
    const a0 = argFns[0] as (row: Row) => Value;
    return { fn: (r) => apply([a0(r)]), isTime };
  }
  return { fn: (r) => apply(argFns.map((f) => f(r))), isTime };
}
