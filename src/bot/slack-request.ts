import { createHmac, timingSafeEqual } from 'node:crypto';
import { parse as parseForm } from 'node:querystring';

/** Slack's rule: a request is valid only while |now − X-Slack-Request-Timestamp| ≤ 5 minutes. */
export const SLACK_SKEW_SECONDS = 300;

// Strict spellings: Bolt reads the timestamp with Number() ("0<ts>", "<ts>.0", "+<ts>" all pass) and
// the signature with split('=') ("v0=<hex>=1" passes), so a replay could be re-spelled past a guard
// keyed on the header strings.
const TIMESTAMP = /^\d{1,10}$/;
const SIGNATURE = /^v0=([0-9a-f]{64})$/;

/** What the check reads of a Function URL (payload v2) event. */
export interface SlackHttpRequest {
  readonly headers?: Readonly<Record<string, string | undefined>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

/** The two body encodings Slack sends (commands and interactions as forms, events as JSON). */
export type SlackMediaType = 'application/x-www-form-urlencoded' | 'application/json';

/** A request Slack signed, read once: the values the guard keys on and the body as Bolt will see it. */
export interface VerifiedSlackRequest {
  readonly ok: true;
  readonly timestamp: number;
  /** The signature's 64 hex digits. */
  readonly signature: string;
  readonly mediaType: SlackMediaType;
  /** The body text, decoded from base64 when Lambda encoded it. */
  readonly text: string;
  /** The body parsed as Bolt parses it (a form, or the JSON `payload` field of one, or JSON). */
  readonly body: Record<string, unknown>;
}

/** A refused request: 401 until the signature is verified, 400 for a signed body we cannot read. */
export interface RefusedSlackRequest {
  readonly ok: false;
  readonly statusCode: 400 | 401;
  /** Why, for the log: never the body. */
  readonly reason: string;
}

/** Header lookup as HTTP defines it (case-insensitive); Function URLs lower-case names already. */
export function headerOf(headers: SlackHttpRequest['headers'], name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key];
}

const refuse = (statusCode: 400 | 401, reason: string): RefusedSlackRequest => ({
  ok: false,
  statusCode,
  reason,
});

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The body as Bolt's AwsLambdaReceiver parses it, or undefined where Bolt would throw or choke. */
function parseBody(mediaType: string, text: string): Record<string, unknown> | undefined {
  if (mediaType === 'application/json') return parseJsonObject(text);
  const form = parseForm(text) as Record<string, unknown>;
  if (form.payload === undefined) return form;
  return typeof form.payload === 'string' ? parseJsonObject(form.payload) : undefined;
}

/**
 * Verifies a Slack request before anything parses it: strict timestamp and signature spellings, the
 * timestamp within ±5 minutes of `nowSeconds` (future-dated too, which Bolt accepts), the HMAC over
 * the raw bytes in constant time; only then the body, which must be what Slack sends.
 * https://docs.slack.dev/authentication/verifying-requests-from-slack
 */
export function verifySlackRequest(
  request: SlackHttpRequest,
  signingSecret: string,
  nowSeconds: number,
): VerifiedSlackRequest | RefusedSlackRequest {
  const timestampHeader = headerOf(request.headers, 'x-slack-request-timestamp');
  const signatureHeader = headerOf(request.headers, 'x-slack-signature');
  if (timestampHeader === undefined || signatureHeader === undefined) return refuse(401, 'unsigned');
  if (!TIMESTAMP.test(timestampHeader)) return refuse(401, 'malformed timestamp');
  const timestamp = Number(timestampHeader);
  if (Math.abs(nowSeconds - timestamp) > SLACK_SKEW_SECONDS) return refuse(401, 'timestamp outside ±300 s');
  const signature = SIGNATURE.exec(signatureHeader)?.[1];
  if (signature === undefined) return refuse(401, 'malformed signature');
  const bytes = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');
  const expected = createHmac('sha256', signingSecret)
    .update(`v0:${timestampHeader}:`)
    .update(bytes)
    .digest();
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return refuse(401, 'signature mismatch');

  const mediaType = (headerOf(request.headers, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded' && mediaType !== 'application/json') {
    return refuse(400, `unsupported content type ${JSON.stringify((mediaType ?? '').slice(0, 60))}`);
  }
  const text = bytes.toString('utf8');
  const body = parseBody(mediaType, text);
  if (!body) return refuse(400, `unparseable ${mediaType} body`);
  return { ok: true, timestamp, signature, mediaType, text, body };
}
