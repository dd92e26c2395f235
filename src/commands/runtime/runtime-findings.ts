import {
  RUNTIME_ERROR_KINDS,
  type RuntimeErrorKind,
  type RuntimeLine,
  readRuntimeLine,
} from './runtime-line';

/** One failed invocation (or init) of one function, told plainly. */
export interface RuntimeFinding {
  readonly kind: RuntimeErrorKind;
  readonly functionName: string;
  readonly requestId: string | undefined;
  /** The earliest line of the failure. */
  readonly at: Date | undefined;
  /** Plain words: "timed out after 6.00 s", "out of memory at 512 MB". */
  readonly description: string;
  readonly errorType: string | undefined;
  readonly errorMessage: string | undefined;
  readonly stackTop: readonly string[];
  readonly logStream: string | undefined;
}

/** What the runtime-error query found. */
export interface RuntimeFindings {
  /** Oldest first. */
  readonly findings: readonly RuntimeFinding[];
  /** The query returned as many rows as it may: older failures may be missing. */
  readonly capped: boolean;
}

/** Stack lines kept per finding. */
export const RUNTIME_STACK_LINES = 5;

const rank = (kind: RuntimeErrorKind) => RUNTIME_ERROR_KINDS.indexOf(kind);
const seconds = (s: number) => `${s.toFixed(2)} s`;

/** The plain words for a finding. */
export function describeRuntimeError(line: RuntimeLine): string {
  const what = [line.errorType, line.errorMessage].filter(Boolean).join(': ');
  switch (line.kind) {
    case 'timeout':
      return line.timeoutSeconds !== undefined
        ? `timed out after ${seconds(line.timeoutSeconds)}`
        : 'timed out';
    case 'out_of_memory':
      return line.memorySizeMb !== undefined ? `out of memory at ${line.memorySizeMb} MB` : 'out of memory';
    case 'init_timeout':
      return line.timeoutSeconds !== undefined
        ? `init timed out after ${seconds(line.timeoutSeconds)}`
        : 'init timed out';
    case 'init_failure':
      return what ? `failed at init: ${what}` : 'failed at init';
    case 'unhandled_rejection':
      return `unhandled promise rejection${line.errorMessage ? `: ${line.errorMessage}` : ''}`;
    case 'uncaught_exception':
      return `uncaught exception ${what}`.trim();
    case 'runtime_error':
      return [what || 'invocation failed', line.exitReason ? `(runtime exited with ${line.exitReason})` : '']
        .filter(Boolean)
        .join(' ');
    case 'error_line':
      return `logged an error: ${line.errorMessage ?? ''}`.trim();
  }
}

/** Folds the lines of one request (or one init) into one line: the gravest kind, every detail kept. */
function merge(a: RuntimeLine, b: RuntimeLine): RuntimeLine {
  const [main, other] = rank(a.kind) <= rank(b.kind) ? [a, b] : [b, a];
  const earliest = [a.at, b.at].filter((d): d is Date => d !== undefined).sort((x, y) => +x - +y)[0];
  const pick = <K extends keyof RuntimeLine>(k: K) => main[k] ?? other[k];
  const merged: Record<string, unknown> = { ...other, ...main, at: earliest };
  for (const k of [
    'errorType',
    'errorMessage',
    'stack',
    'timeoutSeconds',
    'memorySizeMb',
    'maxMemoryUsedMb',
    'exitReason',
    'logStream',
  ] as const)
    merged[k] = pick(k);
  return merged as unknown as RuntimeLine;
}

function keyOf(line: RuntimeLine): string {
  // Init lines have no request: the environment (log stream) is what ties them together.
  return line.requestId !== undefined
    ? `${line.functionName}\u0000${line.requestId}`
    : `${line.functionName}\u0000init\u0000${line.logStream ?? ''}`;
}

/**
 * Reads the runtime-error query's rows into findings, one per failed request (or failed init),
 * oldest first: the `Task timed out` line and the `REPORT … Status: timeout` of one request are one
 * timeout; `signal: killed` with a full REPORT is one out-of-memory.
 */
export function summarizeRuntimeErrors(
  rows: readonly Readonly<Record<string, string>>[],
  limit: number,
): RuntimeFindings {
  const byKey = new Map<string, RuntimeLine>();
  for (const row of rows) {
    const line = readRuntimeLine(row);
    if (!line) continue;
    const key = keyOf(line);
    const seen = byKey.get(key);
    byKey.set(key, seen ? merge(seen, line) : line);
  }
  const findings = foldInitIntoRequests([...byKey.values()])
    .map(
      (l): RuntimeFinding => ({
        kind: l.kind,
        functionName: l.functionName,
        requestId: l.requestId,
        at: l.at,
        description: describeRuntimeError(l),
        errorType: l.errorType,
        errorMessage: l.errorMessage,
        stackTop: stackFrames(l).slice(0, RUNTIME_STACK_LINES),
        logStream: l.logStream,
      }),
    )
    .sort((a, b) => (a.at?.getTime() ?? 0) - (b.at?.getTime() ?? 0));
  return { findings, capped: rows.length >= limit };
}

/** How long after a failed init the invocation that met it may start. */
const INIT_TO_INVOKE_MS = 60_000;

/**
 * A failed init fails the invocation that triggered it: Lambda writes INIT_REPORT, then that request's
 * START/REPORT with the init's status. The request's finding becomes the init failure (with its
 * request id, so /trace can tie it to a trace); the bare init finding goes.
 */
function foldInitIntoRequests(lines: RuntimeLine[]): RuntimeLine[] {
  const inits = lines.filter((l) => l.requestId === undefined && l.kind.startsWith('init_'));
  const folded = new Set<RuntimeLine>();
  const out = lines.map((line) => {
    if (line.requestId === undefined || !['timeout', 'runtime_error'].includes(line.kind)) return line;
    const init = inits.find(
      (i) =>
        i.functionName === line.functionName &&
        i.logStream === line.logStream &&
        i.at !== undefined &&
        line.at !== undefined &&
        line.at.getTime() >= i.at.getTime() &&
        line.at.getTime() - i.at.getTime() <= INIT_TO_INVOKE_MS,
    );
    if (!init) return line;
    folded.add(init);
    // The init's own words (kind, error, init duration) win over the REPORT's echo of them.
    const own = Object.fromEntries(Object.entries(init).filter(([, v]) => v !== undefined));
    return { ...merge(init, line), ...own, requestId: line.requestId } as RuntimeLine;
  });
  return out.filter((l) => !folded.has(l));
}

function stackFrames(line: RuntimeLine): string[] {
  const stack = (line.stack ?? []).map((s) => s.trim()).filter((s) => s.length > 0);
  // V8 stacks start with "Type: message"; the frames are what help.
  return stack[0] && !stack[0].startsWith('at ') ? stack.slice(1) : stack;
}

/** The runtime failures that are not plain error lines (what ended an invocation). */
export function invocationFailures(findings: readonly RuntimeFinding[]): RuntimeFinding[] {
  return findings.filter((f) => f.kind !== 'error_line');
}

/** One short line per finding: `12:00:03 create-session timed out after 6.00 s (request 1f2e…)`. */
export function formatRuntimeFinding(f: RuntimeFinding): string {
  const at = f.at ? `${f.at.toISOString().slice(11, 19)} ` : '';
  const request = f.requestId ? ` (request ${f.requestId})` : '';
  return `${at}${f.functionName} ${f.description}${request}`;
}
