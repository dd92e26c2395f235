import { z } from 'zod';
import { AwsServiceError } from '../errors';

/**
 * The CloudWatch Logs limits the local endpoint enforces as AWS does (PutLogEvents and StartQuery
 * API references, CloudWatch Logs quotas): same thresholds, same error names and fields.
 */

/** LogGroupName in the API model: 1–512 of `[\.\-_/#A-Za-z0-9]`, so no `*` or space. */
export const logGroupName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[.\-_/#A-Za-z0-9]+$/, 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+');

/** StartQuery takes at most 50 log groups (logGroupNames / logGroupIdentifiers). */
export const MAX_QUERY_LOG_GROUPS = 50;

/** Concurrent Logs Insights queries per account (the 2026 SDK documentation; 30 in older ones). */
export const DEFAULT_MAX_CONCURRENT_QUERIES = 100;

/** A PutLogEvents batch: at most 1,048,576 bytes, counted as each message's UTF-8 size plus 26 bytes. */
export const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD_BYTES = 26;
/** Events may be at most 14 days old and 2 hours in the future. */
const MAX_AGE_MS = 14 * 24 * 3_600_000;
const MAX_FUTURE_MS = 2 * 3_600_000;
/** A batch may not span more than 24 hours. */
const MAX_SPAN_MS = 24 * 3_600_000;

/** PutLogEvents' `rejectedLogEventsInfo`: indexes into the (chronologically sorted) batch. */
export interface RejectedLogEventsInfo {
  tooOldLogEventEndIndex?: number;
  tooNewLogEventStartIndex?: number;
}

/**
 * Checks a chronologically sorted batch: a batch over the size or span limit is refused
 * (InvalidParameterException); events too old or too new are left out and reported, the rest kept.
 */
export function screenLogEvents<E extends { timestamp: number; message: string }>(
  sorted: readonly E[],
  now: number,
): { accepted: E[]; rejected: RejectedLogEventsInfo | undefined } {
  let bytes = 0;
  for (const event of sorted) bytes += Buffer.byteLength(event.message, 'utf8') + EVENT_OVERHEAD_BYTES;
  if (bytes > MAX_BATCH_BYTES) {
    throw new AwsServiceError(
      'InvalidParameterException',
      `Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`,
    );
  }
  const first = sorted[0]?.timestamp ?? 0;
  const last = sorted.at(-1)?.timestamp ?? 0;
  if (last - first > MAX_SPAN_MS) {
    throw new AwsServiceError(
      'InvalidParameterException',
      'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
    );
  }
  let oldEnd = -1;
  let newStart = sorted.length;
  sorted.forEach((event, index) => {
    if (event.timestamp < now - MAX_AGE_MS) oldEnd = index;
    else if (event.timestamp > now + MAX_FUTURE_MS && index < newStart) newStart = index;
  });
  const rejected: RejectedLogEventsInfo = {};
  // tooOldLogEventEndIndex is exclusive in AWS's reference: events before it were too old.
  if (oldEnd >= 0) rejected.tooOldLogEventEndIndex = oldEnd + 1;
  if (newStart < sorted.length) rejected.tooNewLogEventStartIndex = newStart;
  return {
    accepted: sorted.slice(oldEnd + 1, newStart),
    rejected: Object.keys(rejected).length > 0 ? rejected : undefined,
  };
}

/** The error StartQuery gives once the account runs as many queries as it may. */
export function queryConcurrencyError(max: number): AwsServiceError {
  return new AwsServiceError(
    'LimitExceededException',
    `Account maximum query concurrency limit of [${max}] reached.`,
  );
}
