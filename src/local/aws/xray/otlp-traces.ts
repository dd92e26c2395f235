import { z } from 'zod';
import { toXRayTraceId } from '../../../conference-app/observability/tracing/trace-header';
import type { XRaySegmentDocument } from '../../tracing/segment-document';
import { AwsServiceError } from '../errors';

// OTLP/HTTP JSON (ExportTraceServiceRequest), as X-Ray's /v1/traces endpoint accepts it: ids are
// hex, times are unix nanoseconds (strings, since they exceed 2^53), attributes are AnyValues.
const AnyValue = z.object({
  stringValue: z.string().optional(),
  boolValue: z.boolean().optional(),
  intValue: z.union([z.string(), z.number()]).optional(),
  doubleValue: z.number().optional(),
});
const KeyValue = z.object({ key: z.string(), value: AnyValue.optional() });
const Nanos = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]);
const OtlpSpan = z.object({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  parentSpanId: z.string().optional(),
  name: z.string().min(1),
  kind: z.number().int().optional(),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos,
  attributes: z.array(KeyValue).default([]),
  events: z.array(z.object({ name: z.string(), attributes: z.array(KeyValue).default([]) })).default([]),
  status: z.object({ code: z.number().int().optional(), message: z.string().optional() }).optional(),
});
/** An OTLP/JSON export request for traces. */
export const ExportTraceServiceRequest = z.object({
  resourceSpans: z.array(
    z.object({ scopeSpans: z.array(z.object({ spans: z.array(OtlpSpan).default([]) })).default([]) }),
  ),
});
type OtlpSpan = z.infer<typeof OtlpSpan>;

/** Span kind CLIENT in OTLP's enum (SPAN_KIND_CLIENT). */
const SPAN_KIND_CLIENT = 3;
/** Status code ERROR in OTLP's enum (STATUS_CODE_ERROR). */
const STATUS_CODE_ERROR = 2;

function anyValueOf(value: z.infer<typeof AnyValue> | undefined): string | number | boolean | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  return value.doubleValue;
}

function attributesOf(list: z.infer<typeof KeyValue>[]): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list) {
    const v = anyValueOf(value);
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const seconds = (nanos: string | number): number => Number(BigInt(nanos) / 1000n) / 1e6;

/**
 * X-Ray's view of one OTLP span: a subsegment of its trace under its parent span (the function's
 * segment for the handler's first span), with its attributes as annotations and a failed span as a
 * fault carrying its exception events, as Transaction Search shows spans in the trace map.
 */
export function otlpSpanToSubsegment(span: OtlpSpan): XRaySegmentDocument {
  const attributes = attributesOf(span.attributes);
  const service = attributes['aws.service'];
  const doc: XRaySegmentDocument = {
    name: typeof service === 'string' ? service : span.name,
    id: span.spanId,
    trace_id: toXRayTraceId(span.traceId),
    start_time: seconds(span.startTimeUnixNano),
    end_time: seconds(span.endTimeUnixNano),
    type: 'subsegment',
    ...(span.parentSpanId && /^[0-9a-f]{16}$/.test(span.parentSpanId)
      ? { parent_id: span.parentSpanId }
      : {}),
  };
  if (typeof service === 'string' || span.kind === SPAN_KIND_CLIENT) doc.namespace = 'aws';
  if (span.status?.code === STATUS_CODE_ERROR) {
    doc.fault = true;
    const exceptions = span.events
      .filter((e) => e.name === 'exception')
      .map((e, i) => {
        const a = attributesOf(e.attributes);
        return {
          id: `${span.spanId.slice(0, 12)}${String(i).padStart(4, '0')}`,
          ...(typeof a['exception.type'] === 'string' ? { type: a['exception.type'] } : {}),
          message: String(a['exception.message'] ?? span.status?.message ?? ''),
        };
      });
    if (exceptions.length > 0) doc.cause = { exceptions };
  }
  const annotations: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(attributes))
    if (!key.startsWith('aws.') && !key.startsWith('http.'))
      annotations[key.replace(/[^A-Za-z0-9_]/g, '_')] = value;
  if (Object.keys(annotations).length > 0) doc.annotations = annotations;
  return doc;
}

/** The subsegment documents of an OTLP/JSON body; a body that is not one is InvalidRequestException. */
export function documentsOfOtlpRequest(body: unknown): XRaySegmentDocument[] {
  const parsed = ExportTraceServiceRequest.safeParse(body);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new AwsServiceError(
      'InvalidRequestException',
      `Not an OTLP ExportTraceServiceRequest (at ${where})`,
    );
  }
  return parsed.data.resourceSpans.flatMap((r) =>
    r.scopeSpans.flatMap((s) => s.spans.map(otlpSpanToSubsegment)),
  );
}
