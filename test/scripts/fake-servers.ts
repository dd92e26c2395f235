import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening loopback server and its base URL. */
export interface Running {
  server: Server;
  url: string;
  close(): Promise<void>;
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function listen(server: Server): Promise<Running> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Behaviour knobs of the fake conference service. */
export interface FakeServiceOptions {
  /** Delay before a created session shows in GET /sessions and is sent on. */
  pipelineDelayMs: number;
  /** When false, nothing is posted to the webhook (a broken notifier). */
  notifies: boolean;
  /** Where sessions are announced and forwarded (the stand-ins' URLs); nowhere when absent. */
  webhookUrl?: string;
  partnerUrl?: string;
  /** Answer POST /sessions with this status instead of 202. */
  createStatus?: number;
  /** Delay before answering POST /sessions (a slow API). */
  responseDelayMs?: number;
}

/**
 * A small conference service on loopback: POST/GET /sessions; after a delay, as the real pipeline
 * would, the session is listed, announced to the webhook and forwarded to the partner.
 */
export async function startFakeService(options: FakeServiceOptions) {
  const sessions: { sessionId: string; traceId: string }[] = [];
  let posts = 0;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && url.pathname === '/sessions') {
      posts += 1;
      const payload = JSON.parse(await body(req)) as { subject: string };
      if (options.responseDelayMs)
        await new Promise((resolve) => setTimeout(resolve, options.responseDelayMs));
      if (options.createStatus) return json(options.createStatus, { message: 'refused' });
      const created = { sessionId: randomUUID(), traceId: randomUUID() };
      setTimeout(() => {
        sessions.unshift(created);
        const post = (url: string, value: unknown) =>
          fetch(url, { method: 'POST', body: JSON.stringify(value) }).catch(() => undefined);
        if (options.notifies && options.webhookUrl) {
          void post(options.webhookUrl, { text: `New session ${payload.subject} (${created.sessionId})` });
        }
        if (options.partnerUrl) void post(options.partnerUrl, { ...payload, sessionId: created.sessionId });
      }, options.pipelineDelayMs);
      return json(202, created);
    }
    if (req.method === 'GET' && url.pathname === '/sessions') return json(200, { sessions });
    json(404, { message: 'not found' });
  });
  const running = await listen(server);
  return { ...running, sessions, posts: () => posts };
}
