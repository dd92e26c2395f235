import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { z } from 'zod';
import { LogsDeliveryCheck } from './lib/logs-delivery-check';
import { type DeliveryCheck, runSmoke, type SmokeResult } from './lib/smoke-steps';
import { StandInDeliveryCheck } from './lib/stand-in-delivery-check';

/** Where the local stack's stand-ins listen unless told otherwise (src/local/stack.ts: STAND_INS_PORT, 3300). */
export const DEFAULT_STAND_INS_URL = `http://127.0.0.1:${process.env.STAND_INS_PORT ?? '3300'}`;

const USAGE = `Usage: npm run smoke -- --api <url> [--local] [--timeout 60] [--interval 1]
  --api        base URL of the conference API (the ApiUrl stack output, or http://127.0.0.1:3000)
  --local      check the local stand-ins instead of Logs Insights (default when --api is loopback)
  --logs       check Logs Insights milestones even for a loopback API (the local endpoint via AWS_ENDPOINT_URL)
  --stand-ins  base URL of the local stand-ins server (local mode; default $STAND_INS_URL or ${DEFAULT_STAND_INS_URL})
  --timeout    seconds allowed per step (default 60)
  --interval   seconds between polls (default 1)
Logs Insights is reached with the default AWS credentials chain; AWS_ENDPOINT_URL points it at a local endpoint.`;

/** The smoke test's command line, validated. */
export const SmokeArgs = z.object({
  api: z.url(),
  local: z.boolean().optional(),
  logs: z.boolean().optional(),
  standIns: z.url().optional(),
  timeout: z.coerce.number().positive().max(900).default(60),
  interval: z.coerce.number().positive().max(60).default(1),
});
export type SmokeArgs = z.infer<typeof SmokeArgs>;

/** Parses `argv` (without node and the script); throws a message naming the bad flag. */
export function parseSmokeArgs(argv: string[]): SmokeArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      api: { type: 'string' },
      local: { type: 'boolean' },
      logs: { type: 'boolean' },
      'stand-ins': { type: 'string' },
      timeout: { type: 'string' },
      interval: { type: 'string' },
    },
  });
  const parsed = SmokeArgs.safeParse({
    api: values.api,
    local: values.local,
    logs: values.logs,
    standIns: values['stand-ins'] ?? process.env.STAND_INS_URL,
    timeout: values.timeout,
    interval: values.interval,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`--${String(issue?.path[0] ?? 'args')}: ${issue?.message ?? 'invalid'}\n${USAGE}`);
  }
  return parsed.data;
}

/** True for 127.0.0.0/8, ::1 and localhost: the local stack. */
export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Picks the delivery check: the local stand-ins for a loopback API or --local, Logs Insights otherwise. */
export function deliveryCheckFor(args: SmokeArgs): DeliveryCheck {
  if (!args.logs && (args.local ?? isLoopback(args.api))) {
    return new StandInDeliveryCheck(args.standIns ?? DEFAULT_STAND_INS_URL);
  }
  return new LogsDeliveryCheck(new CloudWatchLogsClient({}));
}

/** Runs the smoke test from a command line; resolves to the process exit code (0 ok, 1 failed step, 2 usage). */
export async function smokeCli(argv: string[], out: (line: string) => void = console.log): Promise<number> {
  let args: SmokeArgs;
  try {
    args = parseSmokeArgs(argv);
  } catch (error) {
    out((error as Error).message);
    return 2;
  }
  const delivery = deliveryCheckFor(args);
  out(`Smoke test of ${args.api} (delivery seen through ${delivery.kind})`);
  const result: SmokeResult = await runSmoke({
    api: args.api,
    delivery,
    stepTimeoutMs: args.timeout * 1000,
    pollIntervalMs: args.interval * 1000,
    log: out,
  });
  if (result.ok) {
    out(`PASS sessionId=${result.session.sessionId} traceId=${result.session.traceId}`);
    return 0;
  }
  const trace = result.session
    ? ` (traceId=${result.session.traceId}; try /trace ${result.session.sessionId})`
    : '';
  out(`FAIL at ${result.failedStep}: ${result.reason}${trace}`);
  return 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await smokeCli(process.argv.slice(2));
}
