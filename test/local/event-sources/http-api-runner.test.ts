import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApiServer, startHttpApi } from '../../../src/local/event-sources';
import { createLambdaRunner, MemoryLogSink } from '../../../src/local/runner';

const echo = fileURLToPath(new URL('../runner/fixtures/echo.ts', import.meta.url));

describe('startHttpApi with the real runner', () => {
  const sink = new MemoryLogSink();
  const runner = createLambdaRunner({
    awsEndpointUrl: 'http://127.0.0.1:1',
    logSink: sink,
    functions: [{ name: 'list', entry: echo }],
  });
  let api: HttpApiServer;

  beforeAll(async () => {
    api = await startHttpApi({ invoker: runner, routes: { 'GET /sessions': 'list' } });
  });
  afterAll(async () => {
    await api.close();
    await runner.close();
  });

  it('hands the payload v2 event to the handler process and returns its result', async () => {
    const response = await fetch(`${api.url}/sessions?limit=5`);

    expect(response.status).toBe(200);
    const body = (await response.json()) as { event: APIGatewayProxyEventV2; functionName: string };
    expect(body.functionName).toBe('list');
    expect(body.event).toMatchObject({
      routeKey: 'GET /sessions',
      rawQueryString: 'limit=5',
      queryStringParameters: { limit: '5' },
      requestContext: { http: { method: 'GET', path: '/sessions' } },
    });
    expect(sink.messages('/aws/lambda/list').some((m) => m.startsWith('REPORT RequestId:'))).toBe(true);
  });
});
