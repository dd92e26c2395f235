import { fileURLToPath } from 'node:url';
import {
  CloudWatchLogsClient,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import {
  CloudWatchLogSink,
  createLambdaInvokeService,
  createLambdaRunner,
  type LambdaRunner,
} from '../../../src/local/runner';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
});

describe('the runner with the local AWS endpoint', () => {
  let aws: LocalAws;
  let logs: CloudWatchLogsClient;
  let inProcess: LambdaRunner;
  let overTheWire: LambdaRunner;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    logs = new CloudWatchLogsClient(clientConfig(aws.url));
    inProcess = createLambdaRunner({
      awsEndpointUrl: aws.url,
      logSink: aws.logs,
      functions: [{ name: 'logger-in-process', entry: fixture('logging'), exportName: 'work' }],
    });
    overTheWire = createLambdaRunner({
      awsEndpointUrl: aws.url,
      logSink: new CloudWatchLogSink(logs),
      functions: [{ name: 'logger-over-http', entry: fixture('logging'), exportName: 'work' }],
    });
    aws.registerRestService(createLambdaInvokeService(inProcess));
  });
  afterAll(async () => {
    await inProcess.close();
    await overTheWire.close();
    logs.destroy();
    await aws.close();
  });

  it('writes START, handler lines, END and REPORT into the log group through PutLogEvents', async () => {
    const result = await overTheWire.invoke('logger-over-http', { sessionId: 's-9' });

    const stream = result.requestId;
    const group = '/aws/lambda/logger-over-http';
    const described = await logs.send(new DescribeLogStreamsCommand({ logGroupName: group }));
    const streamName = described.logStreams?.[0]?.logStreamName ?? '';
    const events = await logs.send(
      new GetLogEventsCommand({ logGroupName: group, logStreamName: streamName, startFromHead: true }),
    );
    const messages = (events.events ?? []).map((e) => e.message);
    expect(streamName).toMatch(/\[\$LATEST\][0-9a-f]{32}$/);
    expect(messages[0]).toBe(`START RequestId: ${stream} Version: $LATEST`);
    expect(JSON.parse(messages[1] ?? '{}')).toMatchObject({ sessionId: 's-9' });
    expect(messages.at(-2)).toBe(`END RequestId: ${stream}`);
    expect(messages.at(-1)).toMatch(/^REPORT RequestId: .*\tInit Duration: \d+\.\d{2} ms$/);
  });

  it('serves Lambda Invoke on the endpoint and logs into its in-process store', async () => {
    const lambda = new LambdaClient(clientConfig(aws.url));

    const output = await lambda.send(
      new InvokeCommand({ FunctionName: 'logger-in-process', Payload: Buffer.from('{"sessionId":"s-1"}') }),
    );

    lambda.destroy();
    expect(output.StatusCode).toBe(200);
    expect(Buffer.from(output.Payload ?? []).toString('utf8')).toBe('"ok"');
    const events = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: '/aws/lambda/logger-in-process',
      }),
    );
    const messages = (events.events ?? []).map((e) => e.message ?? '');
    expect(messages.some((m) => m.startsWith('REPORT RequestId:'))).toBe(true);
    expect(messages.some((m) => m.includes('"milestone":"DONE"'))).toBe(true);
  });
});
