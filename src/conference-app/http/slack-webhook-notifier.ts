import { DownstreamError, RateLimitedError } from '../sessions/errors';
import type { Notifier } from '../sessions/ports';
import type { Session } from '../sessions/session';

// Slack mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function describe(session: Session): string {
  const { speaker } = session;
  return (
    `"${session.subject}" (${session.duration} min) by ${speaker.firstName} ${speaker.lastName}, ` +
    `${speaker.company.companyName} (${speaker.company.companyCity}). sessionId ${session.sessionId}`
  );
}

/** The Slack message announcing one new session, or several in one list ("3 new sessions: …"). */
export function newSessionMessage(sessions: readonly Session[]): { text: string } {
  const [first] = sessions;
  if (sessions.length === 1 && first) return { text: escapeMrkdwn(`New session: ${describe(first)}`) };
  const lines = sessions.map((s) => `• ${describe(s)}`);
  return { text: escapeMrkdwn(`${sessions.length} new sessions:\n${lines.join('\n')}`) };
}

/** Reads Retry-After (whole seconds, as Slack sends it) in ms; 1 s when absent or unreadable. */
function retryAfterMs(header: string | null): number {
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000;
}

/** Announces new sessions through a Slack incoming webhook. */
export class SlackWebhookNotifier implements Notifier {
  constructor(private readonly webhookUrl: string) {}

  async announce(sessions: readonly Session[], signal?: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(newSessionMessage(sessions)),
        signal: signal ?? null,
      });
    } catch (error) {
      throw new DownstreamError('Slack webhook call failed', { cause: error });
    }
    // Drain the body so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    if (response.status === 429) {
      // Incoming webhooks take about one message per second, short bursts allowed, then 429.
      throw new RateLimitedError(
        'Slack webhook rate limited (HTTP 429)',
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    if (!response.ok) throw new DownstreamError(`Slack webhook answered HTTP ${response.status}`);
  }
}
