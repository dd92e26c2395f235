import { type Attributes, type HrTime, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { type TraceHeader, toXRayTraceId } from '../../conference-app/observability/tracing/trace-header';

/** One X-Ray segment or subsegment document, as PutTraceSegments takes it (before JSON). */
export interface XRaySegmentDocument {
  name: string;
  id: string;
  trace_id: string;
  start_time: number;
  end_time: number;
  type?: 'subsegment';
  parent_id?: string;
  origin?: string;
  namespace?: 'aws' | 'remote';
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: { exceptions: { id: string; type?: string; message?: string }[] };
  annotations?: Record<string, string | number | boolean>;
  aws?: Record<string, string>;
  http?: { response: { status: number } };
}

function seconds(time: HrTime): number {
  return time[0] + time[1] / 1e9;
}

// X-Ray annotation keys allow only letters, digits and underscores.
function annotationsOf(attributes: Attributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('aws.') || key.startsWith('http.')) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      out[key.replace(/[^A-Za-z0-9_]/g, '_')] = value;
  }
  return out;
}

/**
 * Converts one finished span into a separate subsegment document: AWS SDK client spans (attribute
 * `aws.service`) become `namespace: aws` subsegments named after the service, as the X-Ray SDK
 * records them; a span without a parent hangs under `fallbackParentId` (the function's facade).
 */
export function spanToSubsegment(span: ReadableSpan, fallbackParentId?: string): XRaySegmentDocument {
  const context = span.spanContext();
  const attributes = span.attributes;
  const service = attributes['aws.service'];
  const status = attributes['http.status_code'];
  const failed = span.status.code === SpanStatusCode.ERROR;
  const clientFault = failed && typeof status === 'number' && status >= 400 && status < 500;
  const parentId = span.parentSpanContext?.spanId ?? fallbackParentId;
  const doc: XRaySegmentDocument = {
    name: typeof service === 'string' ? service : span.name,
    id: context.spanId,
    trace_id: toXRayTraceId(context.traceId),
    start_time: seconds(span.startTime),
    end_time: seconds(span.endTime),
    type: 'subsegment',
    ...(parentId ? { parent_id: parentId } : {}),
  };
  if (typeof service === 'string' || span.kind === SpanKind.CLIENT) doc.namespace = 'aws';
  if (typeof service === 'string') {
    const aws: Record<string, string> = {};
    for (const key of ['operation', 'table_name', 'region', 'request_id'] as const) {
      const value = attributes[`aws.${key}`];
      if (typeof value === 'string') aws[key] = value;
    }
    doc.aws = aws;
  }
  if (typeof status === 'number') doc.http = { response: { status } };
  if (failed) {
    if (clientFault) doc.error = true;
    else doc.fault = true;
    if (status === 429) doc.throttle = true;
    const exceptions = span.events
      .filter((e) => e.name === 'exception')
      .map((e, i) => ({
        id: `${context.spanId.slice(0, 12)}${String(i).padStart(4, '0')}`,
        ...(typeof e.attributes?.['exception.type'] === 'string'
          ? { type: e.attributes['exception.type'] }
          : {}),
        message: String(e.attributes?.['exception.message'] ?? span.status.message ?? ''),
      }));
    if (exceptions.length > 0) doc.cause = { exceptions };
  }
  const annotations = annotationsOf(attributes);
  if (Object.keys(annotations).length > 0) doc.annotations = annotations;
  return doc;
}

/** The facade segment Lambda records for one invocation, with the function's name. */
export function facadeSegment(options: {
  header: TraceHeader & { parent: string };
  functionName: string;
  region: string;
  requestId: string;
  startMs: number;
  endMs: number;
  failed: boolean;
}): XRaySegmentDocument {
  return {
    name: options.functionName,
    id: options.header.parent,
    trace_id: options.header.root,
    start_time: options.startMs / 1000,
    end_time: options.endMs / 1000,
    origin: 'AWS::Lambda::Function',
    aws: {
      function_arn: `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`,
      request_id: options.requestId,
    },
    ...(options.failed ? { fault: true } : {}),
  };
}
