import { RE2JS } from 're2js';

/**
 * A compiled Logs Insights regular expression that matches in linear time. JavaScript's RegExp
 * backtracks: `/^(a+)+$/` on 28 characters took 1.4 s and doubles with each one more, blocking
 * every local service on the one thread. re2js (the JavaScript port of RE2) has no backtracking, so
 * no pattern can stall a query; RE2's syntax also refuses look-arounds and back-references.
 */
export interface LinearRegex {
  test(text: string): boolean;
  /** The named groups of the first match (absent ones undefined), or null without a match. */
  groups(text: string): Record<string, string | undefined> | null;
  /** The numbered groups of the first match (index 1 = first group), or null without a match. */
  captures(text: string): (string | undefined)[] | null;
}

/** Compiles `source` (RE2 syntax; a leading `(?i)` is RE2's own flag); throws on invalid syntax. */
export function compileLinearRegex(source: string): LinearRegex {
  const pattern = RE2JS.compile(source);
  const names = Object.keys(pattern.namedGroups());
  const count = pattern.groupCount();
  return {
    test: (text) => pattern.test(text),
    groups(text) {
      const matcher = pattern.matcher(text);
      if (!matcher.find()) return null;
      const out: Record<string, string | undefined> = {};
      for (const name of names) out[name] = matcher.group(name) ?? undefined;
      return out;
    },
    captures(text) {
      const matcher = pattern.matcher(text);
      if (!matcher.find()) return null;
      const out: (string | undefined)[] = [text];
      for (let i = 1; i <= count; i++) out.push(matcher.group(i) ?? undefined);
      return out;
    },
  };
}
