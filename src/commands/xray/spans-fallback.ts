import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { type LinkableNode, linkNodes, type TraceTree } from './trace-document';

/** The log group where CloudWatch Transaction Search stores spans (BatchGetTraces then finds nothing). */
export const SPANS_LOG_GROUP = 'aws/spans';

const XRAY_ID = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const OTEL_ID = /^[0-9a-f]{32}$/;

/** Converts an X-Ray trace id (`1-5759e988-bd862e3fe1be46a994272793`) to the 32-hex OTel id spans carry. */
export function xrayToOtelTraceId(traceId: string): string {
  const id = traceId.trim().toLowerCase();
  if (OTEL_ID.test(id)) return id;
  const match = XRAY_ID.exec(id);
  if (!match) {
    throw new InvalidInputError(
      `not a trace id: ${JSON.stringify(traceId)}`,
      'That is not an X-Ray trace id (expected 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx).',
    );
  }
  return `${match[1]}${match[2]}`;
}

/** Converts a 32-hex OTel trace id back to the X-Ray form. */
export function otelToXrayTraceId(otelId: string): string {
  const id = xrayToOtelTraceId(otelId);
  return `1-${id.slice(0, 8)}-${id.slice(8)}`;
}

/** The Logs Insights query that reads one trace's spans from `aws/spans`. */
export function buildSpansQuery(traceId: string): string {
  // The id is validated to 32 hex digits above, so it is safe inside double quotes as is.
  const otel = xrayToOtelTraceId(traceId);
  return [
    'fields @timestamp, @message',
    `| filter traceId = "${otel}"`,
    '| sort @timestamp asc',
    '| limit 500',
  ].join('\n');
}

const Nanos = z.union([z.number(), z.string().regex(/^\d+$/)]);

/** One span as Transaction Search writes it to `aws/spans` (OTel span JSON). */
export const OtelSpanSchema = z.object({
  traceId: z.string(),
  spanId: z.string().min(1),
  parentSpanId: z.string().optional(),
  name: z.string().min(1),
  kind: z.union([z.string(), z.number()]).optional(),
  startTimeUnixNano: Nanos,
  endTimeUnixNano: Nanos.optional(),
  status: z
    .object({ code: z.union([z.string(), z.number()]).optional(), message: z.string().optional() })
    .optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  resource: z.object({ attributes: z.record(z.string(), z.unknown()).default({}) }).optional(),
});
export type OtelSpan = z.infer<typeof OtelSpanSchema>;

/** A row of GetQueryResults: every value is a string. */
export type InsightsRow = readonly { readonly field: string; readonly value: string }[];

function nanosToMs(value: number | string): number {
  // Nanosecond epochs exceed 2^53: split with BigInt when they arrive as strings to keep sub-ms precision.
  if (typeof value === 'string') {
    const big = BigInt(value);
    return Number(big / 1_000_000n) + Number(big % 1_000_000n) / 1e6;
  }
  return value / 1e6;
}

function attr(span: OtelSpan, key: string): string | undefined {
  const value = span.attributes[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function isError(code: string | number | undefined): boolean {
  return code === 'ERROR' || code === 'STATUS_CODE_ERROR' || code === 2;
}

function isClient(kind: string | number | undefined): boolean {
  return kind === 'CLIENT' || kind === 'SPAN_KIND_CLIENT' || kind === 3;
}

function toNode(span: OtelSpan): LinkableNode {
  const startMs = nanosToMs(span.startTimeUnixNano);
  const endMs = span.endTimeUnixNano !== undefined ? nanosToMs(span.endTimeUnixNano) : undefined;
  const status = Number(
    attr(span, 'http.response.status_code') ?? attr(span, 'http.status_code') ?? Number.NaN,
  );
  const failed = isError(span.status?.code);
  // X-Ray's flags from OTel: 429 throttle, other 4xx error, 5xx or an unexplained ERROR status fault.
  const throttle = status === 429;
  const error = failed && status >= 400 && status < 500;
  const fault = failed && !error;
  const remoteService = attr(span, 'aws.remote.service');
  const client = isClient(span.kind);
  const service = attr(span, 'rpc.service');
  const operation = attr(span, 'aws.remote.operation') ?? attr(span, 'rpc.method');
  const namespace = client ? (remoteService?.startsWith('AWS::') || service ? 'aws' : 'remote') : undefined;
  return {
    id: span.spanId,
    // X-Ray names AWS calls after the service (DynamoDB) and keeps the operation apart.
    name: client && service ? service : span.name,
    kind: span.parentSpanId ? 'subsegment' : 'segment',
    startMs,
    endMs,
    inProgress: endMs === undefined,
    error: error || (throttle && failed),
    fault,
    throttle,
    ...(namespace ? { namespace } : {}),
    ...(operation ? { operation } : {}),
    ...(Number.isFinite(status) ? { httpStatus: status } : {}),
    ...(failed && span.status?.message ? { cause: span.status.message } : {}),
    children: [],
  };
}

function messageOf(row: InsightsRow | string | Readonly<Record<string, unknown>>): unknown {
  if (typeof row === 'string') return parseJson(row);
  if (Array.isArray(row)) {
    const message = (row as InsightsRow).find((f) => f.field === '@message')?.value;
    return message === undefined ? undefined : parseJson(message);
  }
  // A LogSearch row (field → value) carries the span JSON in `@message`.
  const message = (row as Readonly<Record<string, unknown>>)['@message'];
  return typeof message === 'string' ? parseJson(message) : row;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Turns the spans of one trace (LogSearch rows or GetQueryResults rows with `@message`, raw JSON
 * lines, or span objects)
 * into the same TraceTree BatchGetTraces gives, so one waterfall and bottleneck serve both.
 */
export function spansToTraceTree(
  rows: readonly (InsightsRow | string | Readonly<Record<string, unknown>>)[],
  traceId: string,
): TraceTree {
  const otel = xrayToOtelTraceId(traceId);
  const index = new Map<string, LinkableNode>();
  const entries: { node: LinkableNode; parentId?: string | undefined }[] = [];
  const skipped: { id: string; error: string }[] = [];
  for (const [i, row] of rows.entries()) {
    const message = messageOf(row);
    if (message === undefined) {
      skipped.push({ id: `#${i}`, error: '@message: missing or not JSON' });
      continue;
    }
    const parsed = OtelSpanSchema.safeParse(message);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      skipped.push({
        id: `#${i}`,
        error: `@message.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      });
      continue;
    }
    if (parsed.data.traceId.toLowerCase() !== otel) continue;
    if (index.has(parsed.data.spanId)) continue; // the same span can be ingested twice
    const node = toNode(parsed.data);
    index.set(node.id, node);
    entries.push({ node, parentId: parsed.data.parentSpanId || undefined });
  }
  return {
    traceId: otelToXrayTraceId(otel),
    limitExceeded: false,
    roots: linkNodes(entries, index),
    skipped,
  };
}
