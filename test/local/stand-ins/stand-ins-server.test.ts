import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PARTNER_SUCCESS_BODY,
  type StandIns,
  seededRandom,
  startStandIns,
} from '../../../src/local/stand-ins';

describe('startStandIns', () => {
  let standIns: StandIns;
  let nowMs = 0;

  beforeAll(async () => {
    standIns = await startStandIns({ random: seededRandom(3), now: () => nowMs });
  });
  beforeEach(() => {
    standIns.clear();
    // Most tests post faster than Slack's webhook limit allows: off unless a test turns it on.
    standIns.configure({ latency: { median: 0, sigma: 0 }, failureRate: 0, slack: { rateLimit: null } });
  });
  afterAll(() => standIns.close());

  const post = (url: string, body: unknown) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('answers a Slack incoming webhook with ok and records the message', async () => {
    const response = await post(standIns.slackWebhookUrl, { text: 'New session: Lambda' });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('ok');
    expect(standIns.received('slack')).toMatchObject([
      { path: '/services/T0001/B0001/local', body: { text: 'New session: Lambda' }, status: 200 },
    ]);
    expect(standIns.received('partner')).toEqual([]);
  });

  it('limits the webhook as Slack does by default: a short burst, then 429 with Retry-After', async () => {
    const fresh = await startStandIns({ now: () => nowMs });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 5; i += 1) {
        const response = await post(fresh.slackWebhookUrl, { text: `message ${i}` });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
        await response.text();
      }
      nowMs += 1_000;
      const afterASecond = await post(fresh.slackWebhookUrl, { text: 'later' });

      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(retryAfter).toBe('1');
      expect(afterASecond.status).toBe(200);
      expect(fresh.behaviour('slack').rateLimit).toEqual({ perSecond: 1, burst: 3 });
      expect(fresh.behaviour('partner').rateLimit).toBeNull();
    } finally {
      await fresh.close();
    }
  });

  it('answers the partner forward with its success text and lists what it got over HTTP', async () => {
    const response = await post(`${standIns.partnerBaseUrl}/session/forward`, { sessionId: 's-1' });
    const listed = await (await fetch(`${standIns.url}/_received/partner`)).json();
    const all = (await (await fetch(`${standIns.url}/_received`)).json()) as {
      slack: unknown[];
      partner: unknown[];
    };

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(PARTNER_SUCCESS_BODY);
    expect(listed).toMatchObject([{ path: '/session/forward', body: { sessionId: 's-1' } }]);
    expect(all.slack).toEqual([]);
    expect(all.partner).toHaveLength(1);
  });

  it('delays answers by the configured lognormal latency, changed at runtime over HTTP', async () => {
    const configured = await post(`${standIns.url}/_config`, {
      partner: { latency: { median: 150, sigma: 0.05 } },
    });
    const started = performance.now();

    await post(standIns.partnerUrl, { sessionId: 's-2' });

    const elapsed = performance.now() - started;
    expect(configured.status).toBe(200);
    expect(elapsed).toBeGreaterThan(120);
    expect(standIns.received('partner')[0]?.latencyMs).toBeGreaterThan(120);
    expect(standIns.behaviour('slack').latency.median).toBe(0);
  });

  it('fails the configured share of requests', async () => {
    standIns.configure({ slack: { failureRate: 1, failureStatus: 503 } });

    const failed = await post(standIns.slackWebhookUrl, { text: 'x' });
    const partner = await post(standIns.partnerUrl, { sessionId: 's-3' });

    expect(failed.status).toBe(503);
    expect(partner.status).toBe(200);
    expect(standIns.received('slack')[0]?.status).toBe(503);
  });

  it('rejects an invalid config with the failing path', async () => {
    const response = await post(`${standIns.url}/_config`, { failureRate: 2 });

    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toContain('failureRate');
  });

  it('clears what it received on DELETE /_received', async () => {
    await post(standIns.slackWebhookUrl, { text: 'x' });

    await fetch(`${standIns.url}/_received`, { method: 'DELETE' });

    expect(standIns.received('slack')).toEqual([]);
  });
});
