import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServiceFacts, TraceFacts } from './filter-expression';

/** The fields of a segment document the store indexes; the rest is kept verbatim. */
const StoredSegment = z.looseObject({
  id: z.string().min(1),
  trace_id: z.string().regex(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/),
  name: z.string().min(1),
  start_time: z.number(),
  end_time: z.number().optional(),
  in_progress: z.boolean().optional(),
  type: z.string().optional(),
  parent_id: z.string().optional(),
  fault: z.boolean().optional(),
  error: z.boolean().optional(),
  throttle: z.boolean().optional(),
  origin: z.string().optional(),
  annotations: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
type StoredSegment = z.infer<typeof StoredSegment>;

/** One trace's summary, computed from its segments. */
export interface TraceSummary extends TraceFacts {
  readonly id: string;
  /** Epoch seconds of the earliest start. */
  readonly startTime: number;
  readonly throttle: boolean;
  readonly annotations: Readonly<Record<string, string | number | boolean>>;
}

/** Segment documents by trace, optionally persisted as NDJSON under `<dataDir>/xray/`. */
export class TraceStore {
  private readonly traces = new Map<string, Map<string, { raw: string; doc: StoredSegment }>>();
  private readonly file: string | undefined;

  constructor(dataDir?: string) {
    if (dataDir === undefined) return;
    const dir = join(dataDir, 'xray');
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, 'segments.ndjson');
    let text = '';
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      // No file yet: a fresh data folder.
    }
    for (const line of text.split('\n')) if (line.trim()) this.add(line, false);
  }

  /** Stores one segment document (a JSON string); returns the parse error message when it is not one. */
  put(document: string): { ok: true; id: string } | { ok: false; id: string; message: string } {
    return this.add(document, true);
  }

  private add(raw: string, persist: boolean) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return { ok: false as const, id: '', message: 'Segment document is not JSON' };
    }
    const parsed = StoredSegment.safeParse(json);
    if (!parsed.success) {
      const id = typeof (json as { id?: unknown })?.id === 'string' ? (json as { id: string }).id : '';
      const issue = parsed.error.issues[0];
      return {
        ok: false as const,
        id,
        message: `Invalid segment: ${issue?.path.join('.')} ${issue?.message}`,
      };
    }
    const doc = parsed.data;
    let trace = this.traces.get(doc.trace_id);
    if (!trace) {
      trace = new Map();
      this.traces.set(doc.trace_id, trace);
    }
    // A later document with the same id replaces an in-progress one, as X-Ray does.
    const compact = JSON.stringify(json);
    trace.set(doc.id, { raw: compact, doc });
    if (persist && this.file) appendFileSync(this.file, `${compact}\n`);
    return { ok: true as const, id: doc.id };
  }

  /** The stored documents of a trace, as JSON strings, or undefined when unknown. */
  documents(traceId: string): { id: string; document: string }[] | undefined {
    const trace = this.traces.get(traceId);
    return trace ? [...trace.values()].map((s) => ({ id: s.doc.id, document: s.raw })) : undefined;
  }

  /** Summaries of every trace, newest first. */
  summaries(): TraceSummary[] {
    return [...this.traces.entries()]
      .map(([id, segments]) =>
        summarize(
          id,
          [...segments.values()].map((s) => s.doc),
        ),
      )
      .sort((a, b) => b.startTime - a.startTime);
  }
}

function summarize(id: string, docs: StoredSegment[]): TraceSummary {
  const start = Math.min(...docs.map((d) => d.start_time));
  const end = Math.max(...docs.map((d) => d.end_time ?? d.start_time));
  const segments = docs.filter((d) => d.type !== 'subsegment');
  const rootDocs = segments.filter((d) => d.parent_id === undefined);
  const rootEnd = Math.max(...(rootDocs.length ? rootDocs : docs).map((d) => d.end_time ?? d.start_time));
  const byService = new Map<string, StoredSegment[]>();
  for (const doc of segments.length ? segments : docs) {
    byService.set(doc.name, [...(byService.get(doc.name) ?? []), doc]);
  }
  // A subsegment's fault or error counts toward the service of the segment that owns it: a
  // function that catches a failed save and reports a partial batch failure faults in its
  // subsegment, not in the Lambda segment, and `service("fn") { fault = true }` must still find it.
  const byId = new Map(docs.map((d) => [d.id, d]));
  const flagged = new Map<string, { fault: boolean; error: boolean }>();
  for (const doc of docs) {
    const fault = doc.fault === true || nestedFlag(doc, 'fault');
    const error = doc.error === true || nestedFlag(doc, 'error');
    if (!fault && !error) continue;
    const owner = owningSegment(doc, byId);
    const facts = flagged.get(owner.name) ?? { fault: false, error: false };
    flagged.set(owner.name, { fault: facts.fault || fault, error: facts.error || error });
  }
  const services: ServiceFacts[] = [...byService.entries()].map(([name, list]) => {
    const s = Math.min(...list.map((d) => d.start_time));
    const e = Math.max(...list.map((d) => d.end_time ?? d.start_time));
    return {
      name,
      fault: flagged.get(name)?.fault === true,
      error: flagged.get(name)?.error === true,
      responseTime: e - s,
      duration: e - s,
    };
  });
  const annotations: Record<string, string | number | boolean> = {};
  for (const doc of docs) Object.assign(annotations, doc.annotations ?? {});
  return {
    id,
    startTime: start,
    services,
    fault: docs.some((d) => d.fault === true || nestedFlag(d, 'fault')),
    error: docs.some((d) => d.error === true || nestedFlag(d, 'error')),
    throttle: docs.some((d) => d.throttle === true),
    responseTime: rootEnd - start,
    duration: end - start,
    annotations,
  };
}

/** The segment a (possibly standalone) subsegment belongs to, following `parent_id` within the trace. */
function owningSegment(doc: StoredSegment, byId: ReadonlyMap<string, StoredSegment>): StoredSegment {
  let current = doc;
  for (let hops = 0; current.type === 'subsegment' && current.parent_id !== undefined && hops < 64; hops++) {
    const parent = byId.get(current.parent_id);
    if (!parent) break;
    current = parent;
  }
  return current;
}

/** Whether a subsegment embedded in the document (at any depth) carries the flag. */
function nestedFlag(doc: unknown, flag: 'fault' | 'error', depth = 0): boolean {
  if (depth > 32 || typeof doc !== 'object' || doc === null) return false;
  const subsegments = (doc as { subsegments?: unknown }).subsegments;
  if (!Array.isArray(subsegments)) return false;
  return subsegments.some(
    (sub) =>
      (typeof sub === 'object' && sub !== null && (sub as Record<string, unknown>)[flag] === true) ||
      nestedFlag(sub, flag, depth + 1),
  );
}
