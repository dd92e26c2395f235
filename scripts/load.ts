import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { CloudWatchLogSearch } from '../src/aws/cloudwatch-log-search';
import type { LogSearch } from '../src/commands/ports';
import { rampArrivals } from './lib/arrivals';
import { formatLeadTimes, readLeadTimes } from './lib/load-lead-time';
import { type LoadReport, runLoad } from './lib/load-run';
import { compareNotifiersLocally } from './lib/local-load-comparison';
import type { Distribution } from './lib/stats';

const USAGE = `Usage: npm run load -- --api <url> [--duration 120] [--from 1] [--to 10] [--settle 60] [--max 5000]
       npm run load -- --local [--duration 120] [--from 1] [--to 10] [--settle 90]
  --api       base URL of the conference API
  --local     start the local stack twice (webhook at a 1 s median, Slack's rate limit on) and print
              the notifier as built beside the seed's one-by-one notifier
  --duration  seconds of ramp (default 120, at most 900)
  --from/--to arrival rate per second at the start / end of the ramp (default 1 → 10)
  --settle    seconds to wait after the last answer before reading lead times (default 60)
  --max       hard cap on requests (default 5000)
  --no-leadtime  skip the Logs Insights lead-time read
Lead times are read with the default AWS credentials chain; AWS_ENDPOINT_URL points at a local endpoint.`;

/** The load test's command line, validated and bounded. */
export const LoadArgs = z.object({
  api: z.url().optional(),
  local: z.boolean().default(false),
  duration: z.coerce.number().positive().max(900).default(120),
  from: z.coerce.number().min(0).max(100).default(1),
  to: z.coerce.number().min(0).max(100).default(10),
  /** Default 60 s with --api, 90 s with --local (the issue's "notified within 90 s"). */
  settle: z.coerce.number().min(0).max(900).optional(),
  max: z.coerce.number().int().positive().max(50_000).default(5000),
  timeout: z.coerce.number().positive().max(60).default(10),
  leadtime: z.boolean().default(true),
});
export type LoadArgs = z.infer<typeof LoadArgs>;

/** Parses `argv` (without node and the script); throws a message naming the bad flag. */
export function parseLoadArgs(argv: string[]): LoadArgs {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: {
      api: { type: 'string' },
      local: { type: 'boolean' },
      duration: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      settle: { type: 'string' },
      max: { type: 'string' },
      timeout: { type: 'string' },
      leadtime: { type: 'boolean' },
    },
  });
  const parsed = LoadArgs.refine((a) => a.local !== (a.api !== undefined), {
    message: 'give exactly one of --api <url> and --local',
    path: ['api'],
  }).safeParse(values);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${String(issue?.path[0] ?? 'args')}: ${issue?.message ?? 'invalid'}\n${USAGE}`);
  }
  return parsed.data;
}

const fmt = (d: Distribution, unit: string, digits = 0) =>
  `count=${d.count} p50=${d.p50.toFixed(digits)}${unit} p90=${d.p90.toFixed(digits)}${unit} p99=${d.p99.toFixed(digits)}${unit} max=${d.max.toFixed(digits)}${unit}`;

/** The HTTP part of the report as printed lines. */
export function formatLoadReport(report: LoadReport): string[] {
  const failures = Object.entries(report.failuresByStatus)
    .map(([status, n]) => `${status === '0' ? 'network/timeout' : status}×${n}`)
    .join(', ');
  return [
    `requests  sent=${report.sent} ok=${report.ok} failed=${report.failed}${failures ? ` (${failures})` : ''}`,
    `latency   ${fmt(report.latencyMs, ' ms')}`,
    `send lag  ${fmt(report.sendLagMs, ' ms')} (generator accuracy)`,
    `elapsed   ${(report.elapsedMs / 1000).toFixed(1)} s`,
  ];
}

/** The lead-time step of a load run, given the run's window; kept separate so the HTTP part runs alone. */
export type LeadTimeStep = (window: { start: Date; end: Date }) => Promise<string[]>;

/** Runs the load test from a command line; resolves to the exit code (0 ok, 1 failures, 2 usage). */
export async function loadCli(
  argv: string[],
  out: (line: string) => void = console.log,
  leadTimeStep?: LeadTimeStep,
): Promise<number> {
  let args: LoadArgs;
  try {
    args = parseLoadArgs(argv);
  } catch (error) {
    out((error as Error).message);
    return 2;
  }
  if (args.local) {
    await compareNotifiersLocally({
      durationS: args.duration,
      fromRate: args.from,
      toRate: args.to,
      settleS: args.settle ?? 90,
      webhookMedianMs: 1000,
      out,
    });
    return 0;
  }
  const api = args.api ?? '';
  const arrivals = rampArrivals({
    fromRate: args.from,
    toRate: args.to,
    durationS: args.duration,
    maxRequests: args.max,
  });
  out(
    `Load on ${api}: ${arrivals.length} requests, ${args.from} → ${args.to}/s over ${args.duration} s (open model)`,
  );
  const start = new Date();
  const report = await runLoad({
    api,
    arrivals,
    requestTimeoutMs: args.timeout * 1000,
    onProgress: (sent, done) => out(`  … sent ${sent}, answered ${done}`),
  });
  for (const line of formatLoadReport(report)) out(line);
  if (args.leadtime && leadTimeStep && report.ok > 0) {
    const settleS = args.settle ?? 60;
    out(`Waiting ${settleS} s for the pipeline to settle…`);
    await new Promise((resolve) => setTimeout(resolve, settleS * 1000));
    for (const line of await leadTimeStep({ start, end: new Date() })) out(line);
  }
  return report.failed === 0 ? 0 : 1;
}

/** The lead-time step of a real run: Logs Insights through THE runner (credentials chain, AWS_ENDPOINT_URL honoured). */
export function logsInsightsLeadTimeStep(search: LogSearch): LeadTimeStep {
  return async (window) => formatLeadTimes(await readLeadTimes(search, window));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const client = new CloudWatchLogsClient({});
  try {
    process.exitCode = await loadCli(
      process.argv.slice(2),
      console.log,
      logsInsightsLeadTimeStep(new CloudWatchLogSearch(client)),
    );
  } finally {
    client.destroy();
  }
}
