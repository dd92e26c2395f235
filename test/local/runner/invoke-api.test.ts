import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaInvokeHandler, createLambdaRunner, MemoryLogSink } from '../../../src/local/runner';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

describe('createLambdaInvokeHandler', () => {
  const sink = new MemoryLogSink();
  const runner = createLambdaRunner({
    awsEndpointUrl: 'http://127.0.0.1:1',
    logSink: sink,
    functions: [
      { name: 'echo', entry: fixture('echo') },
      { name: 'thrower', entry: fixture('throwing') },
    ],
  });
  const handle = createLambdaInvokeHandler(runner);
  let server: Server;
  let client: LambdaClient;

  beforeAll(async () => {
    server = createServer((request, response) => {
      void handle(request, response).then((handled) => {
        if (!handled) response.writeHead(418).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    client = new LambdaClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
    await runner.close();
  });

  it('returns the handler result to the real LambdaClient', async () => {
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'echo', Payload: Buffer.from(JSON.stringify({ text: 'hand-off' })) }),
    );

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBeUndefined();
    expect(output.ExecutedVersion).toBe('$LATEST');
    const payload = JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8'));
    expect(payload.event).toEqual({ text: 'hand-off' });
    expect(payload.functionName).toBe('echo');
  });

  it('accepts a function ARN and answers 202 for the Event invocation type', async () => {
    const output = await client.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:echo',
        InvocationType: 'Event',
        Payload: Buffer.from('{"n":1}'),
      }),
    );

    expect(output.StatusCode).toBe(202);
    await expect
      .poll(() => sink.messages('/aws/lambda/echo').filter((m) => m.startsWith('END')).length)
      .toBe(2);
  });

  it('marks a failed invocation with FunctionError Unhandled and Lambda error JSON', async () => {
    const output = await client.send(
      new InvokeCommand({ FunctionName: 'thrower', Payload: Buffer.from('{"message":"nope"}') }),
    );

    expect(output.StatusCode).toBe(200);
    expect(output.FunctionError).toBe('Unhandled');
    const payload = JSON.parse(Buffer.from(output.Payload ?? []).toString('utf8'));
    expect(payload).toMatchObject({ errorType: 'SaveFailedError', errorMessage: 'nope' });
  });

  it('throws ResourceNotFoundException for an unknown function', async () => {
    const call = client.send(new InvokeCommand({ FunctionName: 'missing' }));

    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});
