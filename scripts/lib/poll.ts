/** How {@link pollUntil} waits. */
export interface PollOptions {
  /** Absolute deadline in epoch ms. */
  readonly deadline: number;
  readonly intervalMs: number;
  readonly now?: () => number;
}

/** Calls `check` until it returns true or the deadline passes; a throwing check counts as "not yet". */
export async function pollUntil(check: () => Promise<boolean>, options: PollOptions): Promise<boolean> {
  const now = options.now ?? Date.now;
  for (;;) {
    try {
      if (await check()) return true;
    } catch {
      // Eventual consistency: a transient error is another reason to look again.
    }
    const left = options.deadline - now();
    if (left <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs, left)));
  }
}
