import type { Command, Expr, NamedExpr, SortKey } from './ast';
import { type Token, Tokenizer } from './tokenizer';

/** A parsed query: its stages in order, and a way to report errors at a source offset. */
export interface ParsedQuery {
  readonly commands: readonly Command[];
  readonly errorAt: Tokenizer['error'];
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'as', 'by', 'asc', 'desc']);
const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=']);
/** Commands AWS has that this engine refuses rather than ignores. */
const UNSUPPORTED_COMMANDS = new Set([
  'unnest',
  'lookup',
  'join',
  'pattern',
  'anomaly',
  'diff',
  'unmask',
  'filterindex',
  'source',
  'fieldssummary',
]);

/** Parses a Logs Insights QL query; throws MalformedQueryError with line and column. */
export function parseQuery(query: string): ParsedQuery {
  const parser = new Parser(new Tokenizer(query));
  return { commands: parser.parseQuery(), errorAt: (message, offset) => parser.lexer.error(message, offset) };
}

class Parser {
  constructor(readonly lexer: Tokenizer) {}

  parseQuery(): Command[] {
    const commands: Command[] = [];
    if (this.lexer.peek().kind === 'eof') throw this.lexer.error('Empty query', 0);
    for (;;) {
      commands.push(this.parseCommand());
      const token = this.lexer.next();
      if (token.kind === 'eof') return commands;
      if (!this.isOp(token, '|')) throw this.unexpected(token, "'|' or the end of the query");
    }
  }

  private parseCommand(): Command {
    const head = this.lexer.next();
    if (head.kind !== 'ident' || head.quoted) throw this.unexpected(head, 'a command');
    const offset = head.offset;
    // Command names and keywords are case-insensitive in Logs Insights (`FIELDS`, `SORT … DESC`).
    switch (head.text.toLowerCase()) {
      case 'fields':
        return { k: 'fields', offset, items: this.parseNamedList(true) };
      case 'display':
        return { k: 'display', offset, items: this.parseNamedList(true) };
      case 'filter':
        return { k: 'filter', offset, expr: this.parseExpr() };
      case 'stats': {
        const items = this.parseNamedList(true);
        let by: NamedExpr[] = [];
        if (this.isKeyword(this.lexer.peek(), 'by')) {
          this.lexer.next();
          by = this.parseNamedList(true);
        }
        return { k: 'stats', offset, items, by };
      }
      case 'sort':
        return { k: 'sort', offset, keys: this.parseSortKeys() };
      case 'limit': {
        const n = this.lexer.next();
        const count = Number(n.text);
        if (n.kind !== 'number' || !Number.isInteger(count) || count < 1) {
          throw this.unexpected(n, 'a positive whole number');
        }
        return { k: 'limit', offset, count };
      }
      case 'dedup':
        return { k: 'dedup', offset, keys: this.parseNamedList(false) };
      case 'parse':
        return this.parseParse(offset);
      default:
        if (UNSUPPORTED_COMMANDS.has(head.text.toLowerCase())) {
          throw this.lexer.error(`The command '${head.text}' is not supported by the local engine`, offset);
        }
        throw this.lexer.error(`Unknown command '${head.text}'`, offset);
    }
  }

  private parseParse(offset: number): Command {
    let source: Expr = { k: 'field', name: '@message', offset };
    const first = this.lexer.peek();
    if (first.kind === 'ident' && !this.isKeyword(first, 'as')) {
      this.lexer.next();
      source = { k: 'field', name: first.text, offset: first.offset };
    }
    const patternToken = this.lexer.peek();
    if (patternToken.kind === 'string') {
      this.lexer.next();
      if (!this.isKeyword(this.lexer.peek(), 'as'))
        throw this.unexpected(this.lexer.peek(), "'as' and field names");
      this.lexer.next();
      const names = this.parseNameList();
      const stars = patternToken.text.split('*').length - 1;
      if (stars !== names.length) {
        throw this.lexer.error(
          `The pattern has ${stars} '*' but ${names.length} field names are given`,
          patternToken.offset,
        );
      }
      return { k: 'parse', offset, source, pattern: { kind: 'glob', text: patternToken.text }, names };
    }
    if (this.isOp(patternToken, '/')) {
      const regex = this.lexer.nextRegex();
      const names = [...regex.text.matchAll(/\(\?<([A-Za-z_@][A-Za-z0-9_@.]*)>/g)].map((m) => m[1] as string);
      if (names.length === 0)
        throw this.lexer.error('A parse regex needs named groups (?<name>...)', regex.offset);
      return { k: 'parse', offset, source, pattern: { kind: 'regex', text: regex.text }, names };
    }
    throw this.unexpected(patternToken, 'a glob string or a /regex/');
  }

  private parseNameList(): string[] {
    const names: string[] = [];
    for (;;) {
      const t = this.lexer.next();
      if (t.kind !== 'ident') throw this.unexpected(t, 'a field name');
      names.push(t.text);
      if (!this.isOp(this.lexer.peek(), ',')) return names;
      this.lexer.next();
    }
  }

  private parseNamedList(allowExpressions: boolean): NamedExpr[] {
    const items: NamedExpr[] = [];
    for (;;) {
      const start = this.lexer.peek();
      const expr = this.parseExpr();
      if (!allowExpressions && expr.k !== 'field')
        throw this.lexer.error('Expected a field name', start.offset);
      const end = this.lastEnd;
      let name = expr.k === 'field' ? expr.name : this.lexer.slice(start.offset, end);
      if (this.isKeyword(this.lexer.peek(), 'as')) {
        this.lexer.next();
        const alias = this.lexer.next();
        if (alias.kind !== 'ident') throw this.unexpected(alias, 'a name after as');
        name = alias.text;
      }
      items.push({ expr, name });
      if (!this.isOp(this.lexer.peek(), ',')) return items;
      this.lexer.next();
    }
  }

  private parseSortKeys(): SortKey[] {
    const keys: SortKey[] = [];
    for (;;) {
      const expr = this.parseExpr();
      let descending = false;
      const dir = this.lexer.peek();
      if (this.isKeyword(dir, 'asc') || this.isKeyword(dir, 'desc')) {
        this.lexer.next();
        descending = dir.text.toLowerCase() === 'desc';
      }
      keys.push({ expr, descending });
      if (!this.isOp(this.lexer.peek(), ',')) return keys;
      this.lexer.next();
    }
  }

  /** End offset of the last consumed token, to slice an expression's source text. */
  private lastEnd = 0;

  private take(): Token {
    const t = this.lexer.next();
    this.lastEnd = t.end;
    return t;
  }

  parseExpr(): Expr {
    let left = this.parseAnd();
    while (this.isKeyword(this.lexer.peek(), 'or')) {
      this.take();
      left = { k: 'binary', op: 'or', left, right: this.parseAnd(), offset: left.offset };
    }
    return left;
  }

  private parseAnd(): Expr {
    let left = this.parseNot();
    while (this.isKeyword(this.lexer.peek(), 'and')) {
      this.take();
      left = { k: 'binary', op: 'and', left, right: this.parseNot(), offset: left.offset };
    }
    return left;
  }

  private parseNot(): Expr {
    const t = this.lexer.peek();
    if (this.isKeyword(t, 'not')) {
      this.take();
      return { k: 'not', operand: this.parseNot(), offset: t.offset };
    }
    return this.parseComparison();
  }

  private parseComparison(): Expr {
    const left = this.parseAdditive();
    let t = this.lexer.peek();
    if (t.kind === 'op' && COMPARISONS.has(t.text)) {
      this.take();
      return { k: 'binary', op: t.text, left, right: this.parseAdditive(), offset: left.offset };
    }
    if (this.isOp(t, '=~')) {
      this.take();
      return { k: 'like', operand: left, pattern: this.parsePattern(), negated: false, offset: left.offset };
    }
    let negated = false;
    if (this.isKeyword(t, 'not')) {
      this.take();
      negated = true;
      t = this.lexer.peek();
      if (!this.isKeyword(t, 'like') && !this.isKeyword(t, 'in')) throw this.unexpected(t, "'like' or 'in'");
    }
    if (this.isKeyword(t, 'like')) {
      this.take();
      return { k: 'like', operand: left, pattern: this.parsePattern(), negated, offset: left.offset };
    }
    if (this.isKeyword(t, 'in')) {
      this.take();
      const open = this.take();
      if (!this.isOp(open, '[')) throw this.unexpected(open, "'['");
      const list: Expr[] = [];
      if (!this.isOp(this.lexer.peek(), ']')) {
        for (;;) {
          list.push(this.parseAdditive());
          if (!this.isOp(this.lexer.peek(), ',')) break;
          this.take();
        }
      }
      const close = this.take();
      if (!this.isOp(close, ']')) throw this.unexpected(close, "']'");
      return { k: 'in', operand: left, list, negated, offset: left.offset };
    }
    return left;
  }

  private parsePattern(): Expr {
    const t = this.lexer.peek();
    if (this.isOp(t, '/')) {
      const re = this.lexer.nextRegex();
      this.lastEnd = re.end;
      return { k: 'regex', source: re.text, offset: re.offset };
    }
    return this.parseAdditive();
  }

  private parseAdditive(): Expr {
    let left = this.parseMultiplicative();
    for (;;) {
      const t = this.lexer.peek();
      if (!this.isOp(t, '+') && !this.isOp(t, '-')) return left;
      this.take();
      left = { k: 'binary', op: t.text, left, right: this.parseMultiplicative(), offset: left.offset };
    }
  }

  private parseMultiplicative(): Expr {
    let left = this.parsePower();
    for (;;) {
      const t = this.lexer.peek();
      if (!this.isOp(t, '*') && !this.isOp(t, '/') && !this.isOp(t, '%')) return left;
      this.take();
      left = { k: 'binary', op: t.text, left, right: this.parsePower(), offset: left.offset };
    }
  }

  private parsePower(): Expr {
    const base = this.parseUnary();
    if (this.isOp(this.lexer.peek(), '^')) {
      this.take();
      return { k: 'binary', op: '^', left: base, right: this.parsePower(), offset: base.offset };
    }
    return base;
  }

  private parseUnary(): Expr {
    const t = this.lexer.peek();
    if (this.isOp(t, '-')) {
      this.take();
      return { k: 'neg', operand: this.parseUnary(), offset: t.offset };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Expr {
    const t = this.take();
    switch (t.kind) {
      case 'number':
        return { k: 'number', value: Number(t.text), offset: t.offset };
      case 'string':
        return { k: 'string', value: t.text, offset: t.offset };
      case 'op':
        if (t.text === '(') {
          const inner = this.parseExpr();
          const close = this.take();
          if (!this.isOp(close, ')')) throw this.unexpected(close, "')'");
          return inner;
        }
        if (t.text === '*') return { k: 'star', offset: t.offset };
        throw this.unexpected(t, 'a value');
      case 'ident': {
        if (!t.quoted && /^[0-9.]/.test(t.text)) return { k: 'period', text: t.text, offset: t.offset };
        if (!t.quoted && KEYWORDS.has(t.text)) throw this.unexpected(t, 'a value');
        if (!t.quoted && this.isOp(this.lexer.peek(), '(')) {
          this.take();
          const args: Expr[] = [];
          if (!this.isOp(this.lexer.peek(), ')')) {
            for (;;) {
              args.push(this.parseExpr());
              if (!this.isOp(this.lexer.peek(), ',')) break;
              this.take();
            }
          }
          const close = this.take();
          if (!this.isOp(close, ')')) throw this.unexpected(close, "')'");
          return { k: 'call', name: t.text, args, offset: t.offset };
        }
        return { k: 'field', name: t.text, offset: t.offset };
      }
      default:
        throw this.unexpected(t, 'a value');
    }
  }

  private isOp(t: Token, text: string): boolean {
    return t.kind === 'op' && t.text === text;
  }

  private isKeyword(t: Token, word: string): boolean {
    return t.kind === 'ident' && !t.quoted && t.text.toLowerCase() === word;
  }

  private unexpected(t: Token, expected: string): Error {
    const found = t.kind === 'eof' ? 'the end of the query' : `'${t.text}'`;
    return this.lexer.error(`Expected ${expected} but found ${found}`, t.offset);
  }
}
