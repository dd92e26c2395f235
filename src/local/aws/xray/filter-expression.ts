import { AwsServiceError } from '../errors';

/** What a filter expression can test about one trace. */
export interface TraceFacts {
  readonly services: readonly ServiceFacts[];
  readonly fault: boolean;
  readonly error: boolean;
  /** Seconds from the first start to the root segment's end. */
  readonly responseTime: number;
  /** Seconds from the first start to the last end. */
  readonly duration: number;
}

/** The facts of one service (segment name) in a trace, for `service("x") { … }`. */
export interface ServiceFacts {
  readonly name: string;
  readonly fault: boolean;
  readonly error: boolean;
  readonly responseTime: number;
  readonly duration: number;
}

/** A compiled filter: true when the trace matches. */
export type TraceFilter = (trace: TraceFacts) => boolean;

type Facts = Omit<TraceFacts, 'services'>;
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'service'; name: string; inner?: Node }
  | { kind: 'flag'; key: 'fault' | 'error'; value: boolean }
  | { kind: 'compare'; key: 'responseTime' | 'duration'; op: string; value: number };

const TOKEN = /\s*(?:(\d+(?:\.\d+)?)|("(?:[^"\\]|\\.)*")|(>=|<=|!=|=|>|<)|([{}()])|([A-Za-z_][A-Za-z_]*))/y;

function invalid(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequestException', `Invalid filter expression: ${message}`);
}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw invalid(`unexpected character at ${at}: "${text.slice(at, at + 10)}"`);
    tokens.push(match.slice(1).find((g) => g !== undefined) ?? '');
  }
  return tokens;
}

/**
 * Compiles the supported subset of X-Ray's filter expressions: `service("name")` with an optional
 * `{ … }` block, `fault`/`error` `= true|false`, `responsetime`/`duration` compared to seconds,
 * `AND`, `OR` and parentheses. Anything else is rejected, never silently ignored.
 */
export function compileFilterExpression(text: string): TraceFilter {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (): string | undefined => tokens[i];
  const next = (): string => {
    const token = tokens[i++];
    if (token === undefined) throw invalid('unexpected end of expression');
    return token;
  };
  const expect = (want: string): void => {
    const got = next();
    if (got !== want) throw invalid(`expected "${want}" but found "${got}"`);
  };
  const parseOr = (): Node => {
    let left = parseAnd();
    while (peek()?.toUpperCase() === 'OR') {
      i++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Node => {
    let left = parseTerm();
    while (peek()?.toUpperCase() === 'AND') {
      i++;
      left = { kind: 'and', left, right: parseTerm() };
    }
    return left;
  };
  const parseTerm = (): Node => {
    const token = next();
    if (token === '(') {
      const inner = parseOr();
      expect(')');
      return inner;
    }
    const word = token.toLowerCase();
    if (word === 'service') {
      expect('(');
      const quoted = next();
      if (!quoted.startsWith('"')) throw invalid('service() takes a quoted name');
      expect(')');
      const name = JSON.parse(quoted) as string;
      if (peek() === '{') {
        i++;
        const inner = parseOr();
        expect('}');
        return { kind: 'service', name, inner };
      }
      return { kind: 'service', name };
    }
    if (word === 'fault' || word === 'error') {
      const op = next();
      const value = next().toLowerCase();
      if ((op !== '=' && op !== '!=') || (value !== 'true' && value !== 'false'))
        throw invalid(`${word} supports only = true/false and != true/false`);
      return { kind: 'flag', key: word, value: (value === 'true') === (op === '=') };
    }
    if (word === 'responsetime' || word === 'duration') {
      const op = next();
      if (!['>', '<', '>=', '<=', '=', '!='].includes(op)) throw invalid(`bad operator "${op}"`);
      const value = Number(next());
      if (!Number.isFinite(value)) throw invalid(`${word} needs a number of seconds`);
      return { kind: 'compare', key: word === 'duration' ? 'duration' : 'responseTime', op, value };
    }
    throw invalid(`unsupported keyword "${token}"`);
  };
  if (tokens.length === 0) throw invalid('empty expression');
  const root = parseOr();
  if (i < tokens.length) throw invalid(`unexpected "${tokens[i]}"`);
  return (trace) => evaluate(root, trace, trace);
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '>':
      return a > b;
    case '<':
      return a < b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '=':
      return a === b;
    default:
      return a !== b;
  }
}

function evaluate(node: Node, trace: TraceFacts, scope: Facts): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, trace, scope) && evaluate(node.right, trace, scope);
    case 'or':
      return evaluate(node.left, trace, scope) || evaluate(node.right, trace, scope);
    case 'flag':
      return scope[node.key] === node.value;
    case 'compare':
      return compare(scope[node.key], node.op, node.value);
    case 'service': {
      // Inside the braces the conditions apply to that service's own segments.
      const matches = trace.services.filter((s) => s.name === node.name);
      return matches.some((s) => (node.inner ? evaluate(node.inner, trace, s) : true));
    }
  }
}
