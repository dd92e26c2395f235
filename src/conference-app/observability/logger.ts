import { LogFormatter, Logger, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import type { LoggedException } from '../contract';
import type { LogKeys, SessionLog } from '../sessions/ports';

/** The traceId logged on lines that belong to no session yet (e.g. an unreadable record). */
export const UNKNOWN_TRACE_ID = 'unknown';

/**
 * Formats Powertools log items as the service's log contract: `timestamp`, `level`, `message`,
 * `xrayTraceId` where known, then the caller's keys flat (no Powertools default key names).
 */
export class ContractLogFormatter extends LogFormatter {
  override formatAttributes(attributes: UnformattedAttributes, additional: LogAttributes): LogItem {
    const base: LogAttributes = {
      timestamp: this.formatTimestamp(attributes.timestamp),
      level: attributes.logLevel,
      message: attributes.message,
    };
    const item = new LogItem({ attributes: base }).addAttributes(additional);
    if (attributes.xRayTraceId !== undefined) item.addAttributes({ xrayTraceId: attributes.xRayTraceId });
    return item;
  }
}

/** Where finished log lines go; stdout (through Powertools' console) unless a test captures them. */
export type LogSink = (line: string) => void;

class SinkLogger extends Logger {
  readonly #sink: LogSink | undefined;

  constructor(sink: LogSink | undefined) {
    super({ logFormatter: new ContractLogFormatter() });
    this.#sink = sink;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (this.#sink === undefined) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    this.#sink(JSON.stringify(log.getAttributes()));
  }
}

/** Options for the service logger. */
export interface ServiceLoggerOptions {
  sink?: LogSink;
}

/** Turns anything thrown into the contract's exception object. */
export function toLoggedException(error: unknown): LoggedException {
  if (error instanceof Error) {
    return error.stack === undefined
      ? { name: error.name, message: error.message }
      : { name: error.name, message: error.message, stack: error.stack };
  }
  return { name: 'NonError', message: String(error) };
}

class PowertoolsSessionLog implements SessionLog {
  constructor(
    private readonly logger: Logger,
    private readonly keys: LogKeys,
  ) {}

  info(message: string, keys?: LogKeys): void {
    this.logger.info({ message, ...this.keys, ...keys });
  }

  warn(message: string, keys?: LogKeys): void {
    this.logger.warn({ message, ...this.keys, ...keys });
  }

  error(message: string, error: unknown, keys?: LogKeys): void {
    this.logger.error({ message, ...this.keys, ...keys, exception: toLoggedException(error) });
  }

  with(keys: LogKeys): SessionLog {
    return new PowertoolsSessionLog(this.logger, { ...this.keys, ...keys });
  }
}

/** The part of the Lambda context the log lines need. */
export interface InvocationInfo {
  functionName?: string;
  awsRequestId?: string;
}

/**
 * The service's logger, built once per execution environment. Per-invocation keys are never stored
 * on it: `forInvocation` returns a fresh view, so keys cannot leak between invocations or records.
 */
export class ServiceLogger {
  readonly #logger: Logger;

  constructor(options: ServiceLoggerOptions = {}) {
    this.#logger = new SinkLogger(options.sink);
  }

  /** A log for one invocation, keyed with the deployed function name, request id and traceId. */
  forInvocation(info: InvocationInfo, fallbackFunctionName: string, traceId = UNKNOWN_TRACE_ID): SessionLog {
    return new PowertoolsSessionLog(this.#logger, {
      functionName: info.functionName || fallbackFunctionName,
      AWSRequestId: info.awsRequestId || 'unknown',
      traceId,
    });
  }
}
