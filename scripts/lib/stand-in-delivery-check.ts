import { z } from 'zod';
import type { CreatedSession, DeliveryCheck } from './smoke-steps';

// What the stand-ins answer on GET /_received/<target> (src/local/stand-ins): every request they got.
const Received = z.array(z.object({ status: z.number(), body: z.unknown() }));

/**
 * Looks for the session id in what the local Slack-webhook and partner stand-ins received and
 * answered with success. Matching the id anywhere in the body keeps the check independent of each
 * payload's layout (the Slack message carries it in text, the partner gets the session object).
 */
export class StandInDeliveryCheck implements DeliveryCheck {
  readonly kind = 'local stand-ins';

  /** @param standInsUrl base URL of the stand-ins server (serves `/_received/slack` and `/_received/partner`). */
  constructor(private readonly standInsUrl: string) {}

  notified(session: CreatedSession): Promise<boolean> {
    return this.received('slack', session.sessionId);
  }

  forwarded(session: CreatedSession): Promise<boolean> {
    return this.received('partner', session.sessionId);
  }

  private async received(target: 'slack' | 'partner', sessionId: string): Promise<boolean> {
    const url = new URL(`/_received/${target}`, this.standInsUrl);
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return Received.parse(await response.json()).some(
      (r) => r.status >= 200 && r.status < 300 && JSON.stringify(r.body).includes(sessionId),
    );
  }
}
