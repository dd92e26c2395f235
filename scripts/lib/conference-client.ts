import { z } from 'zod';
import type { SessionBody } from './sample-sessions';

const Created = z.object({ sessionId: z.string().min(1), traceId: z.string().min(1) });
const Page = z.object({
  sessions: z.array(z.object({ sessionId: z.string() }).passthrough()),
  nextCursor: z.string().optional(),
});

/** The answer to one `POST /sessions`. */
export type CreateResult =
  | { ok: true; status: number; latencyMs: number; sessionId: string; traceId: string }
  | { ok: false; status: number; latencyMs: number; error: string };

/** Joins the API base URL and a path whatever the trailing slashes. */
export function apiUrl(api: string, pathAndQuery: string): string {
  return new URL(pathAndQuery.replace(/^\//, ''), api.endsWith('/') ? api : `${api}/`).toString();
}

/** Creates one session and measures the HTTP round trip; never throws for HTTP or network errors. */
export async function postSession(
  api: string,
  body: SessionBody,
  options: { timeoutMs: number; now?: () => number },
): Promise<CreateResult> {
  const now = options.now ?? performance.now.bind(performance);
  const started = now();
  try {
    const response = await fetch(apiUrl(api, '/sessions'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    const latencyMs = now() - started;
    if (!response.ok) return { ok: false, status: response.status, latencyMs, error: text.slice(0, 200) };
    const parsed = Created.safeParse(safeJson(text));
    if (!parsed.success) return { ok: false, status: response.status, latencyMs, error: 'unexpected body' };
    return { ok: true, status: response.status, latencyMs, ...parsed.data };
  } catch (error) {
    return { ok: false, status: 0, latencyMs: now() - started, error: (error as Error).message };
  }
}

/** The session ids on the newest page of `GET /sessions`. */
export async function listSessionIds(api: string, limit = 100): Promise<string[]> {
  const response = await fetch(apiUrl(api, `/sessions?limit=${limit}`), {
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GET /sessions answered ${response.status}`);
  return Page.parse(await response.json()).sessions.map((s) => s.sessionId);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
