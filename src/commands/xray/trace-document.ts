import { z } from 'zod';

/** One trace of a BatchGetTraces response; each segment `Document` is a JSON string. */
export const BatchTraceSchema = z.object({
  Id: z.string(),
  Duration: z.number().nullish(),
  LimitExceeded: z.boolean().nullish(),
  Segments: z.array(z.object({ Id: z.string().optional(), Document: z.string() })).default([]),
});
export type BatchTrace = z.infer<typeof BatchTraceSchema>;

/** The BatchGetTraces output we read. */
export const BatchGetTracesOutputSchema = z.object({
  Traces: z.array(BatchTraceSchema).default([]),
  UnprocessedTraceIds: z.array(z.string()).default([]),
});

const CauseSchema = z.union([
  z.string(),
  z.object({
    exceptions: z
      .array(
        z.object({ id: z.string().optional(), message: z.string().optional(), type: z.string().optional() }),
      )
      .default([]),
  }),
]);

/** A segment or subsegment document (times are epoch seconds as floats). */
export interface SegmentDocument {
  name: string;
  id: string;
  trace_id?: string | undefined;
  parent_id?: string | undefined;
  type?: string | undefined;
  start_time: number;
  end_time?: number | undefined;
  in_progress?: boolean | undefined;
  error?: boolean | undefined;
  fault?: boolean | undefined;
  throttle?: boolean | undefined;
  namespace?: string | undefined;
  origin?: string | undefined;
  cause?: z.infer<typeof CauseSchema> | undefined;
  http?: { response?: { status?: number | undefined } | undefined } | undefined;
  aws?: { operation?: string | undefined; table_name?: string | undefined } | undefined;
  subsegments?: SegmentDocument[] | undefined;
}

/** zod schema of a segment document; subsegments nest recursively. */
export const SegmentDocumentSchema: z.ZodType<SegmentDocument> = z.lazy(() =>
  z.object({
    name: z.string().min(1),
    id: z.string().min(1),
    trace_id: z.string().optional(),
    parent_id: z.string().optional(),
    type: z.string().optional(),
    start_time: z.number(),
    end_time: z.number().optional(),
    in_progress: z.boolean().optional(),
    error: z.boolean().optional(),
    fault: z.boolean().optional(),
    throttle: z.boolean().optional(),
    namespace: z.string().optional(),
    origin: z.string().optional(),
    cause: CauseSchema.optional(),
    http: z.object({ response: z.object({ status: z.number().optional() }).optional() }).optional(),
    aws: z.object({ operation: z.string().optional(), table_name: z.string().optional() }).optional(),
    subsegments: z.array(SegmentDocumentSchema).optional(),
  }),
);

/** One node of a trace: a segment (service) or a subsegment (a call or a block of code). */
export interface TraceNode {
  readonly id: string;
  readonly name: string;
  readonly kind: 'segment' | 'subsegment';
  readonly startMs: number;
  /** Undefined while the node is in progress. */
  readonly endMs: number | undefined;
  readonly inProgress: boolean;
  readonly error: boolean;
  readonly fault: boolean;
  readonly throttle: boolean;
  readonly namespace?: string;
  readonly operation?: string;
  readonly tableName?: string;
  readonly origin?: string;
  readonly httpStatus?: number;
  /** The first exception's `type: message`, if the document carries one. */
  readonly cause?: string;
  readonly children: TraceNode[];
}

/** A whole trace with its segments linked by parent id. */
export interface TraceTree {
  readonly traceId: string;
  readonly durationMs?: number;
  readonly limitExceeded: boolean;
  readonly roots: TraceNode[];
  /** Segment documents that did not parse, kept so the view can say so. */
  readonly skipped: { readonly id: string; readonly error: string }[];
}

interface MutableNode extends Omit<TraceNode, 'children'> {
  children: MutableNode[];
}

function causeText(cause: SegmentDocument['cause']): string | undefined {
  if (!cause || typeof cause === 'string') return undefined;
  const first = cause.exceptions[0];
  if (!first) return undefined;
  return [first.type, first.message].filter(Boolean).join(': ') || undefined;
}

function toNode(doc: SegmentDocument, kind: TraceNode['kind'], index: Map<string, MutableNode>): MutableNode {
  const cause = causeText(doc.cause);
  const node: MutableNode = {
    id: doc.id,
    name: doc.name,
    kind,
    startMs: doc.start_time * 1000,
    endMs: doc.end_time !== undefined ? doc.end_time * 1000 : undefined,
    inProgress: doc.in_progress === true || doc.end_time === undefined,
    error: doc.error === true,
    fault: doc.fault === true,
    throttle: doc.throttle === true,
    ...(doc.namespace ? { namespace: doc.namespace } : {}),
    ...(doc.aws?.operation ? { operation: doc.aws.operation } : {}),
    ...(doc.aws?.table_name ? { tableName: doc.aws.table_name } : {}),
    ...(doc.origin ? { origin: doc.origin } : {}),
    ...(doc.http?.response?.status !== undefined ? { httpStatus: doc.http.response.status } : {}),
    ...(cause ? { cause } : {}),
    children: (doc.subsegments ?? []).map((s) => toNode(s, 'subsegment', index)),
  };
  index.set(node.id, node);
  return node;
}

function sortTree(nodes: MutableNode[]): void {
  nodes.sort((a, b) => a.startMs - b.startMs);
  for (const node of nodes) sortTree(node.children);
}

/**
 * Links nodes by `parent_id` into a forest; nodes whose parent is unknown (not sampled, or from a
 * service we cannot see) stay at the root so nothing is lost.
 */
export function linkNodes(
  entries: { node: MutableNode; parentId?: string | undefined }[],
  index: Map<string, MutableNode>,
): MutableNode[] {
  const roots: MutableNode[] = [];
  for (const { node, parentId } of entries) {
    const parent = parentId !== undefined ? index.get(parentId) : undefined;
    if (parent && parent !== node && !isDescendant(node, parent)) parent.children.push(node);
    else roots.push(node);
  }
  sortTree(roots);
  return roots;
}

function isDescendant(ancestor: MutableNode, candidate: MutableNode): boolean {
  return ancestor.children.some((c) => c === candidate || isDescendant(c, candidate));
}

/** The shape `linkNodes` works on, for other sources of spans (see spans-fallback.ts). */
export type LinkableNode = MutableNode;

/** Parses one BatchGetTraces trace into a tree: segments linked by parent id, subsegments nested. */
export function parseTrace(input: unknown): TraceTree {
  const trace = BatchTraceSchema.parse(input);
  const index = new Map<string, MutableNode>();
  const entries: { node: MutableNode; parentId?: string | undefined }[] = [];
  const skipped: { id: string; error: string }[] = [];
  for (const [i, segment] of trace.Segments.entries()) {
    let json: unknown;
    try {
      json = JSON.parse(segment.Document);
    } catch {
      skipped.push({ id: segment.Id ?? `#${i}`, error: 'Document: not JSON' });
      continue;
    }
    const doc = SegmentDocumentSchema.safeParse(json);
    if (!doc.success) {
      const issue = doc.error.issues[0];
      skipped.push({
        id: segment.Id ?? `#${i}`,
        error: `Document.${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
      });
      continue;
    }
    const kind = doc.data.type === 'subsegment' ? 'subsegment' : 'segment';
    entries.push({ node: toNode(doc.data, kind, index), parentId: doc.data.parent_id });
  }
  return {
    traceId: trace.Id,
    ...(trace.Duration != null ? { durationMs: trace.Duration * 1000 } : {}),
    limitExceeded: trace.LimitExceeded === true,
    roots: linkNodes(entries, index),
    skipped,
  };
}
