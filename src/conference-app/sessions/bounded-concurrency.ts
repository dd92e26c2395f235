/** The outcome for one item of a batch processed with bounded concurrency. */
export type Settled<T> = { ok: true; item: T } | { ok: false; item: T; error: unknown };

/**
 * Runs `task` over `items` with at most `limit` in flight, and settles every item (one failure
 * does not stop the others), in input order.
 */
export async function settleWithConcurrency<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<Settled<T>[]> {
  const results: Settled<T>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      const item = items[index] as T;
      try {
        await task(item);
        results[index] = { ok: true, item };
      } catch (error) {
        results[index] = { ok: false, item, error };
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
