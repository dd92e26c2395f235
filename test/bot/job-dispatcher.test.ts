import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as workerSide from '../../src/bot/job-dispatcher';
import { DispatchError, LambdaJobDispatcher } from '../../src/bot/lambda-job-dispatcher';

// A stand-in for Lambda's Invoke API on loopback, so the real SDK client does the real request.
describe('LambdaJobDispatcher', () => {
  let server: Server;
  let endpoint: string;
  const calls: { path: string; invocationType: string | undefined; payload: unknown }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '';
        calls.push({
          path,
          invocationType: request.headers['x-amz-invocation-type'] as string | undefined,
          payload: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
        if (path.includes('missing-fn')) {
          response.writeHead(404, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'ResourceNotFoundException',
          });
          response.end(JSON.stringify({ Type: 'User', message: 'Function not found' }));
          return;
        }
        response.writeHead(202);
        response.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    new LambdaClient({
      endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  const input = {
    job: { kind: 'trace' as const, id: '865ccaad-ced0-4de5-aec3-b3692b2e06a0' },
    reply: {
      channelId: 'C0001',
      userId: 'U0001',
      share: false,
      responseUrl: 'http://127.0.0.1:3100/response/x',
    },
  };

  it('invokes the worker asynchronously (Event) with the job as payload', async () => {
    await new LambdaJobDispatcher(client(), 'gumshoe-worker').dispatch(input);
    expect(calls.at(-1)).toEqual({
      path: '/2015-03-31/functions/gumshoe-worker/invocations',
      invocationType: 'Event',
      payload: input,
    });
  });

  it('sends a thread reply target as it is', async () => {
    const threaded = {
      ...input,
      reply: { channelId: 'C0001', userId: 'U0001', share: true, threadTs: '1700000000.000100' },
    };
    await new LambdaJobDispatcher(client(), 'gumshoe-worker').dispatch(threaded);
    expect(calls.at(-1)?.payload).toEqual(threaded);
    // What it sends is what the worker accepts on arrival.
    expect(workerSide.WorkerInput.parse(calls.at(-1)?.payload)).toEqual(threaded);
  });

  it('refuses a reply target Slack did not give us (no channel) without invoking the worker', async () => {
    const before = calls.length;
    const error = await new LambdaJobDispatcher(client(), 'gumshoe-worker')
      .dispatch({ ...input, reply: { ...input.reply, channelId: '' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchError);
    expect(calls.length).toBe(before);
  });

  it('is the dispatcher the worker side re-exports', () => {
    expect(workerSide.LambdaJobDispatcher).toBe(LambdaJobDispatcher);
    expect(workerSide.DispatchError).toBe(DispatchError);
  });

  it('wraps a failed invoke in DispatchError with a user message', async () => {
    const error = await new LambdaJobDispatcher(client(), 'missing-fn')
      .dispatch(input)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchError);
    expect(error).toMatchObject({ userMessage: expect.stringMatching(/try again/) });
  });
});
