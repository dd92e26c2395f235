/**
 * Where a `response_url` may point. A signed payload names the URL the worker POSTs its answer to, so
 * the URL is checked against this policy at the edge (before Bolt) and again before every POST: a
 * payload must not turn the worker into a request forwarder (loopback, the AWS endpoint, another
 * app's incoming webhook).
 */
export type ResponseUrlPolicy =
  /** In AWS: https on port 443 to one of Slack's response hosts, under a response path. */
  | { readonly kind: 'slack'; readonly hosts: readonly string[] }
  /** Locally: under the local Slack's response base (`http://127.0.0.1:3100/response/`) only. */
  | { readonly kind: 'base'; readonly base: string };

/**
 * Slack's response host. Enterprise Grid workspaces get the same host; GovSlack and other
 * deployments add theirs through SLACK_RESPONSE_URL_HOSTS.
 */
export const DEFAULT_RESPONSE_URL_HOSTS = ['hooks.slack.com'] as const;

// response_url paths Slack hands out: /commands/… (slash commands), /actions/… (interactions),
// /app/… (shortcuts, modals). /services/… is an incoming webhook, never a response_url.
const SLACK_RESPONSE_PATH = /^\/(commands|actions|app)\/[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)+$/;
// What follows the local base: the local Slack's response ids.
const LOCAL_RESPONSE_ID = /^[A-Za-z0-9_-]{1,100}$/;

function parse(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/**
 * True when `url` is a response_url this deployment may POST to. Judged on the URL as WHATWG parses
 * it (what fetch will request), so `0x7f000001`, `%2e%2e` segments and similar spellings are seen
 * for what they are.
 */
export function isAllowedResponseUrl(url: string, policy: ResponseUrlPolicy): boolean {
  const parsed = parse(url);
  if (!parsed) return false;
  if (parsed.username !== '' || parsed.password !== '' || parsed.search !== '' || parsed.hash !== '')
    return false;
  if (policy.kind === 'slack') {
    return (
      parsed.protocol === 'https:' &&
      parsed.port === '' &&
      policy.hosts.includes(parsed.hostname) &&
      SLACK_RESPONSE_PATH.test(parsed.pathname)
    );
  }
  const base = parse(policy.base);
  if (!base || parsed.origin !== base.origin) return false;
  const prefix = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return parsed.pathname.startsWith(prefix) && LOCAL_RESPONSE_ID.test(parsed.pathname.slice(prefix.length));
}

/**
 * Every response_url a parsed Slack body names (a slash command's form field, an interaction
 * payload's, a view submission's list), as found: a repeated form field shows up as an array, which
 * no policy allows.
 */
export function responseUrlsOf(body: Record<string, unknown>): unknown[] {
  const urls: unknown[] = [body.response_url];
  if (Array.isArray(body.response_urls)) {
    for (const entry of body.response_urls) {
      urls.push(
        typeof entry === 'object' && entry !== null
          ? (entry as { response_url?: unknown }).response_url
          : entry,
      );
    }
  }
  return urls.filter((url) => url !== undefined);
}
