import * as z from 'zod/mini';
import { parseInsightsTime } from '../query/rows';

/** What went wrong in one invocation (or one init), as the Lambda runtime and platform log it. */
export const RUNTIME_ERROR_KINDS = [
  'out_of_memory',
  'timeout',
  'init_timeout',
  'init_failure',
  'unhandled_rejection',
  'uncaught_exception',
  'runtime_error',
  'error_line',
] as const;
export type RuntimeErrorKind = (typeof RUNTIME_ERROR_KINDS)[number];

/** What one runtime or platform line says; several lines of one request merge into a finding. */
export interface RuntimeLine {
  readonly kind: RuntimeErrorKind;
  readonly functionName: string;
  /** Undefined for init lines (no request yet). */
  readonly requestId: string | undefined;
  readonly logStream: string | undefined;
  readonly at: Date | undefined;
  readonly errorType?: string;
  readonly errorMessage?: string;
  readonly stack?: readonly string[];
  /** The timeout, in seconds, from `Task timed out after N.NN seconds` or the reported duration. */
  readonly timeoutSeconds?: number;
  readonly memorySizeMb?: number;
  readonly maxMemoryUsedMb?: number;
  /** Why the runtime exited (`signal: killed`, `exit status 1`). */
  readonly exitReason?: string;
}

const LAMBDA_GROUP = /\/aws\/lambda\/([^/\s]+)$/;

/** The function a line belongs to, from `@log` (`<account>:/aws/lambda/<name>`) or the group itself. */
export function functionOfLogGroup(log: string | undefined): string {
  if (!log) return 'unknown';
  const lambda = LAMBDA_GROUP.exec(log);
  return lambda?.[1] ?? log.replace(/^\d{12}:/, '');
}

// The runtime's error document (text format: JSON after the prefix; JSON format: the record itself).
const ErrorDocument = z.object({
  errorType: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  stack: z.optional(z.array(z.string())),
  stackTrace: z.optional(z.array(z.string())),
  trace: z.optional(z.array(z.string())),
});

// Telemetry API platform events, as Lambda writes them in the JSON log format.
const PlatformEvent = z.object({
  type: z.enum(['platform.report', 'platform.runtimeDone', 'platform.initReport']),
  record: z.object({
    requestId: z.optional(z.string()),
    status: z.optional(z.string()),
    errorType: z.optional(z.string()),
    phase: z.optional(z.string()),
    metrics: z.optional(
      z.object({
        durationMs: z.optional(z.number()),
        memorySizeMB: z.optional(z.number()),
        maxMemoryUsedMB: z.optional(z.number()),
      }),
    ),
  }),
});

// The Node runtime's own ERROR record in the JSON log format: the error object is the `message`
// (Node.js runtime interface client); older runtimes put its fields beside `message`.
const RuntimeJsonError = z.object({
  level: z.literal('ERROR'),
  requestId: z.optional(z.string()),
  message: z.optional(z.unknown()),
  errorType: z.optional(z.string()),
  errorMessage: z.optional(z.string()),
  stackTrace: z.optional(z.array(z.string())),
});

type Base = Pick<RuntimeLine, 'functionName' | 'logStream' | 'at'>;

const PREFIX = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\t(\S+)\t(ERROR)\t([\s\S]*)$/;
const TIMED_OUT = /^(?:\S+\s+)?(\S+)\s+Task timed out after ([\d.]+) seconds/;
const EXITED =
  /(?:RequestId: |^\S+\s+)(\S+)\s+Error: Runtime exited with error: ([^\n]+?)\s*(?:\n(Runtime\.\w+))?$/;
const REPORT = /^REPORT RequestId: (\S+)/;
const INIT_REPORT =
  /^INIT_REPORT Init Duration: ([\d.]+) ms\s+Phase: (\w+)\s+Status: (\w+)(?:\s+Error Type: (\S+))?/;

const request = (id: string | undefined) => (id && id !== 'undefined' ? id : undefined);
const num = (text: string, label: string) => {
  const m = new RegExp(`${label}: ([\\d.]+)`).exec(text);
  return m ? Number(m[1]) : undefined;
};

/** Reads one Logs Insights row of the runtime-error query; undefined when the line says nothing failed. */
export function readRuntimeLine(row: Readonly<Record<string, string>>): RuntimeLine | undefined {
  const message = row['@message'];
  if (!message) return undefined;
  const base: Base = {
    functionName: functionOfLogGroup(row['@log']),
    logStream: row['@logStream'],
    at: parseInsightsTime(row['@timestamp']),
  };
  const text = message.trimEnd();
  return text.startsWith('{') ? readJsonLine(text, base) : readTextLine(text, base);
}

function readTextLine(text: string, base: Base): RuntimeLine | undefined {
  const timedOut = TIMED_OUT.exec(text);
  if (timedOut)
    return { ...base, kind: 'timeout', requestId: request(timedOut[1]), timeoutSeconds: Number(timedOut[2]) };
  const exited = EXITED.exec(text);
  if (exited) return exitedLine(base, request(exited[1]), exited[2] ?? '', exited[3]);
  if (REPORT.test(text)) return reportLine(text, base);
  const init = INIT_REPORT.exec(text);
  if (init) return initLine(base, Number(init[1]), init[3] ?? '', init[4]);
  const prefixed = PREFIX.exec(text);
  if (prefixed) return prefixedLine(base, request(prefixed[2]), prefixed[4] ?? '');
  return undefined;
}

function exitedLine(base: Base, requestId: string | undefined, reason: string, type?: string): RuntimeLine {
  // Lambda kills a runtime that exceeds its memory: `signal: killed` is the out-of-memory sign.
  const oom = reason.includes('signal: killed') || type === 'Runtime.OutOfMemory';
  return {
    ...base,
    kind: oom ? 'out_of_memory' : 'runtime_error',
    requestId,
    exitReason: reason,
    errorType: type ?? 'Runtime.ExitError',
  };
}

function reportLine(text: string, base: Base): RuntimeLine | undefined {
  const requestId = REPORT.exec(text)?.[1];
  const status = /Status: (\w+)/.exec(text)?.[1];
  const errorType = /Error Type: (\S+)/.exec(text)?.[1];
  const memorySizeMb = num(text, 'Memory Size');
  const maxMemoryUsedMb = num(text, 'Max Memory Used');
  const duration = num(text, '(?<!Billed |Init )Duration');
  return platformFinding(base, {
    requestId,
    status,
    errorType,
    memorySizeMb,
    maxMemoryUsedMb,
    durationMs: duration,
  });
}

function initLine(
  base: Base,
  durationMs: number,
  status: string,
  errorType?: string,
): RuntimeLine | undefined {
  if (status === 'success') return undefined;
  if (status === 'timeout')
    return { ...base, kind: 'init_timeout', requestId: undefined, timeoutSeconds: durationMs / 1000 };
  return { ...base, kind: 'init_failure', requestId: undefined, ...(errorType ? { errorType } : {}) };
}

/** The figures of a REPORT line or a `platform.report`/`runtimeDone` record, read the same way. */
function platformFinding(
  base: Base,
  r: {
    requestId: string | undefined;
    status: string | undefined;
    errorType: string | undefined;
    memorySizeMb: number | undefined;
    maxMemoryUsedMb: number | undefined;
    durationMs: number | undefined;
  },
): RuntimeLine | undefined {
  const memory = {
    ...(r.memorySizeMb !== undefined ? { memorySizeMb: r.memorySizeMb } : {}),
    ...(r.maxMemoryUsedMb !== undefined ? { maxMemoryUsedMb: r.maxMemoryUsedMb } : {}),
  };
  const full =
    r.memorySizeMb !== undefined && r.maxMemoryUsedMb !== undefined && r.maxMemoryUsedMb >= r.memorySizeMb;
  const failed = r.status !== undefined && r.status !== 'success';
  if (!failed && !full) return undefined;
  const common = { ...base, requestId: request(r.requestId), ...memory };
  if (r.errorType === 'Runtime.OutOfMemory' || (full && (failed || r.status === undefined)))
    return { ...common, kind: 'out_of_memory', errorType: r.errorType ?? 'Runtime.OutOfMemory' };
  if (r.status === 'timeout')
    return {
      ...common,
      kind: 'timeout',
      ...(r.durationMs !== undefined ? { timeoutSeconds: r.durationMs / 1000 } : {}),
    };
  if (!failed) return undefined;
  return { ...common, kind: 'runtime_error', ...(r.errorType ? { errorType: r.errorType } : {}) };
}

function prefixedLine(base: Base, requestId: string | undefined, body: string): RuntimeLine {
  const label = /^(Invoke Error|Uncaught Exception|Unhandled Promise Rejection)\s*/.exec(body);
  if (!label) {
    // console.error from the function's code: an error line, not a runtime failure.
    return { ...base, kind: 'error_line', requestId, errorMessage: body.trim() };
  }
  const json = body.slice(body.indexOf('{'));
  const parsed = ErrorDocument.safeParse(safeJson(json));
  const doc = parsed.success ? parsed.data : {};
  return errorFinding(base, requestId, label[1] ?? '', doc);
}

function errorFinding(
  base: Base,
  requestId: string | undefined,
  label: string,
  doc: z.infer<typeof ErrorDocument>,
): RuntimeLine {
  const errorType = doc.errorType ?? 'Error';
  const stack = doc.stack ?? doc.stackTrace ?? doc.trace ?? [];
  const kind: RuntimeErrorKind =
    label === 'Unhandled Promise Rejection' || errorType === 'Runtime.UnhandledPromiseRejection'
      ? 'unhandled_rejection'
      : requestId === undefined && label === 'Uncaught Exception'
        ? 'init_failure'
        : errorType.startsWith('Runtime.') && label === 'Invoke Error'
          ? 'runtime_error'
          : 'uncaught_exception';
  return {
    ...base,
    kind,
    requestId,
    errorType,
    ...(doc.errorMessage !== undefined ? { errorMessage: doc.errorMessage } : {}),
    stack,
  };
}

function readJsonLine(text: string, base: Base): RuntimeLine | undefined {
  const value = safeJson(text);
  const platform = PlatformEvent.safeParse(value);
  if (platform.success) {
    const { type, record } = platform.data;
    if (type === 'platform.initReport') {
      const ms = record.metrics?.durationMs ?? 0;
      return initLine(base, ms, record.status ?? 'success', record.errorType);
    }
    return platformFinding(base, {
      requestId: record.requestId,
      status: record.status,
      errorType: record.errorType,
      memorySizeMb: record.metrics?.memorySizeMB,
      maxMemoryUsedMb: record.metrics?.maxMemoryUsedMB,
      durationMs: record.metrics?.durationMs,
    });
  }
  const runtime = RuntimeJsonError.safeParse(value);
  if (!runtime.success) return undefined;
  const r = runtime.data;
  const inner = ErrorDocument.safeParse(r.message);
  const doc = inner.success && inner.data.errorType ? inner.data : r;
  if (!doc.errorType) return undefined;
  const label = typeof r.message === 'string' ? r.message : '';
  const known = /^(Invoke Error|Uncaught Exception|Unhandled Promise Rejection)/.exec(label)?.[1];
  const requestId = request(r.requestId);
  // No request id: the error happened at init, where the runtime logs it as an uncaught exception.
  return errorFinding(base, requestId, known ?? (requestId ? 'Invoke Error' : 'Uncaught Exception'), {
    errorType: doc.errorType,
    ...(doc.errorMessage !== undefined ? { errorMessage: doc.errorMessage } : {}),
    ...(doc.stackTrace ? { stackTrace: doc.stackTrace } : {}),
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
