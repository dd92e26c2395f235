// zod/mini: these schemas sit on the Slack handler's ack path (/trace parsing), where zod classic's
// load time counted against the cold start; the parsed types are the same.
import * as z from 'zod/mini';

/** Thrown by {@link quote} for a value that has no safe place in a query; always a bug upstream. */
export class UnquotableValueError extends Error {
  override readonly name = 'UnquotableValueError';
}

// Control characters (C0, DEL, C1) and the Unicode line/paragraph separators: none belong in an id,
// and a newline would let a value start a new query command.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * THE one way a value enters a Logs Insights query: a double-quoted string literal with `\` and `"`
 * escaped. Control characters and newlines are refused, not escaped, so nothing can break out.
 */
export function quote(value: string): string {
  if (UNSAFE.test(value)) {
    throw new UnquotableValueError('refusing to quote a value containing control characters');
  }
  if (value.length > 1000) {
    throw new UnquotableValueError('refusing to quote a value longer than 1000 characters');
  }
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A conference session id (a UUID), normalised to lower case: safe inside a query. */
export const SessionId = z
  .pipe(
    z.string().check(z.regex(UUID, 'a session id is a UUID')),
    z.transform((s: string) => s.toLowerCase()),
  )
  .brand<'SessionId'>();
export type SessionId = z.infer<typeof SessionId>;

/** Our correlation id (`traceId` in every service log line): a UUID, lower case. */
export const TraceId = z
  .pipe(
    z.string().check(z.regex(UUID, 'a trace id is a UUID')),
    z.transform((s: string) => s.toLowerCase()),
  )
  .brand<'TraceId'>();
export type TraceId = z.infer<typeof TraceId>;

/**
 * An X-Ray trace id (`1-<8 hex epoch>-<24 hex>`). /trace accepts one too and finds our correlation
 * id through the `xrayTraceId` field the service logs beside it.
 */
export const XRayTraceId = z
  .pipe(
    z
      .string()
      .check(
        z.regex(
          /^1-[0-9a-f]{8}-[0-9a-f]{24}$/i,
          'an X-Ray trace id looks like 1-5f84c7a4-6c1b2f0e9a8d7c6b5a4f3e2d',
        ),
      ),
    z.transform((s: string) => s.toLowerCase()),
  )
  .brand<'XRayTraceId'>();
export type XRayTraceId = z.infer<typeof XRayTraceId>;

/** A function name as Lambda allows it (letters, digits, `-`, `_`; at most 64). */
export const FunctionNameValue = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'a Lambda function name'))
  .brand<'FunctionNameValue'>();
export type FunctionNameValue = z.infer<typeof FunctionNameValue>;

/** A business or correlation id as typed: id characters only, with a digit (words are typos, not ids). */
export const BUSINESS_ID = /^(?=.*[0-9])[A-Za-z0-9._:-]{3,80}$/;

/** A flow name as configured and typed (`orders`, `session`). */
export const FLOW_NAME = /^[a-z][a-z0-9-]{0,39}$/;

/** A milestone name as configured and typed (`ORDER_RECEIVED`). */
export const MILESTONE_TOKEN = /^[A-Za-z0-9_.:-]{1,80}$/;
