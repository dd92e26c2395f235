import type { Expr } from './ast';
import type { Scope } from './compile-expression';
import { toNumber } from './values';

/** A cheap test on the raw message that must hold for a filter to match, so JSON is parsed only when needed. */
export type Prefilter = (message: string) => boolean;

// Text that JSON writes verbatim (no escapes), so it appears as-is in the raw line.
const PLAIN = /^[ !#-[\]-~]+$/;

function isJsonField(e: Expr, scope: Scope): boolean {
  return e.k === 'field' && !e.name.startsWith('@') && !scope.vars.has(e.name);
}

function literal(e: Expr): string | null {
  if (e.k !== 'string' || !PLAIN.test(e.value)) return null;
  // "1.0" may equal a JSON 1: numbers in strings compare numerically, so no text test for them.
  return toNumber(e.value) === null ? e.value : null;
}

/**
 * Derives a necessary condition on the raw message from a filter: `field = "text"` (on a JSON field)
 * can only hold if the line contains "text". Returns null when nothing cheap is implied.
 */
export function prefilterOf(expr: Expr, scope: Scope): Prefilter | null {
  switch (expr.k) {
    case 'binary': {
      if (expr.op === '=') {
        const text = isJsonField(expr.left, scope)
          ? literal(expr.right)
          : isJsonField(expr.right, scope)
            ? literal(expr.left)
            : null;
        return text === null ? null : (m) => m.includes(text);
      }
      if (expr.op === 'and') {
        const l = prefilterOf(expr.left, scope);
        const r = prefilterOf(expr.right, scope);
        if (l && r) return (m) => l(m) && r(m);
        return l ?? r;
      }
      if (expr.op === 'or') {
        const l = prefilterOf(expr.left, scope);
        const r = prefilterOf(expr.right, scope);
        return l && r ? (m) => l(m) || r(m) : null;
      }
      return null;
    }
    case 'in': {
      if (expr.negated || !isJsonField(expr.operand, scope)) return null;
      const texts = expr.list.map(literal);
      if (texts.length === 0 || texts.some((t) => t === null)) return null;
      const all = texts as string[];
      return (m) => all.some((t) => m.includes(t));
    }
    default:
      return null;
  }
}
