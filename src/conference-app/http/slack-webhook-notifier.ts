import { DownstreamError } from '../sessions/errors';
import type { Notifier } from '../sessions/ports';
import type { Session } from '../sessions/session';

// Slack mrkdwn treats &, < and > as control characters (https://api.slack.com/reference/surfaces/formatting#escaping).
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Slack message announcing one new session. */
export function newSessionMessage(session: Session): { text: string } {
  const { speaker } = session;
  return {
    text: escapeMrkdwn(
      `New session: "${session.subject}" (${session.duration} min) by ${speaker.firstName} ${speaker.lastName}, ` +
        `${speaker.company.companyName} (${speaker.company.companyCity}). sessionId ${session.sessionId}`,
    ),
  };
}

/** Announces new sessions through a Slack incoming webhook. */
export class SlackWebhookNotifier implements Notifier {
  constructor(private readonly webhookUrl: string) {}

  async notifyNewSession(session: Session, signal?: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(newSessionMessage(session)),
        signal: signal ?? null,
      });
    } catch (error) {
      throw new DownstreamError('Slack webhook call failed', { cause: error });
    }
    // Drain the body so the connection is released.
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new DownstreamError(`Slack webhook answered HTTP ${response.status}`);
  }
}
