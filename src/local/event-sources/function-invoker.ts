import type { InvokeOptions, LocalInvokeResult } from '../runner';

/** What an event source needs from the runner: invoke a function by name (LambdaRunner satisfies it). */
export interface FunctionInvoker {
  invoke(name: string, event: unknown, options?: InvokeOptions): Promise<LocalInvokeResult>;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
