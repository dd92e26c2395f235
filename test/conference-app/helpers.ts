import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Span, SpanOptions, Tracer } from '@opentelemetry/api';
import type { APIGatewayProxyEventV2, Context, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { ServiceLogLine } from '../../src/conference-app/contract';
import { ServiceLogger } from '../../src/conference-app/observability/logger';
import type { Session } from '../../src/conference-app/sessions/session';
import { sortKeyOf } from '../../src/conference-app/store/dynamodb-session-store';
import {
  cacheTableInput,
  SESSIONS_PARTITION,
  sessionsTableInput,
} from '../../src/conference-app/store/table-definitions';
import { startTestDynamo } from '../fakes/dynalite';

/** The seed's load-test body. */
export const newSessionBody: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../fixtures/conference-app/new-session.json', import.meta.url), 'utf8'),
);

/** A logger whose lines are captured as parsed JSON objects. */
export function capturingLogger(): { logger: ServiceLogger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { logger: new ServiceLogger({ sink: (line) => lines.push(JSON.parse(line)) }), lines };
}

/** Asserts every captured line satisfies the service log contract and returns them typed. */
export function contractLines(lines: Record<string, unknown>[]): ServiceLogLine[] {
  return lines.map((line) => ServiceLogLine.parse(line));
}

/** A Lambda context as the runtime passes it. */
export function lambdaContext(
  functionName: string,
  awsRequestId: string = randomUUID(),
  remainingMs = 3000,
): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '128',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/24/[$LATEST]abc',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An API Gateway HTTP API (payload v2) event. */
export function apiEvent(options: {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  isBase64Encoded?: boolean;
}): APIGatewayProxyEventV2 {
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: `${options.method} ${options.path}`,
    rawPath: options.path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'api.example.com',
      domainPrefix: 'api',
      http: {
        method: options.method,
        path: options.path,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'test',
      },
      requestId: randomUUID(),
      routeKey: `${options.method} ${options.path}`,
      stage: '$default',
      time: '24/Nov/2026:15:00:00 +0000',
      timeEpoch: Date.now(),
    },
    isBase64Encoded: options.isBase64Encoded ?? false,
  };
  if (options.body !== undefined) event.body = options.body;
  if (options.query !== undefined) event.queryStringParameters = options.query;
  return event;
}

/** A stored session, as create-session would have produced it. */
export function aSession(overrides: Partial<Session> = {}): Session {
  return {
    sessionId: randomUUID(),
    traceId: randomUUID(),
    createdAt: new Date().toISOString(),
    subject: 'Tracing a slow save',
    duration: 20,
    timestamp: 1570202335000,
    speaker: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      company: { companyName: 'Analytical Engines', companyCity: 'London' },
      questionPhrase: 'Why?',
    },
    ...overrides,
  };
}

/** A DynamoDB stream event whose records carry the sessions as the sessions table stores them. */
export function streamEvent(
  entries: { session: Session; eventName?: 'INSERT' | 'MODIFY' | 'REMOVE' }[],
): DynamoDBStreamEvent {
  return {
    Records: entries.map(({ session, eventName = 'INSERT' }, index): DynamoDBRecord => {
      const item = { pk: SESSIONS_PARTITION, sk: sortKeyOf(session), ...session };
      const image = marshall(item) as NonNullable<DynamoDBRecord['dynamodb']>['NewImage'];
      return {
        eventID: String(index),
        eventName,
        eventSource: 'aws:dynamodb',
        eventVersion: '1.1',
        awsRegion: 'eu-west-1',
        eventSourceARN:
          'arn:aws:dynamodb:eu-west-1:123456789012:table/sessions/stream/2026-11-24T00:00:00.000',
        dynamodb: {
          Keys: marshall({ pk: item.pk, sk: item.sk }) as NonNullable<DynamoDBRecord['dynamodb']>['Keys'],
          ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
          SequenceNumber: String(1000 + index),
          SizeBytes: 100,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      };
    }),
  };
}

/** A dynalite server on loopback with the service's two tables. */
export async function startDynalite(): Promise<{
  client: DynamoDBDocumentClient;
  sessionsTable: string;
  cacheTable: string;
  close: () => Promise<void>;
}> {
  const { raw, client, close } = await startTestDynamo();
  const sessionsTable = 'sessions';
  const cacheTable = 'sessions-cache';
  await raw.send(new CreateTableCommand(sessionsTableInput(sessionsTable)));
  await raw.send(new CreateTableCommand(cacheTableInput(cacheTable)));
  return { client, sessionsTable, cacheTable, close };
}

/** An HTTP stub on loopback that records requests and in-flight counts; `respond` decides each answer. */
export async function startStub(
  respond: (body: Record<string, unknown>, res: ServerResponse) => Promise<void> | void,
): Promise<{
  url: string;
  received: Record<string, unknown>[];
  maxInFlight: () => number;
  close: () => Promise<void>;
}> {
  const received: Record<string, unknown>[] = [];
  let inFlight = 0;
  let max = 0;
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    inFlight++;
    max = Math.max(max, inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    received.push({ ...body, path: req.url });
    try {
      await respond(body, res);
    } finally {
      inFlight--;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    maxInFlight: () => max,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A finished span as the recording tracer keeps it. */
export interface RecordedSpan {
  name: string;
  attributes: Record<string, unknown>;
  startedAt: number;
  endedAt: number;
  exceptions: unknown[];
  status?: { code: number; message?: string };
}

/** A minimal OpenTelemetry tracer that records spans in memory (only @opentelemetry/api is installed). */
export function recordingTracer(): { tracer: Tracer; spans: RecordedSpan[] } {
  const spans: RecordedSpan[] = [];
  const startSpan = (name: string, options?: SpanOptions): Span => {
    const recorded: RecordedSpan = {
      name,
      attributes: { ...(options?.attributes ?? {}) },
      startedAt: performance.now(),
      endedAt: Number.NaN,
      exceptions: [],
    };
    const span: Span = {
      spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
      setAttribute: (key, value) => {
        recorded.attributes[key] = value;
        return span;
      },
      setAttributes: (attributes) => {
        Object.assign(recorded.attributes, attributes);
        return span;
      },
      addEvent: () => span,
      addLink: () => span,
      addLinks: () => span,
      setStatus: (status) => {
        recorded.status = status;
        return span;
      },
      updateName: (newName) => {
        recorded.name = newName;
        return span;
      },
      end: () => {
        recorded.endedAt = performance.now();
        spans.push(recorded);
      },
      isRecording: () => true,
      recordException: (exception) => {
        recorded.exceptions.push(exception);
      },
    };
    return span;
  };
  const tracer = {
    startSpan,
    startActiveSpan: (name: string, ...rest: unknown[]) => {
      const fn = rest[rest.length - 1] as (span: Span) => unknown;
      const options = (rest.length > 1 ? rest[0] : undefined) as SpanOptions | undefined;
      return fn(startSpan(name, options));
    },
  } as Tracer;
  return { tracer, spans };
}
