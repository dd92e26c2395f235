import { GumshoeError } from '../errors';
import type { LogGroupSelection } from './flow-set';

/** Lists log groups by name prefix (DescribeLogGroups): how configured prefixes become names. */
export interface LogGroupCatalog {
  listLogGroups(prefix: string): Promise<string[]>;
}

/** CloudWatch allows at most 50 log groups per Logs Insights query. */
export const QUERY_LOG_GROUP_LIMIT = 50;

/** The explicit names, then every group under each prefix, without duplicates; at most 50. */
export async function resolveLogGroupNames(
  selection: LogGroupSelection,
  catalog: LogGroupCatalog,
  exclude: readonly string[] = [],
): Promise<string[]> {
  const listed = await Promise.all(selection.prefixes.map((p) => catalog.listLogGroups(p)));
  const skip = new Set(exclude);
  const names = [...new Set([...selection.names, ...listed.flat().sort()])].filter((n) => !skip.has(n));
  if (names.length === 0) {
    const where = [...selection.names, ...selection.prefixes.map((p) => `${p}*`)].join(', ');
    throw new GumshoeError(
      `no log groups under ${where}`,
      `No log group to search (${where || 'none configured'}). Set the log groups in the Gumshoe config or GUMSHOE_LOG_GROUP_PREFIX.`,
    );
  }
  // Explicit names come first, so a prefix matching many groups never pushes them out.
  return names.slice(0, QUERY_LOG_GROUP_LIMIT);
}

/** Caches a catalog's answers for a while: prefixes are resolved once per job at most every `ttlMs`. */
export function cachedCatalog(
  catalog: LogGroupCatalog,
  now: () => number,
  ttlMs = 5 * 60_000,
): LogGroupCatalog {
  const cache = new Map<string, { at: number; names: Promise<string[]> }>();
  return {
    listLogGroups(prefix) {
      const hit = cache.get(prefix);
      if (hit && now() - hit.at < ttlMs) return hit.names;
      const names = catalog.listLogGroups(prefix);
      names.catch(() => cache.delete(prefix));
      cache.set(prefix, { at: now(), names });
      return names;
    },
  };
}
