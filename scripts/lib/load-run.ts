import { type CreateResult, postSession } from './conference-client';
import { sampleSession } from './sample-sessions';
import { type Distribution, distribution } from './stats';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  api: string;
  /** Send offsets in ms from the start (see rampArrivals). */
  arrivals: readonly number[];
  requestTimeoutMs: number;
  /** Called once a second with progress. */
  onProgress?: (sent: number, done: number) => void;
}

/** What the HTTP side of a load run measured. */
export interface LoadReport {
  sent: number;
  ok: number;
  failed: number;
  /** Failures by HTTP status (0 = network error or timeout). */
  failuresByStatus: Record<string, number>;
  latencyMs: Distribution;
  /** How late the scheduler sent requests compared to plan (the generator's own accuracy). */
  sendLagMs: Distribution;
  elapsedMs: number;
  traceIds: string[];
  sessionIds: string[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends one session per arrival at its planned time without waiting for answers (open model), then collects them. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const start = performance.now();
  const inFlight: Promise<CreateResult>[] = [];
  const lags: number[] = [];
  let done = 0;
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(inFlight.length, done), 1000)
    : undefined;
  try {
    for (const [i, offset] of options.arrivals.entries()) {
      const wait = start + offset - performance.now();
      if (wait > 0) await sleep(wait);
      lags.push(Math.max(0, performance.now() - start - offset));
      inFlight.push(
        postSession(options.api, sampleSession(i), { timeoutMs: options.requestTimeoutMs }).finally(() => {
          done += 1;
        }),
      );
    }
    const results = await Promise.all(inFlight);
    const failures: Record<string, number> = {};
    for (const r of results) if (!r.ok) failures[String(r.status)] = (failures[String(r.status)] ?? 0) + 1;
    const ok = results.filter((r) => r.ok);
    return {
      sent: results.length,
      ok: ok.length,
      failed: results.length - ok.length,
      failuresByStatus: failures,
      latencyMs: distribution(results.map((r) => r.latencyMs)),
      sendLagMs: distribution(lags),
      elapsedMs: performance.now() - start,
      traceIds: ok.map((r) => (r.ok ? r.traceId : '')),
      sessionIds: ok.map((r) => (r.ok ? r.sessionId : '')),
    };
  } finally {
    if (progress) clearInterval(progress);
  }
}
