/** What one Logs Insights query needs: text, groups and an inclusive window. */
export interface LogSearchRequest {
  readonly queryString: string;
  /** Explicit log groups (CloudWatch allows at most 50 per query). */
  readonly logGroupNames: readonly string[];
  readonly startTime: Date;
  readonly endTime: Date;
  /** Maximum rows (StartQuery's `limit`); a `limit` inside the query applies too. */
  readonly limit?: number;
}

/** How much work a query did, as Logs Insights reports it. */
export interface LogSearchStatistics {
  readonly recordsMatched: number;
  readonly recordsScanned: number;
  readonly bytesScanned: number;
}

/** The rows of one finished query (field → string value, `@ptr` dropped) and what it cost. */
export interface LogSearchResult {
  readonly rows: Record<string, string>[];
  readonly statistics: LogSearchStatistics;
  /** Wall-clock time from start to the final result. */
  readonly durationMs: number;
}

/** Runs one Logs Insights query to completion (the adapter polls, retries and enforces a deadline). */
export interface LogSearch {
  run(request: LogSearchRequest): Promise<LogSearchResult>;
}

/** The current time, injectable for tests. */
export interface Clock {
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/**
 * Claims a key once across every execution environment until it expires (the Slack edge's replay
 * guard): true for the first claim, false while an unexpired claim of the same key exists.
 */
export interface ClaimStore {
  claim(key: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean>;
}
