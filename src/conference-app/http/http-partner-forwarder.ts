import { DownstreamError } from '../sessions/errors';
import type { PartnerForwarder } from '../sessions/ports';
import type { Session } from '../sessions/session';

/** Forwards sessions as JSON to `<partner base URL>/session/forward`; anything but 2xx is a failure. */
export class HttpPartnerForwarder implements PartnerForwarder {
  readonly #url: string;

  constructor(partnerBaseUrl: string) {
    this.#url = `${partnerBaseUrl.replace(/\/+$/, '')}/session/forward`;
  }

  async forward(session: Session, signal?: AbortSignal): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-trace-id': session.traceId },
        body: JSON.stringify(session),
        signal: signal ?? null,
      });
    } catch (error) {
      throw new DownstreamError('Partner forward call failed', { cause: error });
    }
    await response.arrayBuffer().catch(() => undefined);
    if (!response.ok) throw new DownstreamError(`Partner answered HTTP ${response.status}`);
  }
}
