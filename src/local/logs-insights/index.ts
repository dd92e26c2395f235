import type { CompileInsightsQuery } from './api';
import { compileQuery, type LocalInsightsQuery } from './compile-query';

export type {
  CompiledInsightsQuery,
  CompileInsightsQuery,
  InsightsResult,
  InsightsResultField,
  InsightsRunOptions,
  InsightsStatistics,
} from './api';
export { MalformedQueryError } from './api';
export type { LocalInsightsQuery, RawEventBatch } from './compile-query';
export { MAX_RESULT_ROWS } from './compile-query';
export { LOCAL_ACCOUNT_ID } from './row';

/** Compiles a Logs Insights QL query once (StartQuery); run it over any events. Throws MalformedQueryError. */
export const compileInsightsQuery = ((queryString: string): LocalInsightsQuery =>
  compileQuery(queryString)) satisfies CompileInsightsQuery;
