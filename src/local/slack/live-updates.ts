import type { ServerResponse } from 'node:http';

/** Server-sent events telling open pages that the channel changed; pages then fetch what changed. */
export class LiveUpdates {
  private readonly clients = new Set<ServerResponse>();
  private version = 0;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    // A comment line now and then keeps idle connections open through proxies.
    this.heartbeat = setInterval(() => {
      for (const client of this.clients) client.write(': keep-alive\n\n');
    }, heartbeatMs);
    this.heartbeat.unref();
  }

  /** Takes a `GET /_local/events` request and keeps its response open as an event stream. */
  subscribe(response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    response.write(`retry: 1000\n\n`);
    this.clients.add(response);
    response.on('close', () => this.clients.delete(response));
  }

  /** Tells every open page that the channel changed. */
  changed(): void {
    this.version += 1;
    for (const client of this.clients) client.write(`event: change\ndata: ${this.version}\n\n`);
  }

  close(): void {
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
