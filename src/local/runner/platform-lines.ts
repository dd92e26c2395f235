/**
 * The lines Lambda itself (not the function's code) writes to a function's log group, in the two
 * log formats a function can be configured for (`LoggingConfig.LogFormat`). Text follows what the
 * Lambda console shows (START / END / REPORT, INIT_REPORT, `Task timed out after …`); JSON follows
 * the Lambda Telemetry API event schema (`{"time","type":"platform.*","record":{…}}`,
 * docs.aws.amazon.com/lambda/latest/dg/telemetry-schema-reference.html), which is what Lambda writes
 * to CloudWatch when the log format is JSON.
 */

/** Lambda's two log formats (the values of `LoggingConfig.LogFormat` and `AWS_LAMBDA_LOG_FORMAT`). */
export type LambdaLogFormat = 'Text' | 'JSON';

/** How an invocation or an init phase ended (the Telemetry API's `status`). */
export type PlatformStatus = 'success' | 'error' | 'failure' | 'timeout';

/** The figures and outcome of one invocation, for its REPORT line or `platform.report` record. */
export interface InvocationReport {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number | undefined;
  status: PlatformStatus;
  /** Set when the status is not success: `Runtime.ExitError`, the handler's error type, … */
  errorType?: string | undefined;
  /** The handler threw or rejected (the runtime reported it; the environment lives on). */
  handlerError?: boolean;
}

/** The outcome of an init phase, for its INIT_REPORT line or `platform.initReport` record. */
export interface InitReport {
  durationMs: number;
  /** `init` for the init phase proper; `invoke` when Lambda re-runs a failed init inside an invocation. */
  phase: 'init' | 'invoke';
  status: PlatformStatus;
  errorType?: string | undefined;
}

function record(type: string, body: Record<string, unknown>, now: Date): string {
  return JSON.stringify({ time: now.toISOString(), type, record: body });
}

function withError(status: PlatformStatus, errorType: string | undefined): Record<string, unknown> {
  return { status, ...(status !== 'success' && errorType !== undefined ? { errorType } : {}) };
}

/** Formats the platform's lines for one function's log format. */
export interface PlatformLines {
  /** Lines at the start of an invocation. */
  start(requestId: string): string[];
  /** Lines when the runtime is done with an invocation (END in text; `platform.runtimeDone` in JSON). */
  runtimeDone(report: InvocationReport): string[];
  /** The REPORT line / `platform.report` record. */
  report(report: InvocationReport): string[];
  /** The INIT_REPORT line / `platform.initReport` record; text writes it only when init did not succeed. */
  initReport(report: InitReport): string[];
  /** The line Lambda writes when an invocation overruns the function's timeout. */
  timedOut(requestId: string, timeoutMs: number): string[];
  /** The line Lambda writes when the runtime process exits during an invocation. */
  runtimeExited(requestId: string, reason: string): string[];
}

/** The platform lines of a function whose log format is `format`. */
export function platformLines(format: LambdaLogFormat, now: () => Date = () => new Date()): PlatformLines {
  return format === 'JSON' ? jsonLines(now) : textLines(now);
}

function textStatus(status: PlatformStatus, errorType: string | undefined): string {
  if (status === 'success') return '';
  return `\tStatus: ${status}${errorType === undefined ? '' : `\tError Type: ${errorType}`}`;
}

function textLines(now: () => Date): PlatformLines {
  return {
    start: (requestId) => [`START RequestId: ${requestId} Version: $LATEST`],
    runtimeDone: (report) => [`END RequestId: ${report.requestId}`],
    report(report) {
      const parts = [
        `REPORT RequestId: ${report.requestId}`,
        `Duration: ${report.durationMs.toFixed(2)} ms`,
        `Billed Duration: ${report.billedDurationMs} ms`,
        `Memory Size: ${report.memorySizeMb} MB`,
        `Max Memory Used: ${report.maxMemoryUsedMb} MB`,
      ];
      if (report.initDurationMs !== undefined)
        parts.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
      // A handler's own error leaves the text REPORT as on success: its Invoke Error line says it.
      const status = report.handlerError === true ? 'success' : report.status;
      return [parts.join('\t') + textStatus(status, report.errorType)];
    },
    initReport(report) {
      if (report.status === 'success') return [];
      return [
        `INIT_REPORT Init Duration: ${report.durationMs.toFixed(2)} ms\tPhase: ${report.phase}` +
          textStatus(report.status, report.errorType),
      ];
    },
    timedOut: (requestId, timeoutMs) => [
      `${now().toISOString()} ${requestId} Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
    ],
    runtimeExited: (requestId, reason) => [
      `RequestId: ${requestId} Error: Runtime exited with error: ${reason}`,
      'Runtime.ExitError',
    ],
  };
}

function jsonLines(now: () => Date): PlatformLines {
  return {
    start: (requestId) => [record('platform.start', { requestId, version: '$LATEST' }, now())],
    runtimeDone: (report) => [
      record(
        'platform.runtimeDone',
        {
          requestId: report.requestId,
          ...withError(report.status, report.errorType),
          metrics: { durationMs: round(report.durationMs), producedBytes: 0 },
        },
        now(),
      ),
    ],
    report: (report) => [
      record(
        'platform.report',
        {
          requestId: report.requestId,
          metrics: {
            durationMs: round(report.durationMs),
            billedDurationMs: report.billedDurationMs,
            memorySizeMB: report.memorySizeMb,
            maxMemoryUsedMB: report.maxMemoryUsedMb,
            ...(report.initDurationMs === undefined ? {} : { initDurationMs: round(report.initDurationMs) }),
          },
          ...withError(report.status, report.errorType),
        },
        now(),
      ),
    ],
    initReport: (report) => [
      record(
        'platform.initReport',
        {
          initializationType: 'on-demand',
          phase: report.phase,
          ...withError(report.status, report.errorType),
          metrics: { durationMs: round(report.durationMs) },
        },
        now(),
      ),
    ],
    // JSON functions get the timeout and the exit as platform records' status and errorType only.
    timedOut: () => [],
    runtimeExited: () => [],
  };
}

/** Errors Lambda raises itself (`Runtime.*`, `Sandbox.*`) rather than the handler. */
export function isPlatformError(errorType: string | undefined): boolean {
  return errorType !== undefined && /^(Runtime|Sandbox)\./.test(errorType);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** The reason Lambda gives for a runtime that exited: Go's spelling of the signal, or the exit status. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === null) return `exit status ${code ?? 0}`;
  const names: Partial<Record<NodeJS.Signals, string>> = {
    SIGKILL: 'killed',
    SIGABRT: 'aborted',
    SIGSEGV: 'segmentation fault',
    SIGTERM: 'terminated',
    SIGBUS: 'bus error',
  };
  return `signal: ${names[signal] ?? signal}`;
}
