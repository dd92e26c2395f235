/**
 * Reading Logs Insights result values: every value arrives as a string (GetQueryResults), and
 * timestamps print as `yyyy-MM-dd HH:mm:ss.SSS` in UTC.
 */

const INSIGHTS_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?)$/;

/** Parses a Logs Insights timestamp (`2026-11-24 15:02:03.123`, UTC), an ISO string or epoch ms; undefined if none. */
export function parseInsightsTime(value: string | undefined): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const insights = INSIGHTS_TIME.exec(value);
  if (insights) return new Date(`${insights[1]}T${insights[2]}Z`);
  if (/^\d{10,14}$/.test(value)) return new Date(Number(value));
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Parses a numeric result value; undefined if absent or not a number. */
export function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
