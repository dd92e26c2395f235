import type { CreatedSession, DeliveryCheck } from './smoke-steps';

/** Where the local stand-ins show what they received (GET endpoints answering JSON). */
export interface StandInUrls {
  /** The Slack webhook receiver's record of received messages. */
  webhook: string;
  /** The partner endpoint's record of forwarded sessions. */
  partner: string;
}

/**
 * Looks for the session id in what the local webhook receiver and partner endpoint recorded.
 * Matching the id anywhere in the record keeps the check independent of each payload's layout
 * (the Slack message carries it in text, the partner gets the session object).
 */
export class StandInDeliveryCheck implements DeliveryCheck {
  readonly kind = 'local stand-ins';

  constructor(private readonly urls: StandInUrls) {}

  notified(session: CreatedSession): Promise<boolean> {
    return recorded(this.urls.webhook, session.sessionId);
  }

  forwarded(session: CreatedSession): Promise<boolean> {
    return recorded(this.urls.partner, session.sessionId);
  }
}

async function recorded(url: string, sessionId: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.text()).includes(sessionId);
}
