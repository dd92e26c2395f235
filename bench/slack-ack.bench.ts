/**
 * Slack ack benchmark (issue 4): the slash-command request path (signature check to HTTP response)
 * and the cold init of the bundled bot handler, beside a plain Bolt AwsLambdaReceiver app bundled
 * the same way, interleaved in one run; and the cold start at Lambda's CPU share at the deployed memory
 * size, beside the plain app under the same quota. Run with `npm run bench:slack-ack`;
 * SLACK_ACK_BENCH_ONLY=quota runs only the CPU-share part.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BundleResult, bundleLambda, bytesByPackage, staticallyReachable } from './lib/bundle';
import { type ColdSample, coldRun, lastJsonLine, runNode } from './lib/child-runs';
import { slackColdStartAtShare } from './lib/slack-ack-at-share';
import { startLambdaInvokeStandIn, startSlackApiStandIn } from './lib/stand-ins';
import { formatMs, median, summarizeLatencies } from './lib/stats';

// Overrides for a quick try, e.g. SLACK_ACK_BENCH_REQUESTS=200 SLACK_ACK_BENCH_COLD_RUNS=3.
const WARM_ROUNDS = Number(process.env.SLACK_ACK_BENCH_ROUNDS ?? 2);
const REQUESTS = Number(process.env.SLACK_ACK_BENCH_REQUESTS ?? 2000);
const WARMUP = 50;
const COLD_RUNS = Number(process.env.SLACK_ACK_BENCH_COLD_RUNS ?? 15);
const PROBE_RUNS = Number(process.env.SLACK_ACK_BENCH_PROBE_RUNS ?? 5);
const ACK_P99_TARGET_MS = 50;
// The cold start at Lambda's CPU share: runs per variant, and another memory size to try.
const QUOTA_RUNS = Number(process.env.SLACK_ACK_BENCH_QUOTA_RUNS ?? 9);
const QUOTA_MEMORY_MB = process.env.SLACK_ACK_BENCH_MEMORY_MB
  ? Number(process.env.SLACK_ACK_BENCH_MEMORY_MB)
  : undefined;
const QUOTA_NODE = process.env.SLACK_ACK_BENCH_NODE;
const ONLY = process.env.SLACK_ACK_BENCH_ONLY;
if (ONLY !== undefined && ONLY !== 'quota') {
  throw new Error(`SLACK_ACK_BENCH_ONLY=${ONLY}: the only part that runs alone is "quota"`);
}

const WORKER_FUNCTION = 'gumshoe-bench-worker';
const SIGNING_SECRET = 'bench-signing-secret';
const root = fileURLToPath(new URL('..', import.meta.url));

// ours: bundled as we deploy (the shared Lambda options: Bolt trim, ESM-first main fields); plain:
// bundled the standard way, as users do. Cold init also runs ours the standard way and plain with
// our options, to separate product work from the bundling tricks.
type Variant = 'ours' | 'plain' | 'oursUntrimmed' | 'plainTrimmed';
const WARM_VARIANTS: readonly Variant[] = ['ours', 'plain'];
const COLD_VARIANTS: readonly Variant[] = ['ours', 'plain', 'oursUntrimmed', 'plainTrimmed'];
const OURS_VARIANTS: ReadonlySet<Variant> = new Set(['ours', 'oursUntrimmed']);

/** Rotates which variant goes first each round, so drift in machine load hits all alike. */
function roundOrder<T>(items: readonly T[], round: number): readonly T[] {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

const pad = (text: string, width: number) => text.padStart(width);
const LABEL_WIDTH = 34;
const CELL_WIDTH = 10;
const row = (label: string, cells: string[]) =>
  `| ${label.padEnd(LABEL_WIDTH)} | ${cells.map((c) => pad(c, CELL_WIDTH)).join(' | ')} |`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

const TRACE_INVOKES = `invoke:${WORKER_FUNCTION}:trace`;
/** The machine's load averages (1, 5, 15 min), as `uptime` prints them. */
const machineLoad = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** The warm request path, the cold init at full CPU and the profile; returns the report's lines. */
async function measureAckPath(env: NodeJS.ProcessEnv, coldRunner: string): Promise<string[]> {
  const invokesBefore = invoke.counts.get(TRACE_INVOKES) ?? 0;
  const ours = { file: join(root, 'src/bot/handlers/slack-events.ts') };
  const plain = { file: join(root, 'bench/fixtures/plain-bolt-app.ts') };
  const bundles: Record<Variant, BundleResult> = {
    ours: await bundleLambda(ours, join(dir, 'ours.mjs'), { lambdaOptions: true }),
    plain: await bundleLambda(plain, join(dir, 'plain.mjs')),
    oursUntrimmed: await bundleLambda(ours, join(dir, 'ours-untrimmed.mjs')),
    plainTrimmed: await bundleLambda(plain, join(dir, 'plain-trimmed.mjs'), { lambdaOptions: true }),
  };
  // The ack path must not evaluate zod classic at load: only `await import()` may reach it.
  const zodClassicAtLoad = staticallyReachable(
    bundles.ours.metafile,
    'src/bot/handlers/slack-events.ts',
  ).some((path) => path.includes('node_modules/zod/v4/classic/'));
  const warmRunner = (
    await bundleLambda({ file: join(root, 'bench/lib/warm-runner.ts') }, join(dir, 'warm.mjs'))
  ).outfile;

  // What the bot's bundle pays beyond Bolt, each part alone in a fresh node: import (parse + evaluate),
  // and for the Lambda client also its first call (the bot builds its client on the first event).
  const probeSources: Record<string, string> = {
    '@slack/bolt (App, AwsLambdaReceiver)': "export { App, AwsLambdaReceiver } from '@slack/bolt';",
    '@aws-lambda-powertools/logger': "export { Logger } from '@aws-lambda-powertools/logger';",
    '@aws-sdk/client-lambda, + first async Invoke': `import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
export const handler = async () => {
  const client = new LambdaClient({ region: process.env.AWS_REGION });
  const result = await client.send(new InvokeCommand({
    FunctionName: process.env.GUMSHOE_WORKER_FUNCTION, InvocationType: 'Event',
    Payload: new TextEncoder().encode('{"job":{"kind":"probe"},"reply":{}}'),
  }));
  return { statusCode: result.StatusCode === 202 ? 200 : 500 };
};`,
    '@aws-sdk/client-secrets-manager':
      "export { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
    'zod (classic)': "export { z } from 'zod';",
    'zod/mini (object + string + parse)':
      "import * as z from 'zod/mini'; export const handler = async () => ({ statusCode: z.object({ a: z.string() }).safeParse({ a: 'x' }).success ? 200 : 500 });",
    'our ack-path config + schemas (zod/mini)':
      "export { loadBotConfig } from './src/bot/config'; export { ReplyTarget } from './src/bot/reply-target'; export { parseCommandText } from './src/commands/command-text';",
    'the worker input schema (zod classic)': "export { WorkerInput } from './src/bot/job-dispatcher';",
  };
  const probes: Array<{ label: string; file: string; bytes: number }> = [];
  for (const [label, contents] of Object.entries(probeSources)) {
    const built = await bundleLambda(
      { contents, resolveDir: root },
      join(dir, `probe-${probes.length}.mjs`),
      {
        lambdaOptions: true,
      },
    );
    probes.push({ label, file: built.outfile, bytes: built.bytes });
  }

  // (b) Cold init first, so the page cache is the only warmth: one discarded run each, then interleaved.
  for (const variant of COLD_VARIANTS) await coldRun(coldRunner, bundles[variant].outfile, env);
  const cold: Record<Variant, ColdSample[]> = { ours: [], plain: [], oursUntrimmed: [], plainTrimmed: [] };
  for (let round = 0; round < COLD_RUNS; round += 1) {
    for (const variant of roundOrder(COLD_VARIANTS, round)) {
      cold[variant].push(await coldRun(coldRunner, bundles[variant].outfile, env));
    }
  }
  const probeRuns = new Map<string, ColdSample[]>(probes.map((p) => [p.label, []]));
  for (let round = 0; round < PROBE_RUNS; round += 1) {
    for (const probe of roundOrder(probes, round)) {
      probeRuns.get(probe.label)?.push(await coldRun(coldRunner, probe.file, env));
    }
  }

  // (a) Warm request path: one fresh process per variant and round, rounds interleaved.
  const perRound = Math.ceil(REQUESTS / WARM_ROUNDS);
  const warm: Record<Variant, number[]> = { ours: [], plain: [], oursUntrimmed: [], plainTrimmed: [] };
  const dispatchMs: number[] = [];
  for (let round = 0; round < WARM_ROUNDS; round += 1) {
    for (const variant of roundOrder(WARM_VARIANTS, round)) {
      const measureDispatch = variant === 'ours' ? '1' : '0';
      const stdout = await runNode(
        warmRunner,
        [bundles[variant].outfile, String(perRound), String(WARMUP), measureDispatch],
        env,
      );
      const result = lastJsonLine<{ samples: number[]; dispatchMs: number[] }>(stdout);
      warm[variant].push(...result.samples);
      dispatchMs.push(...result.dispatchMs);
    }
  }

  // Every request to ours must have reached the worker stand-in once: a skipped dispatch would flatter it.
  const oursColdRuns = [...OURS_VARIANTS].length * (1 + COLD_RUNS);
  const expectedTraceInvokes = oursColdRuns + WARM_ROUNDS * (perRound + WARMUP);
  const traceInvokes = (invoke.counts.get(TRACE_INVOKES) ?? 0) - invokesBefore;
  if (traceInvokes !== expectedTraceInvokes) {
    throw new Error(`worker stand-in saw ${traceInvokes} /trace invokes, expected ${expectedTraceInvokes}`);
  }

  const summary = { ours: summarizeLatencies(warm.ours), plain: summarizeLatencies(warm.plain) };
  const dispatch = summarizeLatencies(dispatchMs);
  const initOf = (s: ColdSample) => s.importMs + (s.firstInvokeMs ?? 0);
  const coldMedian = (variant: Variant, pick: (s: ColdSample) => number) => median(cold[variant].map(pick));
  const pairedWins = cold.ours.filter((s, i) => {
    const other = cold.plain[i];
    return other !== undefined && initOf(s) < initOf(other);
  }).length;

  const lines: string[] = [];
  const header = (cells: string[]) => [
    `| ${''.padEnd(LABEL_WIDTH)} | ${cells.map((c) => pad(c, CELL_WIDTH)).join(' | ')} |`,
    `|${'-'.repeat(LABEL_WIDTH + 2)}|${cells.map(() => '-'.repeat(CELL_WIDTH + 2)).join('|')}|`,
  ];
  lines.push(
    `Bundles (esbuild, esm, node22, minified): ours as deployed (shared Lambda options) ${kib(bundles.ours.bytes)}, plain Bolt ${kib(bundles.plain.bytes)}; ours bundled the standard way ${kib(bundles.oursUntrimmed.bytes)}, plain with our options ${kib(bundles.plainTrimmed.bytes)}`,
    '',
    `Warm request path: handler(signed /trace <uuid>) → response; ${WARM_ROUNDS} interleaved rounds × ${perRound} requests per variant, after ${WARMUP} warm-up per process`,
    ...header(['ours', 'plain Bolt', 'ours/plain']),
  );
  for (const key of ['p50', 'p90', 'p99', 'max'] as const) {
    lines.push(
      row(key, [
        formatMs(summary.ours[key]),
        formatMs(summary.plain[key]),
        ratio(summary.ours[key], summary.plain[key]),
      ]),
    );
  }
  lines.push(
    row('ours: async Invoke alone p50 / p99', [formatMs(dispatch.p50), formatMs(dispatch.p99), '']),
    row('ours p50 − Invoke p50', [
      formatMs(summary.ours.p50 - dispatch.p50),
      formatMs(summary.plain.p50),
      ratio(summary.ours.p50 - dispatch.p50, summary.plain.p50),
    ]),
    "Ours includes the worker hand-off, a real HTTP round trip (async Lambda Invoke) to a stand-in in another process; the plain app acks with no I/O. 'Invoke alone' is the same SDK call timed right after each request.",
    '',
    `Cold init: a fresh \`node\` per run imports the bundle, then makes the first invocation; ${COLD_RUNS} runs per variant, interleaved, after one discarded run each; medians`,
    ...header(['ours', 'plain Bolt', 'ours/plain', 'ours std', 'plain opts', 'ours/p.opts']),
  );
  const coldRows: Array<[string, (s: ColdSample) => number]> = [
    ['node boot + runner', (s) => s.bootMs],
    ['import (parse + evaluate)', (s) => s.importMs],
    ['first invoke', (s) => s.firstInvokeMs ?? 0],
    ['init = import + first invoke', initOf],
    ['process wall (spawn → exit)', (s) => s.wallMs],
  ];
  for (const [label, pick] of coldRows) {
    const a = coldMedian('ours', pick);
    const b = coldMedian('plain', pick);
    lines.push(
      row(label, [
        formatMs(a),
        formatMs(b),
        ratio(a, b),
        formatMs(coldMedian('oursUntrimmed', pick)),
        formatMs(coldMedian('plainTrimmed', pick)),
        ratio(a, coldMedian('plainTrimmed', pick)),
      ]),
    );
  }
  const oursInit = coldMedian('ours', initOf);
  const plainInit = coldMedian('plain', initOf);
  const untrimmedInit = coldMedian('oursUntrimmed', initOf);
  const plainTrimmedInit = coldMedian('plainTrimmed', initOf);
  lines.push(
    `ours' init beat plain's in ${pairedWins} of ${COLD_RUNS} paired runs. "ours" is bundled as we deploy, with the shared Lambda options (src/bundling/lambda-esbuild.ts: express, raw-body, @slack/socket-mode and @slack/oauth stubbed; ESM-first main fields); "plain Bolt" is bundled the standard way. "ours std" and "plain opts" swap the options, to show what is product work and what is the bundling tricks.`,
    '',
    'Targets',
    `- ack p99 warm < ${ACK_P99_TARGET_MS} ms: ours ${formatMs(summary.ours.p99)} → ${summary.ours.p99 < ACK_P99_TARGET_MS ? 'MET' : 'MISSED'} (plain ${formatMs(summary.plain.p99)})`,
    `- cold init ours < plain: ${formatMs(oursInit)} vs ${formatMs(plainInit)} (${ratio(oursInit, plainInit)}) → ${oursInit < plainInit ? 'MET' : 'MISSED'}`,
    `- cold init ours < plain bundled with our options: ${formatMs(oursInit)} vs ${formatMs(plainTrimmedInit)} (${ratio(oursInit, plainTrimmedInit)}) → ${oursInit < plainTrimmedInit ? 'MET' : 'MISSED'}`,
    `  ours bundled the standard way: ${formatMs(untrimmedInit)} (${ratio(untrimmedInit, plainInit)} of plain)`,
    `  zod classic evaluated at load in ours: ${zodClassicAtLoad ? 'YES (a static import reaches it)' : 'no (only behind await import())'}`,
    '',
    `Each dependency alone in a fresh node, bundled with our options (median of ${PROBE_RUNS}; parts overlap, e.g. the two SDK clients share @smithy)`,
  );
  for (const probe of probes) {
    const runs = probeRuns.get(probe.label) ?? [];
    const first = runs.some((r) => r.firstInvokeMs !== undefined)
      ? `, first call ${formatMs(median(runs.map((r) => r.firstInvokeMs ?? 0)))}`
      : '';
    lines.push(
      `- ${probe.label.padEnd(46)} import ${pad(formatMs(median(runs.map((r) => r.importMs))), 9)}${first}  (${kib(probe.bytes)})`,
    );
  }
  lines.push('', 'Bundle bytes by package, top 12 of ours');
  const plainBytes = new Map(bytesByPackage(bundles.plain.metafile).map((p) => [p.name, p.bytes]));
  const untrimmedBytes = new Map(
    bytesByPackage(bundles.oursUntrimmed.metafile).map((p) => [p.name, p.bytes]),
  );
  for (const { name, bytes } of bytesByPackage(bundles.ours.metafile).slice(0, 12)) {
    lines.push(
      `- ${name.padEnd(34)} ours ${pad(kib(bytes), 8)}   plain ${pad(kib(plainBytes.get(name) ?? 0), 8)}   ours std ${pad(kib(untrimmedBytes.get(name) ?? 0), 8)}`,
    );
  }
  return lines;
}

const dir = mkdtempSync(join(tmpdir(), 'gumshoe-slack-ack-'));
const invoke = await startLambdaInvokeStandIn({
  secretString: JSON.stringify({ botToken: 'xoxb-bench-token', signingSecret: SIGNING_SECRET }),
});
const slackApi = await startSlackApiStandIn();
try {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    // Hermetic AWS config: fake keys, no profile files, every client pointed at the stand-in.
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'),
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL: invoke.url,
    SLACK_API_URL: `${slackApi.url}/api/`,
    SLACK_BOT_TOKEN: 'xoxb-bench-token',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    BENCH_SIGNING_SECRET: SIGNING_SECRET,
    GUMSHOE_CHANNEL: 'C0BENCH01',
    GUMSHOE_WORKER_FUNCTION: WORKER_FUNCTION,
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };

  const coldRunner = (
    await bundleLambda({ file: join(root, 'bench/lib/cold-runner.ts') }, join(dir, 'cold.mjs'))
  ).outfile;
  const loadBefore = machineLoad();
  const atShare = await slackColdStartAtShare({
    root,
    dir,
    env,
    aws: invoke,
    coldRunner,
    runs: QUOTA_RUNS,
    ...(QUOTA_MEMORY_MB === undefined ? {} : { memoryMb: QUOTA_MEMORY_MB }),
    ...(QUOTA_NODE === undefined ? {} : { node: QUOTA_NODE }),
  });
  const shareLines = [`load before ${loadBefore}, after ${machineLoad()}`, ...atShare.lines];
  const ackPath = ONLY === 'quota' ? [] : [...(await measureAckPath(env, coldRunner)), ''];
  // The bot bundle is built from the working tree; say which, since the figures depend on it.
  const revision = execFileSync('git', ['describe', '--always', '--dirty'], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
  console.log(
    [
      `Slack ack benchmark at ${revision} — node ${process.version}, ${availableParallelism()} CPUs, load ${machineLoad()}`,
      '',
      ...ackPath,
      ...shareLines,
    ].join('\n'),
  );
} finally {
  await invoke.close();
  await slackApi.close();
  rmSync(dir, { recursive: true, force: true });
}
