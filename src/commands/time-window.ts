// zod/mini: parsed on the Slack handler's ack path (/leadtime, /cost), where load time counts.
import * as z from 'zod/mini';
import { InvalidInputError } from './errors';

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The longest window any command accepts (Logs Insights scans cost money; a month is plenty). */
export const MAX_WINDOW_MS = 30 * UNIT_MS.d;
/** The shortest window worth querying. */
export const MIN_WINDOW_MS = UNIT_MS.m;

/** A window as the user typed it, normalised: its label (`1h`, `7d`) and its length. */
export const TimeWindowSpec = z.object({
  label: z.string().check(z.minLength(1), z.maxLength(16)),
  durationMs: z.int().check(z.gte(MIN_WINDOW_MS), z.lte(MAX_WINDOW_MS)),
});
export type TimeWindowSpec = z.infer<typeof TimeWindowSpec>;

/** A concrete window: inclusive start and end. */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

const WINDOW_TEXT = /^(\d{1,4})(m|min|h|d|w)$/;
// A Map, not an object literal: user text such as `__proto__` or `constructor` must find nothing.
const NAMED: ReadonlyMap<string, TimeWindowSpec> = new Map([
  ['hour', { label: '1h', durationMs: UNIT_MS.h }],
  ['day', { label: '24h', durationMs: UNIT_MS.d }],
  ['week', { label: '7d', durationMs: UNIT_MS.w }],
  ['month', { label: '30d', durationMs: 30 * UNIT_MS.d }],
]);

/** How to type a window, for error messages. */
export const WINDOW_USAGE = 'a window like `15m`, `1h`, `24h`, `7d`, `30d`, `week` (at most 30 days)';

/** Parses `15m`, `1h`, `24h`, `7d`, `2w`, `week`, `30d` … into a window length; at most 30 days. */
export function parseTimeWindow(text: string): TimeWindowSpec {
  const input = text.trim().toLowerCase();
  const named = NAMED.get(input);
  if (named) return named;
  const match = WINDOW_TEXT.exec(input);
  if (!match) {
    throw new InvalidInputError(
      `not a window: ${JSON.stringify(text.slice(0, 40))}`,
      `Expected ${WINDOW_USAGE}.`,
    );
  }
  const amount = Number(match[1]);
  const unit = (match[2] === 'min' ? 'm' : match[2]) as keyof typeof UNIT_MS;
  const durationMs = amount * UNIT_MS[unit];
  if (durationMs < MIN_WINDOW_MS) {
    throw new InvalidInputError('window shorter than a minute', 'The window must be at least 1 minute.');
  }
  if (durationMs > MAX_WINDOW_MS) {
    throw new InvalidInputError(`window of ${input} too long`, 'The window can be at most 30 days (`30d`).');
  }
  return TimeWindowSpec.parse({ label: `${amount}${unit}`, durationMs });
}

/** The window of the given length that ends now. */
export function windowEndingAt(spec: TimeWindowSpec, end: Date): TimeWindow {
  return { start: new Date(end.getTime() - spec.durationMs), end };
}

/** The window of the same length just before `window` (for period-over-period comparisons). */
export function previousWindow(window: TimeWindow): TimeWindow {
  const length = window.end.getTime() - window.start.getTime();
  return { start: new Date(window.start.getTime() - length), end: window.start };
}

/** Human label for a window length (`1h`, `7d`, `90m`). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < UNIT_MS.h) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < UNIT_MS.d) return `${(ms / UNIT_MS.h).toFixed(1)} h`;
  return `${(ms / UNIT_MS.d).toFixed(1)} d`;
}
