import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rampArrivals } from '../../scripts/lib/arrivals';
import { runLoad } from '../../scripts/lib/load-run';
import { distribution } from '../../scripts/lib/stats';
import { loadCli, parseLoadArgs } from '../../scripts/load';
import { startFakeService } from './fake-servers';

describe('rampArrivals', () => {
  it('sends the ramp 1 → 10 per second over 2 minutes as 660 requests, first at 0, all within the duration', () => {
    const arrivals = rampArrivals({ fromRate: 1, toRate: 10, durationS: 120, maxRequests: 10_000 });

    expect(arrivals).toHaveLength(660);
    expect(arrivals[0]).toBe(0);
    expect(arrivals.at(-1)).toBeLessThanOrEqual(120_000);
    expect([...arrivals].sort((a, b) => a - b)).toEqual(arrivals);
  });

  it('speeds up along the ramp: about 1/s at the start and about 10/s at the end', () => {
    const arrivals = rampArrivals({ fromRate: 1, toRate: 10, durationS: 120, maxRequests: 10_000 });
    const inWindow = (from: number, to: number) => arrivals.filter((t) => t >= from && t < to).length;

    expect(inWindow(0, 10_000)).toBeGreaterThanOrEqual(10);
    expect(inWindow(0, 10_000)).toBeLessThanOrEqual(15);
    expect(inWindow(110_000, 120_000)).toBeGreaterThanOrEqual(95);
    expect(inWindow(110_000, 120_000)).toBeLessThanOrEqual(101);
  });

  it('spaces a constant rate evenly and respects the request cap', () => {
    expect(rampArrivals({ fromRate: 4, toRate: 4, durationS: 1, maxRequests: 100 })).toEqual([
      0, 250, 500, 750,
    ]);
    expect(rampArrivals({ fromRate: 1, toRate: 10, durationS: 120, maxRequests: 50 })).toHaveLength(50);
    expect(rampArrivals({ fromRate: 0, toRate: 0, durationS: 10, maxRequests: 100 })).toEqual([]);
  });
});

describe('distribution', () => {
  it('gives nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(distribution(values)).toEqual({ count: 100, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(distribution([])).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });
});

describe('runLoad', () => {
  let service: Awaited<ReturnType<typeof startFakeService>>;
  let refusing: Awaited<ReturnType<typeof startFakeService>>;
  beforeAll(async () => {
    service = await startFakeService({ pipelineDelayMs: 0, notifies: true });
    refusing = await startFakeService({ pipelineDelayMs: 0, notifies: true, createStatus: 503 });
  });
  afterAll(async () => {
    await Promise.all([service.close(), refusing.close()]);
  });

  it('sends every planned request on time against a loopback API and reports latency percentiles', async () => {
    const arrivals = rampArrivals({ fromRate: 20, toRate: 60, durationS: 1, maxRequests: 100 });

    const report = await runLoad({ api: service.url, arrivals, requestTimeoutMs: 2000 });

    expect(report.sent).toBe(40);
    expect(report.ok).toBe(40);
    expect(service.posts()).toBe(40);
    expect(new Set(report.traceIds).size).toBe(40);
    expect(report.latencyMs.count).toBe(40);
    expect(report.latencyMs.p50).toBeGreaterThan(0);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(arrivals.at(-1) ?? 0);
    expect(report.sendLagMs.count).toBe(40);
  });

  it('does not wait for answers before sending the next request (open model)', async () => {
    const slow = await startFakeService({ pipelineDelayMs: 0, notifies: true, responseDelayMs: 400 });
    try {
      const arrivals = rampArrivals({ fromRate: 100, toRate: 100, durationS: 0.2, maxRequests: 100 });

      const report = await runLoad({ api: slow.url, arrivals, requestTimeoutMs: 5000 });

      // Closed-loop sending would take 20 × 400 ms = 8 s; scheduled by time it takes about 0.6 s.
      expect(report.ok).toBe(20);
      expect(report.latencyMs.p50).toBeGreaterThanOrEqual(390);
      // Only the discriminating bound: less than closed-loop sending would take (20 × 400 ms).
      expect(report.elapsedMs).toBeLessThan(8000);
    } finally {
      await slow.close();
    }
  });

  it('counts refused requests as failures by status', async () => {
    const report = await runLoad({ api: refusing.url, arrivals: [0, 10, 20], requestTimeoutMs: 2000 });

    expect(report).toMatchObject({ sent: 3, ok: 0, failed: 3, failuresByStatus: { '503': 3 } });
  });
});

describe('loadCli', () => {
  let service: Awaited<ReturnType<typeof startFakeService>>;
  beforeAll(async () => {
    service = await startFakeService({ pipelineDelayMs: 0, notifies: true });
  });
  afterAll(async () => {
    await service.close();
  });

  it('runs a short ramp, prints the HTTP report, then the lead-time step over the run window', async () => {
    const lines: string[] = [];
    const windows: { start: Date; end: Date }[] = [];
    const before = Date.now();

    const code = await loadCli(
      ['--api', service.url, '--duration', '1', '--from', '5', '--to', '15', '--settle', '0'],
      (l) => lines.push(l),
      async (window) => {
        windows.push(window);
        return ['lead time  count=10'];
      },
    );

    expect(code).toBe(0);
    expect(lines).toContain('requests  sent=10 ok=10 failed=0');
    expect(lines.at(-1)).toBe('lead time  count=10');
    expect(windows[0]?.start.getTime()).toBeGreaterThanOrEqual(before);
  });

  it('bounds the run: refuses durations over 15 minutes', () => {
    expect(() => parseLoadArgs(['--api', 'http://127.0.0.1:1', '--duration', '3600'])).toThrow(/--duration/);
    expect(parseLoadArgs(['--api', 'http://127.0.0.1:1', '--no-leadtime']).leadtime).toBe(false);
  });
});
