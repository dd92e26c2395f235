import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionInvoker } from '../../../src/local/event-sources/function-invoker';
import { type HttpApiServer, startHttpApi } from '../../../src/local/event-sources/http-api';
import type { LocalInvokeResult } from '../../../src/local/runner';

/** A fake runner: records events and answers what the test sets per function. */
class RecordingInvoker implements FunctionInvoker {
  readonly calls: { name: string; event: APIGatewayProxyEventV2 }[] = [];
  answers = new Map<string, () => Promise<Partial<LocalInvokeResult>>>();

  async invoke(name: string, event: unknown): Promise<LocalInvokeResult> {
    this.calls.push({ name, event: event as APIGatewayProxyEventV2 });
    const answer = (await this.answers.get(name)?.()) ?? { payload: { statusCode: 200, body: 'ok' } };
    return { requestId: 'req-1', statusCode: 200, payload: null, ...answer };
  }
}

describe('startHttpApi', () => {
  const invoker = new RecordingInvoker();
  let api: HttpApiServer;
  let functionUrl: HttpApiServer;

  beforeAll(async () => {
    api = await startHttpApi({
      invoker,
      integrationTimeoutMs: 200,
      routes: { 'POST /sessions': 'create', 'GET /sessions': 'list', 'GET /sessions/{id}': 'get' },
    });
    functionUrl = await startHttpApi({ invoker, routes: { $default: 'slack-events' } });
  });
  afterAll(async () => {
    await api.close();
    await functionUrl.close();
  });

  it('builds a payload v2 event with lower-cased headers, query, cookies and a text body', async () => {
    invoker.answers.set('create', async () => ({
      payload: {
        statusCode: 201,
        headers: { 'X-Trace': 't-1' },
        body: '{"id":"s-1"}',
        cookies: ['a=1', 'b=2'],
      },
    }));

    const response = await fetch(`${api.url}/sessions?x=1&y=2&x=3`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Custom': 'Yes', Cookie: 'c1=v1; c2=v2' },
      body: '{"title":"Lambda"}',
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('x-trace')).toBe('t-1');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await response.text()).toBe('{"id":"s-1"}');
    const event = invoker.calls.at(-1)?.event;
    expect(invoker.calls.at(-1)?.name).toBe('create');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /sessions',
      rawPath: '/sessions',
      rawQueryString: 'x=1&y=2&x=3',
      queryStringParameters: { x: '1,3', y: '2' },
      cookies: ['c1=v1', 'c2=v2'],
      body: '{"title":"Lambda"}',
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        stage: '$default',
        routeKey: 'POST /sessions',
        http: { method: 'POST', path: '/sessions', sourceIp: '127.0.0.1', protocol: 'HTTP/1.1' },
      },
    });
    expect(event?.headers['content-type']).toBe('application/json');
    expect(event?.headers['x-custom']).toBe('Yes');
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(event?.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs((event?.requestContext.timeEpoch ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it('base64-encodes a binary body and decodes a base64 result', async () => {
    invoker.answers.set('create', async () => ({
      payload: { statusCode: 200, body: Buffer.from([1, 2, 3]).toString('base64'), isBase64Encoded: true },
    }));

    const response = await fetch(`${api.url}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0xff, 0x00, 0x10]),
    });

    expect([...new Uint8Array(await response.arrayBuffer())]).toEqual([1, 2, 3]);
    const event = invoker.calls.at(-1)?.event;
    expect(event?.isBase64Encoded).toBe(true);
    expect(Buffer.from(event?.body ?? '', 'base64')).toEqual(Buffer.from([0xff, 0x00, 0x10]));
  });

  it('passes path parameters and turns a plain return value into a 200 JSON body', async () => {
    invoker.answers.set('get', async () => ({ payload: { id: 'abc' } }));

    const response = await fetch(`${api.url}/sessions/abc`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: 'abc' });
    expect(invoker.calls.at(-1)?.event).toMatchObject({
      routeKey: 'GET /sessions/{id}',
      pathParameters: { id: 'abc' },
    });
    expect(invoker.calls.at(-1)?.event.queryStringParameters).toBeUndefined();
  });

  it('answers 404 Not Found for an unknown route without invoking anything', async () => {
    const before = invoker.calls.length;

    const response = await fetch(`${api.url}/talks`, { method: 'DELETE' });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
    expect(invoker.calls.length).toBe(before);
  });

  it('answers 500 when the function fails and 503 when it outlives the integration timeout', async () => {
    invoker.answers.set('list', async () => ({
      functionError: 'Unhandled',
      payload: { errorType: 'Error' },
    }));
    const failed = await fetch(`${api.url}/sessions`);
    invoker.answers.set('list', () => new Promise((resolve) => setTimeout(() => resolve({}), 1000)));
    const slow = await fetch(`${api.url}/sessions`);

    expect(failed.status).toBe(500);
    expect(await failed.json()).toEqual({ message: 'Internal Server Error' });
    expect(slow.status).toBe(503);
    expect(await slow.json()).toEqual({ message: 'Service Unavailable' });
  });

  it('serves a Function URL with routeKey $default and the raw form body', async () => {
    const form = 'command=%2Ftrace&text=abc';

    const response = await fetch(`${functionUrl.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-signature': 'v0=abc' },
      body: form,
    });

    expect(response.status).toBe(200);
    const event = invoker.calls.at(-1)?.event;
    expect(invoker.calls.at(-1)?.name).toBe('slack-events');
    expect(event).toMatchObject({
      routeKey: '$default',
      rawPath: '/slack/events',
      body: form,
      isBase64Encoded: false,
    });
    expect(event?.headers['x-slack-signature']).toBe('v0=abc');
  });
  it("answers 413 for an event over Lambda's 6 MB payload, never invokes the function, and keeps serving", async () => {
    const calls = invoker.calls.length;
    const tooBig = await fetch(`${functionUrl.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(6_291_457),
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.json()).toEqual({ message: 'Request Entity Too Large' });

    // Under the body limit, but the event around it (base64 for a binary body) is over 6 MB.
    const encodedTooBig = await fetch(`${functionUrl.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(5_000_000, 1),
    });
    expect(encodedTooBig.status).toBe(413);
    expect(invoker.calls.length).toBe(calls);

    const fits = await fetch(`${functionUrl.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(1_000_000),
    });
    expect(fits.status).toBe(200);
    expect(invoker.calls.length).toBe(calls + 1);
  });
});
