import type { CompileInsightsQuery } from './api';
import { compileQuery } from './compile-query';

export type {
  CompiledInsightsQuery,
  CompileInsightsQuery,
  InsightsResult,
  InsightsResultField,
  InsightsRunOptions,
  InsightsStatistics,
} from './api';
export { MalformedQueryError } from './api';
export { MAX_RESULT_ROWS } from './compile-query';
export { LOCAL_ACCOUNT_ID } from './row';

/** Compiles a Logs Insights QL query once (StartQuery); run it over any events. Throws MalformedQueryError. */
export const compileInsightsQuery: CompileInsightsQuery = (queryString) => compileQuery(queryString);
