import { MalformedQueryError } from './api';

/** A token's kind: identifiers include `@`-fields, dotted paths and backticked names. */
export type TokenKind = 'ident' | 'number' | 'string' | 'regex' | 'op' | 'eof';

/** One lexed token with its source offset and line/column (1-based) for error messages. */
export interface Token {
  readonly kind: TokenKind;
  /** Identifier name, string contents, regex source, operator text or number text. */
  readonly text: string;
  /** True for a backticked identifier: never a keyword. */
  readonly quoted?: boolean;
  readonly offset: number;
  readonly end: number;
  readonly line: number;
  readonly column: number;
}

const OPERATORS = [
  '!=',
  '<=',
  '>=',
  '=~',
  '|',
  '(',
  ')',
  '[',
  ']',
  ',',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '=',
  '<',
  '>',
];
const IDENT_START = /[A-Za-z_@$]/;
const IDENT_PART = /[A-Za-z0-9_@$]/;

/** An on-demand lexer: the parser asks for a regex where the grammar expects one (after `like`, `=~`, `parse f`). */
export class Tokenizer {
  private pos = 0;
  private peeked: Token | undefined;

  constructor(private readonly source: string) {}

  /** Line and column (1-based) of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < offset && i < this.source.length; i++) {
      if (this.source.charCodeAt(i) === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    return { line, column: offset - lineStart + 1 };
  }

  /** The source text between two offsets, used to name unaliased expressions as AWS does. */
  slice(start: number, end: number): string {
    return this.source.slice(start, end).trim();
  }

  error(message: string, offset: number): MalformedQueryError {
    const { line, column } = this.positionOf(offset);
    return new MalformedQueryError(`${message} at line ${line}, column ${column}`, line, column);
  }

  peek(): Token {
    this.peeked ??= this.lex();
    return this.peeked;
  }

  next(): Token {
    const token = this.peek();
    this.peeked = undefined;
    return token;
  }

  /** Re-reads the peeked `/` token as a regex literal `/.../`. */
  nextRegex(): Token {
    const slash = this.peek();
    if (slash.kind !== 'op' || slash.text !== '/')
      throw this.error('Expected a regular expression /.../', slash.offset);
    let i = slash.offset + 1;
    let body = '';
    while (i < this.source.length) {
      const ch = this.source[i] as string;
      if (ch === '\\' && i + 1 < this.source.length) {
        const escaped = this.source[i + 1] as string;
        // `\/` is how a slash is written inside the literal; other escapes belong to the regex.
        body += escaped === '/' ? '/' : ch + escaped;
        i += 2;
        continue;
      }
      if (ch === '/') break;
      if (ch === '\n') break;
      body += ch;
      i++;
    }
    if (this.source[i] !== '/') throw this.error('Unterminated regular expression', slash.offset);
    this.peeked = undefined;
    this.pos = i + 1;
    return { ...this.at(slash.offset, this.pos), kind: 'regex', text: body };
  }

  private at(offset: number, end: number): { offset: number; end: number; line: number; column: number } {
    return { offset, end, ...this.positionOf(offset) };
  }

  private skipSpaceAndComments(): void {
    const src = this.source;
    while (this.pos < src.length) {
      const ch = src[this.pos] as string;
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        this.pos++;
      } else if (ch === '#') {
        while (this.pos < src.length && src[this.pos] !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  private lex(): Token {
    this.skipSpaceAndComments();
    const src = this.source;
    const start = this.pos;
    if (start >= src.length) return { ...this.at(start, start), kind: 'eof', text: '' };
    const ch = src[start] as string;

    if (ch === '"' || ch === "'") return this.lexString(ch, start);
    if (ch === '`') {
      const close = src.indexOf('`', start + 1);
      if (close < 0) throw this.error('Unterminated backticked name', start);
      this.pos = close + 1;
      return { ...this.at(start, this.pos), kind: 'ident', text: src.slice(start + 1, close), quoted: true };
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(src[start + 1] ?? ''))) {
      const match = /^(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/.exec(
        src.slice(start),
      ) as RegExpExecArray;
      this.pos = start + match[0].length;
      // A number glued to letters is a period such as `5m` (bin, datefloor): one token.
      const unit = /^[A-Za-z]+/.exec(src.slice(this.pos));
      if (unit) {
        this.pos += unit[0].length;
        return { ...this.at(start, this.pos), kind: 'ident', text: src.slice(start, this.pos) };
      }
      return { ...this.at(start, this.pos), kind: 'number', text: match[0] };
    }
    if (IDENT_START.test(ch)) {
      let i = start + 1;
      for (;;) {
        while (i < src.length && IDENT_PART.test(src[i] as string)) i++;
        // Dotted JSON paths (`a.b`, `a.0.id`) are one identifier.
        if (src[i] === '.' && IDENT_PART.test(src[i + 1] ?? '')) {
          i++;
          continue;
        }
        break;
      }
      this.pos = i;
      return { ...this.at(start, i), kind: 'ident', text: src.slice(start, i) };
    }
    for (const op of OPERATORS) {
      if (src.startsWith(op, start)) {
        this.pos = start + op.length;
        return { ...this.at(start, this.pos), kind: 'op', text: op };
      }
    }
    throw this.error(`Unexpected character '${ch}'`, start);
  }

  private lexString(quote: string, start: number): Token {
    const src = this.source;
    let i = start + 1;
    let text = '';
    while (i < src.length && src[i] !== quote) {
      const ch = src[i] as string;
      if (ch === '\\' && i + 1 < src.length) {
        const e = src[i + 1] as string;
        text += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
        i += 2;
      } else {
        text += ch;
        i++;
      }
    }
    if (i >= src.length) throw this.error('Unterminated string', start);
    this.pos = i + 1;
    return { ...this.at(start, this.pos), kind: 'string', text };
  }
}
