import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AwsServiceError } from '../errors';
import type { RawResponse, RequestContext, RestRequest, RestServiceDefinition } from '../registry';
import { parseInput } from '../validate';
import { compileFilterExpression } from './filter-expression';
import { documentsOfOtlpRequest } from './otlp-traces';
import type { TraceStore, TraceSummary } from './trace-store';

/** BatchGetTraces takes at most this many ids per call, as X-Ray does. */
const MAX_BATCH_IDS = 5;
/** Summaries per GetTraceSummaries page. */
const SUMMARY_PAGE_SIZE = 100;

const PutTraceSegmentsInput = z.object({ TraceSegmentDocuments: z.array(z.string()).min(1) });
const BatchGetTracesInput = z.object({ TraceIds: z.array(z.string()), NextToken: z.string().optional() });
const GetTraceSummariesInput = z.object({
  StartTime: z.number(),
  EndTime: z.number(),
  FilterExpression: z.string().optional(),
  NextToken: z.string().optional(),
  Sampling: z.boolean().optional(),
  TimeRangeType: z.string().optional(),
});

const ROUTES: Record<string, (input: unknown, store: TraceStore) => unknown> = {
  '/TraceSegments': putTraceSegments,
  '/Traces': batchGetTraces,
  '/TraceSummaries': getTraceSummaries,
};

/** The X-Ray restJson service: PutTraceSegments, BatchGetTraces and GetTraceSummaries over a TraceStore. */
export function createXRayService(store: TraceStore): RestServiceDefinition {
  return {
    name: 'xray',
    matches: (method, path) =>
      method === 'POST' && (Object.hasOwn(ROUTES, path) || path === OTLP_TRACES_PATH),
    handle(request: RestRequest, ctx: RequestContext): RawResponse {
      try {
        if (request.path === OTLP_TRACES_PATH) return putOtlpTraces(request, ctx, store);
        const route = ROUTES[request.path];
        if (!route) throw new AwsServiceError('UnknownOperationException', `Unknown path ${request.path}`);
        return respond(200, route(parseBody(request.body), store));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        return {
          status: error.status,
          headers: {
            'content-type': 'application/json',
            'x-amzn-errortype': error.code,
            'x-amzn-requestid': randomUUID(),
          },
          body: JSON.stringify({ message: error.message }),
        };
      }
    },
  };
}

/** X-Ray's OTLP traces endpoint (https://xray.<region>.amazonaws.com/v1/traces). */
const OTLP_TRACES_PATH = '/v1/traces';

// Spans sent to the OTLP endpoint become subsegments of their trace, as Transaction Search indexes
// them. Locally OTLP/JSON only (the endpoint also takes protobuf): a protobuf body is refused with 415.
function putOtlpTraces(request: RestRequest, ctx: RequestContext, store: TraceStore): RawResponse {
  const type = String(ctx.headers['content-type'] ?? '');
  if (!type.startsWith('application/json'))
    return {
      status: 415,
      headers: { 'content-type': 'text/plain' },
      body: 'The local X-Ray OTLP endpoint takes OTLP/HTTP JSON (content-type application/json)',
    };
  if (!String(ctx.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
    throw new AwsServiceError('MissingAuthenticationTokenException', 'Request is missing a SigV4 signature', {
      status: 403,
    });
  for (const document of documentsOfOtlpRequest(parseBody(request.body))) {
    const result = store.put(JSON.stringify(document));
    if (!result.ok) throw new AwsServiceError('InvalidRequestException', result.message);
  }
  return respond(200, {});
}

function respond(status: number, body: unknown): RawResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() },
    body: JSON.stringify(body),
  };
}

function parseBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (cause) {
    throw new AwsServiceError('InvalidRequestException', 'Request body is not JSON', { cause });
  }
}

function putTraceSegments(input: unknown, store: TraceStore): unknown {
  const { TraceSegmentDocuments } = parseInput(PutTraceSegmentsInput, input, 'InvalidRequestException');
  const unprocessed = [];
  for (const document of TraceSegmentDocuments) {
    const result = store.put(document);
    if (!result.ok) unprocessed.push({ Id: result.id, ErrorCode: 'InvalidSegment', Message: result.message });
  }
  return { UnprocessedTraceSegments: unprocessed };
}

function batchGetTraces(input: unknown, store: TraceStore): unknown {
  const { TraceIds } = parseInput(BatchGetTracesInput, input, 'InvalidRequestException');
  if (TraceIds.length > MAX_BATCH_IDS)
    throw new AwsServiceError('InvalidRequestException', `Exceeding maximum query size: ${MAX_BATCH_IDS}`);
  const summaries = new Map(store.summaries().map((s) => [s.id, s]));
  const traces = [];
  const unprocessed = [];
  for (const id of TraceIds) {
    const documents = store.documents(id);
    if (!documents) {
      unprocessed.push(id);
      continue;
    }
    traces.push({
      Id: id,
      Duration: summaries.get(id)?.duration ?? 0,
      LimitExceeded: false,
      Segments: documents.map((d) => ({ Id: d.id, Document: d.document })),
    });
  }
  return { Traces: traces, UnprocessedTraceIds: unprocessed };
}

function getTraceSummaries(input: unknown, store: TraceStore): unknown {
  const request = parseInput(GetTraceSummariesInput, input, 'InvalidRequestException');
  if (request.EndTime < request.StartTime)
    throw new AwsServiceError('InvalidRequestException', 'EndTime must be after StartTime');
  const filter = request.FilterExpression ? compileFilterExpression(request.FilterExpression) : () => true;
  const inWindow = store
    .summaries()
    .filter((s) => s.startTime >= request.StartTime && s.startTime <= request.EndTime);
  const matching = inWindow.filter(filter);
  const offset = request.NextToken === undefined ? 0 : decodeToken(request.NextToken);
  const page = matching.slice(offset, offset + SUMMARY_PAGE_SIZE);
  const nextOffset = offset + page.length;
  return {
    TraceSummaries: page.map(toWire),
    ApproximateTime: Math.floor(Date.now() / 1000),
    TracesProcessedCount: inWindow.length,
    ...(nextOffset < matching.length ? { NextToken: encodeToken(nextOffset) } : {}),
  };
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

function decodeToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the error below.
  }
  throw new AwsServiceError('InvalidRequestException', 'Invalid NextToken');
}

function toWire(summary: TraceSummary): unknown {
  const annotations: Record<string, unknown[]> = {};
  for (const [key, value] of Object.entries(summary.annotations)) {
    const wire =
      typeof value === 'string'
        ? { StringValue: value }
        : typeof value === 'number'
          ? { NumberValue: value }
          : { BooleanValue: value };
    annotations[key] = [{ AnnotationValue: wire }];
  }
  return {
    Id: summary.id,
    StartTime: summary.startTime,
    Duration: summary.duration,
    ResponseTime: summary.responseTime,
    HasFault: summary.fault,
    HasError: summary.error,
    HasThrottle: summary.throttle,
    IsPartial: false,
    ServiceIds: summary.services.map((s) => ({ Name: s.name, Names: [s.name] })),
    Annotations: annotations,
  };
}
