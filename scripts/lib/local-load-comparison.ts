import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogSearch } from '../../src/aws/cloudwatch-log-search';
import { FunctionNames } from '../../src/conference-app/contract';
import { startLocalStack } from '../../src/local/stack';
import { rampArrivals } from './arrivals';
import { postSession } from './conference-client';
import { readLeadTimes } from './load-lead-time';
import { runLoad } from './load-run';
import { sampleSession } from './sample-sessions';
import { readStageTimes } from './stage-times';

/** One notifier set-up measured by {@link compareNotifiersLocally}. */
export interface NotifierVariant {
  label: string;
  /** Extra env of the notification function (e.g. `NOTIFY_MAX_PER_MESSAGE=1` for the seed's one by one). */
  env: Record<string, string>;
}

/** What one variant achieved at the seed's load. */
export interface VariantResult {
  label: string;
  created: number;
  p50Ms?: number | undefined;
  p90Ms?: number | undefined;
  p99Ms?: number | undefined;
  /** Sessions whose announcement reached the webhook (2xx) within the settle time. */
  notified: number;
  /** Sessions announced more than once. */
  doubled: number;
  webhookMessages: number;
  rateLimited: number;
  /** p99 of create → saved (before the stream) and of saved → sent (the notifier's own part), ms. */
  upstreamP99Ms?: number | undefined;
  notifierP99Ms?: number | undefined;
  /** The machine's 1-minute load average when the variant's ramp ended. */
  loadAverage: number;
}

/** Options of {@link compareNotifiersLocally}: the seed's ramp and webhook by default. */
export interface ComparisonOptions {
  durationS: number;
  fromRate: number;
  toRate: number;
  settleS: number;
  webhookMedianMs: number;
  out: (line: string) => void;
}

const region = 'eu-west-1';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Runs the ramp against a fresh local stack with one notifier variant, the webhook slow and rate-limited. */
async function measure(variant: NotifierVariant, options: ComparisonOptions): Promise<VariantResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gumshoe-load-'));
  const stack = await startLocalStack({
    ports: { aws: 0, conferenceApi: 0, slack: 0, bot: 0, standIns: 0 },
    dataDir,
    region,
    functionEnv: { [FunctionNames.notifyNewSession]: variant.env },
  });
  const logs = new CloudWatchLogsClient({ endpoint: stack.aws.url, region, credentials });
  try {
    // The seed's webhook: a 1 s median; Slack's rate limit stays at its default (on).
    stack.standIns.configure({ slack: { latency: { median: options.webhookMedianMs, sigma: 0.1 } } });
    await warmUp(stack.conferenceApi.url, () => stack.standIns.received('slack').length > 0);
    stack.standIns.clear();
    const start = new Date();
    const arrivals = rampArrivals({
      fromRate: options.fromRate,
      toRate: options.toRate,
      durationS: options.durationS,
      maxRequests: 5000,
    });
    options.out(`[${variant.label}] ${arrivals.length} requests, ${options.fromRate} → ${options.toRate}/s`);
    const report = await runLoad({ api: stack.conferenceApi.url, arrivals, requestTimeoutMs: 10_000 });
    options.out(
      `[${variant.label}] sent=${report.sent} ok=${report.ok} failed=${report.failed} ${JSON.stringify(report.failuresByStatus)}`,
    );
    const loadAverage = loadavg()[0] ?? 0;
    await new Promise((resolve) => setTimeout(resolve, options.settleS * 1000));
    const leadTimes = await readLeadTimes(new CloudWatchLogSearch(logs), { start, end: new Date() });
    const stages = await readStageTimes(logs, start.getTime());
    const delivered = stack.standIns.received('slack');
    const ok = delivered.filter((r) => r.status >= 200 && r.status < 300).map((r) => JSON.stringify(r.body));
    let notified = 0;
    let doubled = 0;
    for (const sessionId of report.sessionIds) {
      const times = ok.filter((body) => body.includes(sessionId)).length;
      if (times >= 1) notified += 1;
      if (times > 1) doubled += 1;
    }
    return {
      label: variant.label,
      created: report.ok,
      p50Ms: leadTimes.p50Ms,
      p90Ms: leadTimes.p90Ms,
      p99Ms: leadTimes.p99Ms,
      notified,
      doubled,
      webhookMessages: ok.length,
      rateLimited: delivered.filter((r) => r.status === 429).length,
      ...(stages.notifierMs.count > 0
        ? { upstreamP99Ms: stages.upstreamMs.p99, notifierP99Ms: stages.notifierMs.p99 }
        : {}),
      loadAverage,
    };
  } finally {
    logs.destroy();
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** One session through the whole pipeline first, so cold starts do not count in either variant's figures. */
async function warmUp(api: string, notified: () => boolean): Promise<void> {
  await postSession(api, sampleSession(10_000), { timeoutMs: 60_000 });
  for (let waited = 0; waited < 120 && !notified(); waited += 1) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  // The ledger and the first stream batch of the ramp start clean once the warm-up is announced.
  await new Promise((resolve) => setTimeout(resolve, 2000));
}

const seconds = (ms: number | undefined) => (ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`);

/** The comparison as a Markdown table (printed, and pasted into docs/bench.md). */
export function formatComparison(results: readonly VariantResult[], settleS: number): string[] {
  return [
    `| notifier | lead time p50 | p90 | p99 | p99 create → saved / saved → sent | notified exactly once within ${settleS} s | announced twice | not announced | webhook messages (429s) | load avg (${availableParallelism()} cores) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.label} | ${seconds(r.p50Ms)} | ${seconds(r.p90Ms)} | ${seconds(r.p99Ms)} | ${seconds(r.upstreamP99Ms)} / ${seconds(r.notifierP99Ms)} | ${r.notified - r.doubled} / ${r.created} | ${r.doubled} | ${r.created - r.notified} | ${r.webhookMessages} (${r.rateLimited}) | ${r.loadAverage.toFixed(1)} |`,
    ),
  ];
}

/**
 * Measures the notifier as built (one message per batch) beside the seed's one-by-one notifier, in
 * one run on this machine, each on a fresh local stack with the webhook at a 1 s median and Slack's
 * rate limit on.
 */
export async function compareNotifiersLocally(options: ComparisonOptions): Promise<VariantResult[]> {
  const variants: NotifierVariant[] = [
    { label: 'one message per batch (as built)', env: {} },
    { label: 'one by one, as in the seed', env: { NOTIFY_MAX_PER_MESSAGE: '1' } },
  ];
  const results: VariantResult[] = [];
  for (const variant of variants) results.push(await measure(variant, options));
  for (const line of formatComparison(results, options.settleS)) options.out(line);
  return results;
}
