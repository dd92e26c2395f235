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
  /** Delay before a created session shows in GET /sessions and reaches the stand-ins. */
  pipelineDelayMs: number;
  /** When false, the webhook stand-in never receives anything (a broken notifier). */
  notifies: boolean;
  /** Answer POST /sessions with this status instead of 202. */
  createStatus?: number;
  /** Delay before answering POST /sessions (a slow API). */
  responseDelayMs?: number;
}

/**
 * A small conference service on loopback: POST/GET /sessions, and stand-in records of what the
 * "webhook" and "partner" received, filled after a delay as the real pipeline would.
 */
export async function startFakeService(options: FakeServiceOptions) {
  const sessions: { sessionId: string; traceId: string }[] = [];
  const webhook: unknown[] = [];
  const partner: unknown[] = [];
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
        if (options.notifies) webhook.push({ text: `New session ${payload.subject} (${created.sessionId})` });
        partner.push({ ...payload, sessionId: created.sessionId });
      }, options.pipelineDelayMs);
      return json(202, created);
    }
    if (req.method === 'GET' && url.pathname === '/sessions') return json(200, { sessions });
    if (req.method === 'GET' && url.pathname === '/webhook/received') return json(200, webhook);
    if (req.method === 'GET' && url.pathname === '/partner/received') return json(200, partner);
    json(404, { message: 'not found' });
  });
  const running = await listen(server);
  return { ...running, sessions, posts: () => posts };
}
