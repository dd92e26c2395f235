import { z } from 'zod';
import { MILESTONE_NAMES, type MilestoneName } from './milestones';

/**
 * An exception as the service logs it: always an object, never a bare string, so queries can read
 * `exception.name` and `exception.message` as fields.
 */
export const LoggedException = z.object({
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
});
export type LoggedException = z.infer<typeof LoggedException>;

/**
 * One log line of the conference-session service: the observability contract the bot depends on.
 * Every line is one JSON object with these keys (the optional ones where known).
 */
export const ServiceLogLine = z.object({
  timestamp: z.iso.datetime({ offset: true }),
  level: z.string(),
  message: z.string(),
  functionName: z.string(),
  AWSRequestId: z.string(),
  traceId: z.string(),
  sessionId: z.string().optional(),
  milestone: z
    .string()
    .refine((m): m is MilestoneName => (MILESTONE_NAMES as readonly string[]).includes(m))
    .optional(),
  exception: LoggedException.optional(),
  xrayTraceId: z.string().optional(),
});
export type ServiceLogLine = z.infer<typeof ServiceLogLine>;
