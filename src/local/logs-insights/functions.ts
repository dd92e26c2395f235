import { IP_FUNCTIONS } from './ip-functions';
import { toNumber, type Value } from './values';

/** A scalar (non-aggregate) function: arity bounds and its implementation over evaluated arguments. */
export interface ScalarFunction {
  readonly min: number;
  readonly max: number;
  /** Whether the result is a timestamp (printed as a date). */
  readonly time?: boolean;
  readonly apply: (args: readonly Value[]) => Value;
}

const num = (f: (x: number) => number) => (args: readonly Value[]) => {
  const x = toNumber(args[0] ?? null);
  return x === null ? null : finite(f(x));
};

function finite(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

const str = (f: (s: string, args: readonly Value[]) => Value) => (args: readonly Value[]) => {
  const s = args[0];
  return s === null || s === undefined ? null : f(String(s), args);
};

function pickNumber(args: readonly Value[], better: (a: number, b: number) => boolean): Value {
  let best: number | null = null;
  for (const a of args) {
    const x = toNumber(a);
    if (x !== null && (best === null || better(x, best))) best = x;
  }
  return best;
}

const trimChars = (s: string, chars: Value, left: boolean, right: boolean): string => {
  if (chars === null || chars === undefined) {
    return left && right ? s.trim() : left ? s.trimStart() : s.trimEnd();
  }
  const set = String(chars);
  let i = 0;
  let j = s.length;
  while (left && i < j && set.includes(s[i] as string)) i++;
  while (right && j > i && set.includes(s[j - 1] as string)) j--;
  return s.slice(i, j);
};

/**
 * Non-aggregate functions, keyed by lower-case name (Logs Insights names are case-insensitive here).
 * `bin`, `datefloor` and `dateceil` take a period and live in the expression compiler.
 */
export const SCALAR_FUNCTIONS: ReadonlyMap<string, ScalarFunction> = new Map<string, ScalarFunction>([
  ['ispresent', { min: 1, max: 1, apply: (a) => a[0] !== null }],
  ['isempty', { min: 1, max: 1, apply: (a) => a[0] === null || a[0] === '' }],
  ['isblank', { min: 1, max: 1, apply: (a) => a[0] === null || String(a[0]).trim() === '' }],
  ['coalesce', { min: 1, max: 100, apply: (a) => a.find((v) => v !== null) ?? null }],
  ['abs', { min: 1, max: 1, apply: num(Math.abs) }],
  ['ceil', { min: 1, max: 1, apply: num(Math.ceil) }],
  ['floor', { min: 1, max: 1, apply: num(Math.floor) }],
  [
    'round',
    {
      min: 1,
      max: 2,
      apply: (a) => {
        const x = toNumber(a[0] ?? null);
        if (x === null) return null;
        const digits = a.length > 1 ? (toNumber(a[1] ?? null) ?? 0) : 0;
        const scale = 10 ** digits;
        return Math.round(x * scale) / scale;
      },
    },
  ],
  ['greatest', { min: 1, max: 100, apply: (a) => pickNumber(a, (x, b) => x > b) }],
  ['least', { min: 1, max: 100, apply: (a) => pickNumber(a, (x, b) => x < b) }],
  ['log', { min: 1, max: 1, apply: num(Math.log) }],
  ['sqrt', { min: 1, max: 1, apply: num(Math.sqrt) }],
  [
    'pow',
    {
      min: 2,
      max: 2,
      apply: (a) => {
        const x = toNumber(a[0] ?? null);
        const y = toNumber(a[1] ?? null);
        return x === null || y === null ? null : finite(x ** y);
      },
    },
  ],
  ['concat', { min: 1, max: 100, apply: (a) => a.map((v) => (v === null ? '' : String(v))).join('') }],
  ['strlen', { min: 1, max: 1, apply: str((s) => s.length) }],
  ['toupper', { min: 1, max: 1, apply: str((s) => s.toUpperCase()) }],
  ['tolower', { min: 1, max: 1, apply: str((s) => s.toLowerCase()) }],
  ['trim', { min: 1, max: 2, apply: str((s, a) => trimChars(s, a[1] ?? null, true, true)) }],
  ['ltrim', { min: 1, max: 2, apply: str((s, a) => trimChars(s, a[1] ?? null, true, false)) }],
  ['rtrim', { min: 1, max: 2, apply: str((s, a) => trimChars(s, a[1] ?? null, false, true)) }],
  [
    'substr',
    {
      min: 2,
      max: 3,
      apply: str((s, a) => {
        const start = toNumber(a[1] ?? null) ?? 0;
        const length = a.length > 2 ? toNumber(a[2] ?? null) : null;
        return length === null ? s.slice(start) : s.slice(start, start + length);
      }),
    },
  ],
  [
    'replace',
    {
      min: 3,
      max: 3,
      apply: str((s, a) => s.split(String(a[1] ?? '')).join(a[2] === null ? '' : String(a[2] ?? ''))),
    },
  ],
  ['strcontains', { min: 2, max: 2, apply: str((s, a) => (s.includes(String(a[1] ?? '')) ? 1 : 0)) }],
  ['frommillis', { min: 1, max: 1, time: true, apply: num((x) => x) }],
  ['tomillis', { min: 1, max: 1, apply: (a) => toMillis(a[0] ?? null) }],
  ...IP_FUNCTIONS.map(([name, apply]): [string, ScalarFunction] => {
    const arity = name.endsWith('subnet') ? 2 : 1;
    return [name, { min: arity, max: arity, apply }];
  }),
]);

/** Epoch ms of a timestamp value: a number already, or a date string. */
export function toMillis(v: Value): number | null {
  const n = toNumber(v);
  if (n !== null) return n;
  if (typeof v !== 'string') return null;
  const parsed = Date.parse(v.includes('T') || v.endsWith('Z') ? v : `${v.replace(' ', 'T')}Z`);
  return Number.isNaN(parsed) ? null : parsed;
}

/** A `bin()`/`datefloor()` period: fixed milliseconds, or whole calendar months. */
export type Period = { readonly ms: number } | { readonly months: number };

const UNITS: ReadonlyArray<readonly [RegExp, Period]> = [
  [/^(ms|msecs?|milliseconds?)$/, { ms: 1 }],
  [/^(s|secs?|seconds?)$/, { ms: 1000 }],
  [/^(m|mins?|minutes?)$/, { ms: 60_000 }],
  [/^(h|hrs?|hours?)$/, { ms: 3_600_000 }],
  [/^(d|days?)$/, { ms: 86_400_000 }],
  [/^(w|weeks?)$/, { ms: 7 * 86_400_000 }],
  [/^(mo|mons?|months?)$/, { months: 1 }],
  [/^(q|qtrs?|quarters?)$/, { months: 3 }],
  [/^(y|yrs?|years?)$/, { months: 12 }],
];

/** Reads a period such as `5m`, `1h`, `30s`, `1mo`; null if the unit is unknown. */
export function parsePeriod(text: string): Period | null {
  const m = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]+)$/.exec(text);
  if (!m) return null;
  const amount = Number(m[1]);
  const unit = (m[2] as string).toLowerCase();
  for (const [re, period] of UNITS) {
    if (!re.test(unit)) continue;
    if ('ms' in period) return amount > 0 ? { ms: amount * period.ms } : null;
    return Number.isInteger(amount) && amount > 0 ? { months: amount * period.months } : null;
  }
  return null;
}

/** Rounds epoch ms down (or up) to a multiple of the period, in UTC. */
export function roundToPeriod(ms: number, period: Period, up: boolean): number {
  if ('ms' in period) {
    const floor = Math.floor(ms / period.ms) * period.ms;
    return up && floor !== ms ? floor + period.ms : floor;
  }
  const d = new Date(ms);
  const index = d.getUTCFullYear() * 12 + d.getUTCMonth();
  const floorIndex = Math.floor(index / period.months) * period.months;
  const floor = Date.UTC(Math.floor(floorIndex / 12), floorIndex % 12, 1);
  if (!up || floor === ms) return floor;
  const next = floorIndex + period.months;
  return Date.UTC(Math.floor(next / 12), next % 12, 1);
}
