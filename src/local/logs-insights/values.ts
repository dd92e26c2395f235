/** A field value: Logs Insights has strings and numbers; booleans come from predicates; null is "missing". */
export type Value = string | number | boolean | null;

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** The number a value stands for ("numbers in strings" compare and add as numbers), or null. */
export function toNumber(v: Value): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string') return NUMERIC.test(v) ? Number(v) : null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** Whether a value counts as true in a filter. */
export function truthy(v: Value): boolean {
  if (v === null || v === false || v === '' || v === 0) return false;
  return true;
}

/** Equality as Logs Insights applies it: numerically when both sides read as numbers. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === null || b === null) return false;
  if (typeof a === 'number' || typeof b === 'number') {
    const x = toNumber(a);
    const y = toNumber(b);
    return x !== null && y !== null && x === y;
  }
  return String(a) === String(b);
}

/** Ordering for `<`, `>` and friends; null when not comparable (a comparison with a missing field is false). */
export function compareValues(a: Value, b: Value): number | null {
  if (a === null || b === null) return null;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== null && y !== null) return x - y;
  const s = String(a);
  const t = String(b);
  return s < t ? -1 : s > t ? 1 : 0;
}

/**
 * Sort order of the `sort` command (natural sort, per the AWS docs): non-numbers before numbers,
 * numbers by value, text by chunks of digits and non-digits. Missing values sort last.
 */
export function sortCompare(a: Value, b: Value): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x !== null && y !== null) return x - y;
  if (x !== null) return 1;
  if (y !== null) return -1;
  return naturalCompare(String(a), String(b));
}

const CHUNK = /(\d+|\D+)/g;

function naturalCompare(a: string, b: string): number {
  const ca = a.match(CHUNK) ?? [];
  const cb = b.match(CHUNK) ?? [];
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const p = ca[i] as string;
    const q = cb[i] as string;
    if (p === q) continue;
    const pd = p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57;
    const qd = q.charCodeAt(0) >= 48 && q.charCodeAt(0) <= 57;
    // Digit runs: shorter first, then by value (AWS: "by their length first and then by their numerical value").
    if (pd && qd) return p.length !== q.length ? p.length - q.length : p < q ? -1 : 1;
    return p < q ? -1 : 1;
  }
  return ca.length - cb.length;
}

/** A number as GetQueryResults prints it: integers bare, floats without binary noise. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  if (!Number.isFinite(n)) return String(n);
  return String(Number.parseFloat(n.toPrecision(15)));
}

/** Epoch ms as Logs Insights prints a timestamp: `yyyy-MM-dd HH:mm:ss.SSS` in UTC. */
export function formatTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

/** A result value as a string, or null when the field is missing (the row then omits it). */
export function formatValue(v: Value, isTime: boolean): string | null {
  if (v === null) return null;
  if (typeof v === 'number') {
    if (isTime && Number.isFinite(v)) return formatTimestamp(v);
    return formatNumber(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return v;
}
