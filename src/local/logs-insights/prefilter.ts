import type { Expr } from './ast';
import { toNumber } from './values';

/**
 * A necessary condition on the raw message, so JSON is parsed only when a filter can match:
 * `text` must occur (or the line must hold an escape), `and`/`or` combine. It holds on the message
 * and on its JSON string encoding alike, since every text it looks for is plain ASCII.
 */
export type Prefilter =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'and' | 'or'; readonly left: Prefilter; readonly right: Prefilter };

/** What these helpers need of the compiler's scope: the names earlier stages computed. */
interface Names {
  readonly vars: ReadonlyMap<string, unknown>;
}

// Text that JSON writes verbatim (no escapes), so it appears as-is in the raw line.
const PLAIN = /^[ !#-[\]-~]+$/;

/** Whether `e` reads a field of the message's JSON (not an `@` field, not a computed name). */
export function isJsonField(e: Expr, scope: Names): e is Extract<Expr, { k: 'field' }> {
  return e.k === 'field' && !e.name.startsWith('@') && !scope.vars.has(e.name);
}

/** The text of a string literal that JSON writes verbatim and that does not read as a number, else null. */
export function plainLiteral(e: Expr): string | null {
  if (e.k !== 'string' || !PLAIN.test(e.value)) return null;
  // "1.0" may equal a JSON 1: numbers in strings compare numerically, so no text test for them.
  return toNumber(e.value) === null ? e.value : null;
}

/**
 * Derives a necessary condition on the raw message from a filter: `field = "text"` (on a JSON field)
 * can only hold if the line contains "text". Returns null when nothing cheap is implied.
 */
export function prefilterOf(expr: Expr, scope: Names): Prefilter | null {
  switch (expr.k) {
    case 'binary': {
      if (expr.op === '=') {
        const text = isJsonField(expr.left, scope)
          ? plainLiteral(expr.right)
          : isJsonField(expr.right, scope)
            ? plainLiteral(expr.left)
            : null;
        return text === null ? null : { k: 'text', text };
      }
      if (expr.op === 'and') {
        const l = prefilterOf(expr.left, scope);
        const r = prefilterOf(expr.right, scope);
        if (l && r) return { k: 'and', left: l, right: r };
        return l ?? r;
      }
      if (expr.op === 'or') {
        const l = prefilterOf(expr.left, scope);
        const r = prefilterOf(expr.right, scope);
        return l && r ? { k: 'or', left: l, right: r } : null;
      }
      return null;
    }
    case 'in': {
      if (expr.negated || !isJsonField(expr.operand, scope)) return null;
      const texts = expr.list.map(plainLiteral);
      if (texts.length === 0 || texts.some((t) => t === null)) return null;
      return (texts as string[])
        .map((text): Prefilter => ({ k: 'text', text }))
        .reduce((left, right) => ({ k: 'or', left, right }));
    }
    default:
      return null;
  }
}

/** Both prefilters must hold (one per streaming `filter`); null stands for "no condition". */
export function allOf(a: Prefilter | null, b: Prefilter | null): Prefilter | null {
  return a && b ? { k: 'and', left: a, right: b } : (a ?? b);
}

/** The prefilter as a test on a message string. */
export function stringTest(p: Prefilter): (message: string) => boolean {
  switch (p.k) {
    case 'text': {
      const text = p.text;
      // As in byteTest: an escape in the line may encode the text.
      return (m) => m.includes(text) || m.includes('\\/') || m.includes('\\u');
    }
    case 'and': {
      const l = stringTest(p.left);
      const r = stringTest(p.right);
      return (m) => l(m) && r(m);
    }
    case 'or': {
      const l = stringTest(p.left);
      const r = stringTest(p.right);
      return (m) => l(m) || r(m);
    }
  }
}

/**
 * The prefilter as a test on a line of bytes in a batch buffer. Each needle remembers where it
 * next occurs in the buffer, so a batch is searched once per needle rather than once per line.
 */
export interface ByteTest {
  /** Forget the remembered positions: call when the buffer's content changes. */
  reset(): void;
  test(buffer: Buffer, start: number, end: number): boolean;
}

/**
 * JSON may write a plain character as an escape (`\/` for `/`, `\u0026` for `&`), and Logs
 * Insights compares the decoded value: a line holding such an escape may match without containing
 * the text. (`\t`, `\n` and the like never encode a plain character.)
 */
function escapeAware(needle: ByteTest): ByteTest {
  const slash = new Needle('\\/');
  const unicode = new Needle('\\u');
  return {
    reset: () => {
      needle.reset();
      slash.reset();
      unicode.reset();
    },
    test: (b, s, e) => needle.test(b, s, e) || slash.test(b, s, e) || unicode.test(b, s, e),
  };
}

class Needle implements ByteTest {
  private readonly bytes: Buffer;
  // -2: not searched yet in this buffer; -1: no occurrence after the last search point.
  private next = -2;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'latin1');
  }

  reset(): void {
    this.next = -2;
  }

  test(buffer: Buffer, start: number, end: number): boolean {
    if (this.next === -1) return false;
    if (this.next < start) this.next = buffer.indexOf(this.bytes, start);
    return this.next >= 0 && this.next + this.bytes.length <= end;
  }
}

/** Compiles a prefilter into a byte test over lines of a buffer. */
export function byteTest(p: Prefilter): ByteTest {
  if (p.k === 'text') return escapeAware(new Needle(p.text));
  const l = byteTest(p.left);
  const r = byteTest(p.right);
  const both = p.k === 'and';
  return {
    reset: () => {
      l.reset();
      r.reset();
    },
    // A needle skipped by `&&`/`||` searches again from the next line it is asked about.
    test: both
      ? (b, s, e) => l.test(b, s, e) && r.test(b, s, e)
      : (b, s, e) => l.test(b, s, e) || r.test(b, s, e),
  };
}
