/**
 * Where a service's log lines keep what Gumshoe reads: the correlation id, the milestone, the level,
 * the exception… Every query is built from one of these, so a service with other field names (or
 * another logger) needs a preset or a few overrides, not other code.
 */
export interface LogFields {
  /** The id shared by every line of one request through the service (`traceId`, `correlation_id`). */
  readonly correlation: string;
  /** The milestone name a line marks (`milestone`). */
  readonly milestone: string;
  /** The function that logged the line; absent when the format has none (then `@log` names it). */
  readonly functionName: string | undefined;
  readonly level: string;
  readonly message: string;
  readonly exceptionName: string;
  readonly exceptionMessage: string;
  readonly exceptionStack: string;
  /** The X-Ray trace id logged beside the correlation id, when the format has one. */
  readonly xrayTraceId: string | undefined;
  /** The Lambda request id of the line, which ties the runtime's own failure lines to a trace. */
  readonly requestId: string | undefined;
  /** The line's own precise timestamp (ISO), when the format has one; `@timestamp` otherwise. */
  readonly timestamp: string | undefined;
  /** Query stages that extract the fields from a plain-text line (`parse …`), run before anything else. */
  readonly prelude: readonly string[];
}

/** The names of the presets a config may start from. */
export const LOG_FORMATS = ['gumshoe', 'powertools', 'lambda-json', 'lambda-text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * The presets:
 * - `gumshoe`: this repo's service logger (`traceId`, `functionName`, `exception.*`, `xrayTraceId`);
 * - `powertools`: Powertools for AWS Lambda Logger (`correlation_id`, `function_name`, `error.*`,
 *   `xray_trace_id`, `function_request_id`), with `milestone` as an appended key;
 * - `lambda-json`: Lambda's own JSON log format (`requestId`, `errorType`, `errorMessage`,
 *   `stackTrace`); the service adds `traceId` and `milestone` keys to its JSON messages;
 * - `lambda-text`: Lambda's text format (`<time>\t<request id>\t<LEVEL>\t<message>`), with
 *   `traceId=<id>` and `milestone=<NAME>` written inside the message.
 */
export const LOG_FIELD_PRESETS: Readonly<Record<LogFormat, LogFields>> = {
  gumshoe: {
    correlation: 'traceId',
    milestone: 'milestone',
    functionName: 'functionName',
    level: 'level',
    message: 'message',
    exceptionName: 'exception.name',
    exceptionMessage: 'exception.message',
    exceptionStack: 'exception.stack',
    xrayTraceId: 'xrayTraceId',
    requestId: 'AWSRequestId',
    timestamp: 'timestamp',
    prelude: [],
  },
  powertools: {
    correlation: 'correlation_id',
    milestone: 'milestone',
    functionName: 'function_name',
    level: 'level',
    message: 'message',
    exceptionName: 'error.name',
    exceptionMessage: 'error.message',
    exceptionStack: 'error.stack',
    xrayTraceId: 'xray_trace_id',
    requestId: 'function_request_id',
    timestamp: 'timestamp',
    prelude: [],
  },
  'lambda-json': {
    correlation: 'traceId',
    milestone: 'milestone',
    functionName: undefined,
    level: 'level',
    message: 'message',
    exceptionName: 'errorType',
    exceptionMessage: 'errorMessage',
    exceptionStack: 'stackTrace',
    xrayTraceId: undefined,
    requestId: 'requestId',
    timestamp: 'timestamp',
    prelude: [],
  },
  'lambda-text': {
    correlation: 'traceId',
    milestone: 'milestone',
    functionName: undefined,
    level: 'level',
    message: 'text',
    exceptionName: 'errorType',
    exceptionMessage: 'errorMessage',
    exceptionStack: 'stack',
    xrayTraceId: undefined,
    requestId: 'requestId',
    timestamp: undefined,
    prelude: [
      'parse @message /^(?<loggedAt>\\S+)\\t(?<requestId>[0-9a-f-]{36})\\t(?<level>[A-Z]+)\\t(?<text>.*)/',
      'parse @message /traceId=(?<traceId>[A-Za-z0-9._:-]+)/',
      'parse @message /milestone=(?<milestone>[A-Za-z0-9._:-]+)/',
      'parse @message /"errorType":"(?<errorType>[^"]+)","errorMessage":"(?<errorMessage>[^"]*)"/',
    ],
  },
};

/** The correlation and X-Ray field names of every preset: what a line without config may use. */
export const KNOWN_CORRELATION_FIELDS: readonly string[] = [
  ...new Set(Object.values(LOG_FIELD_PRESETS).map((f) => f.correlation)),
];
export const KNOWN_MILESTONE_FIELDS: readonly string[] = [
  ...new Set(Object.values(LOG_FIELD_PRESETS).map((f) => f.milestone)),
];
export const KNOWN_FUNCTION_FIELDS: readonly string[] = [
  ...new Set(Object.values(LOG_FIELD_PRESETS).flatMap((f) => (f.functionName ? [f.functionName] : []))),
];

/** A field name safe to write into a query unquoted: letters, digits, `_`, dotted paths, `@` system fields. */
export const FIELD_NAME = /^@?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** The function a row was logged by: its own field, else the log group's last part (`@log`). */
export function functionOfRow(row: Readonly<Record<string, string>>, fields: LogFields): string | undefined {
  const own = fields.functionName ? row[fields.functionName] : undefined;
  if (own) return own;
  const log = row['@log'];
  if (!log) return undefined;
  // `@log` is `<account>:<group>`; a Lambda group ends in the function name.
  const group = log.slice(log.indexOf(':') + 1);
  return group.slice(group.lastIndexOf('/') + 1) || undefined;
}

/** The `fields` list of the expressions a query reads, with the function as `@log` when the format has none. */
export function functionField(fields: LogFields): string {
  return fields.functionName ?? '@log';
}
