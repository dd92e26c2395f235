import type { StoredLogEvent } from '../logs/log-event';

/**
 * The contract between the Logs Insights engine and the local CloudWatch Logs endpoint.
 * The endpoint compiles once (StartQuery) and runs over the events of the queried groups.
 */
export interface InsightsRunOptions {
  /** Inclusive bounds in epoch milliseconds (the API takes seconds; the endpoint converts). */
  readonly startTimeMs: number;
  readonly endTimeMs: number;
  /** StartQuery's `limit` parameter, if given; a `limit` command in the query also applies. */
  readonly limit?: number;
}

export interface InsightsResultField {
  readonly field: string;
  /** Every value is a string, as in GetQueryResults. */
  readonly value: string;
}

export interface InsightsStatistics {
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}

export interface InsightsResult {
  readonly results: InsightsResultField[][];
  readonly statistics: InsightsStatistics;
}

/** A parsed query, ready to run over any number of event sources. */
export interface CompiledInsightsQuery {
  run(events: Iterable<StoredLogEvent>, options: InsightsRunOptions): InsightsResult;
}

/** What the engine's entry point (`./index.ts`) exports. */
export type CompileInsightsQuery = (queryString: string) => CompiledInsightsQuery;

/**
 * The engine's parse error: the endpoint maps it to `MalformedQueryException` with the position.
 * Unsupported commands and functions raise it too: no stage is ever dropped.
 */
export class MalformedQueryError extends Error {
  override readonly name = 'MalformedQueryError';
  constructor(
    message: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(message);
  }
}
