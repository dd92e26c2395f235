import { z } from 'zod';
import { ValidationError } from './errors';

const nonEmpty = z.string().trim().min(1, 'must be a non-empty string');

/** The body of `POST /sessions` as a speaker submits it. */
export const NewSessionRequest = z.object({
  subject: nonEmpty.max(500),
  duration: z
    .number()
    .int()
    .positive()
    .max(24 * 60),
  // The seed's load test sends the timestamp as a numeric string, so both forms are accepted.
  timestamp: z.union([
    z.number().int().nonnegative(),
    z
      .string()
      .regex(/^\d{1,16}$/, 'must be epoch milliseconds')
      .transform(Number),
  ]),
  speaker: z.object({
    firstName: nonEmpty.max(200),
    lastName: nonEmpty.max(200),
    company: z.object({
      companyName: nonEmpty.max(200),
      companyCity: nonEmpty.max(200),
    }),
    questionPhrase: z.string().max(2000),
  }),
});
export type NewSessionRequest = z.infer<typeof NewSessionRequest>;

/** A session as the service stores and hands on: the request plus its ids and receipt time. */
export const Session = z.object({
  sessionId: z.uuid(),
  traceId: z.string().min(1),
  createdAt: z.iso.datetime(),
  subject: z.string(),
  duration: z.number(),
  timestamp: z.number(),
  speaker: NewSessionRequest.shape.speaker,
});
export type Session = z.infer<typeof Session>;

/** Turns zod issues into field paths and messages a caller can act on. */
export function toFieldIssues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.length === 0 ? '(body)' : issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** Parses a value against a schema, throwing a ValidationError naming every bad field. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(toFieldIssues(result.error));
  return result.data;
}
