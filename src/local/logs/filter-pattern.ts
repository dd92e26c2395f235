/**
 * The CloudWatch Logs filter-pattern subset the local endpoint understands: plain and quoted
 * terms (all must match), `?term` alternatives, `-term` exclusions, and JSON patterns such as
 * `{ $.level = "ERROR" && $.latency > 100 }`. Anything else raises FilterPatternError so a
 * pattern is never silently ignored.
 */
export type LogMatcher = (message: string) => boolean;

/** An unsupported or malformed filter pattern; the endpoint maps it to InvalidParameterException. */
export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
}

/** Compiles a filter pattern into a predicate over the raw message. */
export function compileFilterPattern(pattern: string | undefined): LogMatcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) return compileJsonPattern(text);
  if (text.startsWith('['))
    throw new FilterPatternError('Space-delimited filter patterns are not supported locally');
  return compileTermPattern(text);
}

function compileTermPattern(text: string): LogMatcher {
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  const re = /\s*([?-]?)(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))/y;
  let offset = 0;
  while (offset < text.length) {
    re.lastIndex = offset;
    const m = re.exec(text);
    if (!m) throw new FilterPatternError(`Invalid filter pattern near offset ${offset}`);
    offset = re.lastIndex;
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] as string);
    if (/[{}[\]]/.test(m[3] ?? ''))
      throw new FilterPatternError(`Unsupported token in filter pattern: ${term}`);
    if (term === '') continue;
    if (m[1] === '?') optional.push(term);
    else if (m[1] === '-') excluded.push(term);
    else required.push(term);
    while (offset < text.length && /\s/.test(text[offset] as string)) offset++;
  }
  if (optional.length > 0 && (required.length > 0 || excluded.length > 0)) {
    throw new FilterPatternError('Mixing ?term alternatives with other terms is not supported locally');
  }
  // CloudWatch Logs terms are case-sensitive; we match them as substrings.
  return (message) =>
    (optional.length === 0 || optional.some((t) => message.includes(t))) &&
    required.every((t) => message.includes(t)) &&
    !excluded.some((t) => message.includes(t));
}

type Comparison = '=' | '!=' | '>' | '<' | '>=' | '<=';
type Selector = (string | number)[];
type Condition = (json: unknown) => boolean;

function compileJsonPattern(text: string): LogMatcher {
  if (!text.endsWith('}')) throw new FilterPatternError('A JSON filter pattern must end with }');
  const body = text.slice(1, -1);
  const tokens = tokenizeJson(body);
  let index = 0;
  const peek = (): string | undefined => tokens[index];
  const next = (): string => {
    const token = tokens[index++];
    if (token === undefined) throw new FilterPatternError('Unexpected end of JSON filter pattern');
    return token;
  };

  const parseComparison = (): Condition => {
    const selectorToken = next();
    if (!selectorToken.startsWith('$'))
      throw new FilterPatternError(`Expected a $. selector, found ${selectorToken}`);
    const selector = parseSelector(selectorToken);
    const op = next();
    if (!['=', '!=', '>', '<', '>=', '<='].includes(op)) {
      throw new FilterPatternError(`Unsupported operator in JSON filter pattern: ${op}`);
    }
    return buildCondition(selector, op as Comparison, next());
  };
  const parseAnd = (): Condition => {
    const parts = [parseComparison()];
    while (peek() === '&&') {
      index++;
      parts.push(parseComparison());
    }
    return (json) => parts.every((p) => p(json));
  };
  const parseOr = (): Condition => {
    const parts = [parseAnd()];
    while (peek() === '||') {
      index++;
      parts.push(parseAnd());
    }
    return (json) => parts.some((p) => p(json));
  };

  const condition = parseOr();
  if (index !== tokens.length)
    throw new FilterPatternError(`Unexpected token in JSON filter pattern: ${peek()}`);
  return (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return false;
    }
    return condition(json);
  };
}

function tokenizeJson(body: string): string[] {
  const tokens: string[] = [];
  const re =
    /\s*(?:("(?:[^"\\]|\\.)*")|(&&|\|\||!=|>=|<=|=|>|<)|(\$[\w.[\]-]*)|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([\w*.:/-]+)|(\S))/y;
  let offset = 0;
  while (offset < body.length) {
    re.lastIndex = offset;
    const m = re.exec(body);
    if (!m) break;
    offset = re.lastIndex;
    if (m[6] !== undefined)
      throw new FilterPatternError(`Unsupported character in JSON filter pattern: ${m[6]}`);
    const token = m[1] ?? m[2] ?? m[3] ?? m[4] ?? m[5];
    if (token !== undefined) tokens.push(token);
  }
  return tokens;
}

function parseSelector(token: string): Selector {
  if (!token.startsWith('$.') && token !== '$') throw new FilterPatternError(`Invalid selector ${token}`);
  const path: Selector = [];
  const re = /\.([\w-]+)|\[(\d+)\]/y;
  let offset = 1;
  while (offset < token.length) {
    re.lastIndex = offset;
    const m = re.exec(token);
    if (!m) throw new FilterPatternError(`Invalid selector ${token}`);
    path.push(m[1] !== undefined ? m[1] : Number(m[2]));
    offset = re.lastIndex;
  }
  return path;
}

function select(json: unknown, selector: Selector): unknown {
  let value = json;
  for (const key of selector) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function buildCondition(selector: Selector, op: Comparison, raw: string): Condition {
  const isNumber = /^-?\d/.test(raw);
  if (isNumber) {
    const expected = Number(raw);
    return (json) => {
      const value = select(json, selector);
      if (typeof value !== 'number') return false;
      switch (op) {
        case '=':
          return value === expected;
        case '!=':
          return value !== expected;
        case '>':
          return value > expected;
        case '<':
          return value < expected;
        case '>=':
          return value >= expected;
        case '<=':
          return value <= expected;
      }
    };
  }
  if (op !== '=' && op !== '!=') throw new FilterPatternError(`Operator ${op} needs a number`);
  const expected = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  // `*` is a wildcard in JSON string comparisons.
  const re = new RegExp(`^${expected.split('*').map(escapeRegExp).join('.*')}$`, 's');
  return (json) => {
    const value = select(json, selector);
    if (value === undefined) return false;
    const text = typeof value === 'string' ? value : typeof value === 'object' ? null : String(value);
    if (text === null) return false;
    return op === '=' ? re.test(text) : !re.test(text);
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
