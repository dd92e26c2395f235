import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { closeServer, listen } from '../event-sources/http-api';
import { RateLimiter } from '../slack/rate-limiter';
import { type LatencyDistribution, type RandomSource, sampleLatency } from './latency';

/** The two outside services the conference app calls. */
export const STAND_IN_TARGETS = ['slack', 'partner'] as const;
/** One of the stand-ins. */
export type StandInTarget = (typeof STAND_IN_TARGETS)[number];

/** How one stand-in behaves: its latency and the share of requests it fails. */
export interface StandInBehaviour {
  latency: LatencyDistribution;
  /** 0..1: the probability a request gets `failureStatus` instead of success. */
  failureRate: number;
  failureStatus: number;
  /** Requests per second with a short burst, then 429 with Retry-After; null for no limit. */
  rateLimit: { perSecond: number; burst: number } | null;
}

/**
 * Slack's incoming-webhook limit: about one message per second, short bursts allowed
 * (https://api.slack.com/docs/rate-limits, "Posting messages"). On by default for the webhook.
 */
export const SLACK_WEBHOOK_RATE_LIMIT = { perSecond: 1, burst: 3 } as const;

/** One request a stand-in received. */
export interface ReceivedRequest {
  path: string;
  receivedAt: string;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  status: number;
  latencyMs: number;
}

const behaviourPatch = z.object({
  latency: z.object({ median: z.number().min(0).max(60_000), sigma: z.number().min(0).max(5) }).optional(),
  failureRate: z.number().min(0).max(1).optional(),
  failureStatus: z.number().int().min(400).max(599).optional(),
  rateLimit: z
    .object({ perSecond: z.number().positive().max(10_000), burst: z.number().int().min(1).max(10_000) })
    .nullable()
    .optional(),
});

/** The body of `POST /_config`: top-level settings apply to both stand-ins, `slack`/`partner` to one. */
export const StandInConfigPatch = behaviourPatch.extend({
  slack: behaviourPatch.optional(),
  partner: behaviourPatch.optional(),
});
/** A parsed config change. */
export type StandInConfigPatch = z.infer<typeof StandInConfigPatch>;

/** How the stand-ins start. */
export interface StandInsOptions {
  port?: number;
  host?: string;
  /** Applied to both at start; the seed's WireMock stub used median 100 ms, sigma 0.1. */
  config?: StandInConfigPatch;
  random?: RandomSource;
  /** The clock of the rate limit (tests). */
  now?: () => number;
}

/** The running stand-ins, with an in-process view of what they received. */
export interface StandIns {
  url: string;
  port: number;
  /** An incoming-webhook URL on this server (`/services/T0001/B0001/local`). */
  slackWebhookUrl: string;
  /** The partner's base URL (the service's PARTNER_BASE_URL; it posts to `/session/forward` under it). */
  partnerBaseUrl: string;
  /** The partner's forward endpoint (`/session/forward`). */
  partnerUrl: string;
  received(target: StandInTarget): ReceivedRequest[];
  behaviour(target: StandInTarget): StandInBehaviour;
  configure(patch: StandInConfigPatch): void;
  clear(): void;
  close(): Promise<void>;
}

/** Body of the partner's success answer, as the seed's stub sends it. */
export const PARTNER_SUCCESS_BODY = 'I have received the session correctly';

/** Starts one server standing in for Slack incoming webhooks and the partner's forward endpoint. */
export async function startStandIns(options: StandInsOptions = {}): Promise<StandIns> {
  const random = options.random ?? Math.random;
  const behaviours: Record<StandInTarget, StandInBehaviour> = {
    slack: {
      latency: { median: 0, sigma: 0 },
      failureRate: 0,
      failureStatus: 500,
      rateLimit: { ...SLACK_WEBHOOK_RATE_LIMIT },
    },
    partner: { latency: { median: 0, sigma: 0 }, failureRate: 0, failureStatus: 500, rateLimit: null },
  };
  const limiter = new RateLimiter(options.now);
  const received: Record<StandInTarget, ReceivedRequest[]> = { slack: [], partner: [] };

  function configure(patch: StandInConfigPatch): void {
    const { slack, partner, ...both } = StandInConfigPatch.parse(patch);
    for (const target of STAND_IN_TARGETS) {
      Object.assign(behaviours[target], both, target === 'slack' ? slack : partner);
      limiter.set(target, behaviours[target].rateLimit);
    }
  }
  configure(options.config ?? {});

  async function serveTarget(
    target: StandInTarget,
    request: IncomingMessage,
    response: ServerResponse,
    path: string,
  ) {
    const text = (await readBody(request)).toString('utf8');
    const behaviour = behaviours[target];
    const retryAfter = limiter.take(target, path);
    if (retryAfter > 0) {
      received[target].push({
        path,
        receivedAt: new Date().toISOString(),
        body: parseBody(text),
        status: 429,
        latencyMs: 0,
      });
      response.writeHead(429, { 'content-type': 'text/plain', 'retry-after': String(retryAfter) });
      response.end('rate_limited');
      return;
    }
    const latencyMs = sampleLatency(behaviour.latency, random);
    const failed = random() < behaviour.failureRate;
    const status = failed ? behaviour.failureStatus : 200;
    received[target].push({
      path,
      receivedAt: new Date().toISOString(),
      body: parseBody(text),
      status,
      latencyMs,
    });
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    // Slack answers incoming webhooks with the text `ok`; its errors are short text codes too.
    const body =
      target === 'slack'
        ? failed
          ? 'internal_error'
          : 'ok'
        : failed
          ? 'partner failure'
          : PARTNER_SUCCESS_BODY;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    if (method === 'POST' && path.startsWith('/services/'))
      return serveTarget('slack', request, response, path);
    if (method === 'POST' && path === '/session/forward')
      return serveTarget('partner', request, response, path);
    if (path === '/_received' && method === 'GET') return sendJson(response, 200, received);
    if (path === '/_received' && method === 'DELETE') {
      clear();
      return sendJson(response, 200, received);
    }
    const target = /^\/_received\/(slack|partner)$/.exec(path)?.[1] as StandInTarget | undefined;
    if (target !== undefined && method === 'GET') return sendJson(response, 200, received[target]);
    if (path === '/_config' && method === 'GET') return sendJson(response, 200, behaviours);
    if (path === '/_config' && method === 'POST') {
      const parsed = StandInConfigPatch.safeParse(parseBody((await readBody(request)).toString('utf8')));
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return sendJson(response, 400, {
          message: `invalid config at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
        });
      }
      configure(parsed.data);
      return sendJson(response, 200, behaviours);
    }
    sendJson(response, 404, { message: 'Not Found' });
  }

  function clear(): void {
    received.slack.length = 0;
    received.partner.length = 0;
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { message: String(error) });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    slackWebhookUrl: `${url}/services/T0001/B0001/local`,
    partnerBaseUrl: url,
    partnerUrl: `${url}/session/forward`,
    received: (target) => [...received[target]],
    behaviour: (target) => structuredClone(behaviours[target]),
    configure,
    clear,
    close: () => closeServer(server),
  };
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
