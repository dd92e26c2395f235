import type { JobDispatcher, WorkerInput } from '../../bot/job-dispatcher';

/**
 * Locally, runs the worker in this process instead of invoking a Lambda: the listener returns at
 * once as it does in AWS, and the job runs on the next turn of the event loop.
 */
export class InProcessJobDispatcher implements JobDispatcher {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly runWorker: (input: WorkerInput) => Promise<unknown>,
    private readonly onError: (error: unknown) => void = (error) =>
      console.error('local worker failed', error),
  ) {}

  async dispatch(input: WorkerInput): Promise<void> {
    const job = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.runWorker(input))
      .then(() => undefined, this.onError)
      .finally(() => this.running.delete(job));
    this.running.add(job);
  }

  /** Resolves when every dispatched job has finished (for tests and a clean shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
