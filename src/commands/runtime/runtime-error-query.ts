/** Rows the runtime-error query returns at most; an answer with this many says it was capped. */
export const RUNTIME_ERROR_LIMIT = 200;

/**
 * What the Lambda runtime and platform write when an invocation fails, in both log formats.
 * Text: the `<time>\t<request id>\tERROR\t` prefix (Invoke Error, Uncaught Exception, Unhandled
 * Promise Rejection, console.error), `Task timed out after`, `Runtime exited with error`,
 * `Runtime.*` error types, `REPORT … Status: timeout|error` and `INIT_REPORT … Status: …`.
 * JSON: `platform.report` / `platform.runtimeDone` / `platform.initReport` whose `record.status` is
 * not `success`, and the runtime's own ERROR records (`errorType` beside `level`).
 * `Runtime\.[A-Z]` matches error types (`Runtime.ExitError`) but not stack frames (`Runtime.handler`).
 */
const TEXT_PATTERN =
  /\tERROR\t|Task timed out after|Runtime exited with error|Status: (timeout|error|failure)|Runtime\.[A-Z][A-Za-z]+/;
const PLATFORM_TYPES = ['platform.report', 'platform.runtimeDone', 'platform.initReport'];

/**
 * The runtime-error query: the raw lines only (the recognizer reads `@message` itself, since text
 * lines carry no discovered fields), newest first. `@log` names the function's log group.
 */
export function buildRuntimeErrorQuery(limit: number = RUNTIME_ERROR_LIMIT): string {
  const types = PLATFORM_TYPES.map((t) => `"${t}"`).join(', ');
  return [
    'fields @timestamp, @message, @log, @logStream',
    `| filter @message like ${TEXT_PATTERN.toString()}` +
      ` or (type in [${types}] and record.status != "success")` +
      ' or (level = "ERROR" and (ispresent(message.errorType) or ispresent(errorType)))',
    '| sort @timestamp desc',
    `| limit ${Math.trunc(limit)}`,
  ].join('\n');
}
