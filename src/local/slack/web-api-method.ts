/** What a Web API method answers: Slack's JSON body (`ok`, `error`, …), HTTP 200 unless said. */
export interface ApiResult {
  status?: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

/** One Web API method of the local Slack, on its decoded arguments. */
export type WebApiMethod = (args: Record<string, unknown>) => ApiResult;

/** Slack's `{ ok: false, error }` answer. */
export function apiError(error: string): ApiResult {
  return { body: { ok: false, error } };
}
