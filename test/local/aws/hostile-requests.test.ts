import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installLocalObservability,
  type LocalObservability,
} from '../../../src/local/alarms/local-observability';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { clientConfig, corruptBody, rejectionOf } from './helpers';

// Bodies a broken or hostile client might send; none may stop the endpoint or get a 5xx.
const bodies = [
  'null',
  '[]',
  '1',
  '"x"',
  '',
  '{',
  '{}',
  '{"TableName":null}',
  '{"TableName":"t","Key":null}',
  '{"RequestItems":{"t":[null]}}',
  '{"TableName":"t","Item":{"a":{"S":null}}}',
  '{"QueueUrl":null,"Entries":[null]}',
  '{"logGroupName":"a","logStreamName":"b","logEvents":[null]}',
  '{"queryString":"fields @message | filter @message like /(/","logGroupNames":["a"],"startTime":0,"endTime":1}',
  '{"MetricDataQueries":[null]}',
  '{"__proto__":{"polluted":1}}',
];
const targets = {
  DynamoDB_20120810: ['ListTables', 'PutItem', 'GetItem', 'Query', 'BatchWriteItem', 'TransactWriteItems'],
  DynamoDBStreams_20120810: ['DescribeStream', 'GetShardIterator', 'GetRecords'],
  Logs_20140328: ['PutLogEvents', 'StartQuery', 'GetQueryResults', 'FilterLogEvents'],
  AmazonSQS: ['SendMessage', 'SendMessageBatch', 'ReceiveMessage', 'DeleteMessageBatch'],
  GraniteServiceVersion20100801: ['PutMetricAlarm', 'GetMetricData', 'SetAlarmState'],
};
const restPaths = [
  '/2015-03-31/functions/x/invocations',
  '/TraceSegments',
  '/Traces',
  '/TraceSummaries',
  '/',
];

describe('the local AWS endpoint under hostile requests', () => {
  let aws: LocalAws;
  let observability: LocalObservability;
  let dynamo: DynamoDBClient;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    observability = installLocalObservability(aws, { region: 'eu-west-1', evaluationIntervalMs: 0 });
    dynamo = new DynamoDBClient(clientConfig(aws.url));
  });
  afterAll(async () => {
    dynamo.destroy();
    observability.close();
    await aws.close();
  });

  it.each(['null', '[]', '1', '"x"'])(
    'answers DynamoDB ListTables with body %s with SerializationException and keeps serving',
    async (body) => {
      const broken = new DynamoDBClient(clientConfig(aws.url));
      broken.middlewareStack.add(corruptBody(body), { step: 'finalizeRequest' });

      const error = await rejectionOf(broken.send(new ListTablesCommand({})));
      broken.destroy();

      expect(error.name).toBe('SerializationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      await expect(dynamo.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
    },
  );

  it('answers every odd body to every service with a 4xx, never a 5xx, and stays up', async () => {
    const statuses: number[] = [];
    for (const [prefix, operations] of Object.entries(targets)) {
      for (const operation of operations) {
        for (const body of bodies) {
          const response = await fetch(aws.url, {
            method: 'POST',
            headers: {
              'x-amz-target': `${prefix}.${operation}`,
              'content-type': 'application/x-amz-json-1.0',
            },
            body,
          });
          await response.arrayBuffer();
          statuses.push(response.status);
        }
      }
    }
    for (const path of restPaths) {
      for (const body of bodies) {
        const response = await fetch(`${aws.url}${path}`, { method: 'POST', body });
        await response.arrayBuffer();
        statuses.push(response.status);
      }
    }

    expect(statuses.length).toBe(400);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    await expect(dynamo.send(new ListTablesCommand({}))).resolves.toHaveProperty('TableNames');
  });
});
