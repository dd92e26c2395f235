import { randomBytes } from 'node:crypto';

/** Billed ms: duration rounded up to the next ms, init included on a cold start (billed since 2025-08-01). */
export function billedDuration(durationMs: number, initDurationMs?: number): number {
  return Math.max(1, Math.ceil(durationMs + (initDurationMs ?? 0)));
}

/** A log stream name in Lambda's shape: `2026/11/24/[$LATEST]<32 hex>`. */
export function newLogStreamName(now: Date = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
}

/** An X-Ray trace header as Lambda puts it in `_X_AMZN_TRACE_ID`. */
export function newTraceHeader(now: number = Date.now()): string {
  const epoch = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `Root=1-${epoch}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=1`;
}

/** The ARN Lambda gives an unqualified function in the local account. */
export function functionArn(region: string, name: string): string {
  return `arn:aws:lambda:${region}:000000000000:function:${name}`;
}
