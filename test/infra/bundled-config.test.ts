import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../infra/lib/gumshoe-app';
import { BotFunctionNames } from '../../src/topology';
import {
  type DeployedFunction,
  deployedFunctions,
  invokeAsset,
  isolateAsset,
  type StackTemplate,
} from '../integration/lambda-assets';
import { synthBot } from './synth-gumshoe';

// `-c gumshoeConfig=…` as `cdk synth` does it (local esbuild, the bot stack bundled): the file lands
// in the asset of each function that reads it, and the deployed worker bundle loads it at init.

const ORDERS_CONFIG = path.join(PROJECT_ROOT, 'examples/orders.gumshoe.yaml');
const READERS = [BotFunctionNames.slackEvents, BotFunctionNames.worker, BotFunctionNames.weeklyCost];

let outdir: string;
let functions: DeployedFunction[];
const isolated: string[] = [];

beforeAll(async () => {
  outdir = await mkdtemp(path.join(tmpdir(), 'gumshoe-bundled-config-'));
  const { bot, nag } = synthBot(
    { alarmTopicArns: 'arn:aws:sns:eu-west-1:123456789012:orders-alarms', gumshoeConfig: ORDERS_CONFIG },
    { bundle: true, outdir },
  );
  if (nag !== 'none') throw new Error(nag);
  functions = deployedFunctions([bot.toJSON() as StackTemplate], outdir);
}, 300_000);

afterAll(async () => {
  for (const dir of isolated) await rm(dir, { recursive: true, force: true });
  if (outdir) await rm(outdir, { recursive: true, force: true });
});

function deployed(name: string): DeployedFunction {
  const fn = functions.find((f) => f.name === name);
  if (!fn) throw new Error(`${name} is not deployed`);
  return fn;
}

/** The template's literal variables (references need AWS), plus the region Lambda sets. */
function literalEnv(fn: DeployedFunction): Record<string, string> {
  const literal = Object.entries(fn.environment).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return { ...Object.fromEntries(literal), AWS_REGION: 'eu-west-1' };
}

describe('the bundled flow config', () => {
  it('is in the asset of each function that reads it, as written, and in no other', async () => {
    const source = readFileSync(ORDERS_CONFIG, 'utf8');
    for (const name of READERS) {
      const fn = deployed(name);
      expect(fn.environment.GUMSHOE_CONFIG, name).toBe('gumshoe.config.yaml');
      expect(readFileSync(path.join(fn.assetDir, 'gumshoe.config.yaml'), 'utf8'), name).toBe(source);
    }
    for (const name of [BotFunctionNames.alarm, BotFunctionNames.alarmReminder])
      expect(await readdir(deployed(name).assetDir), name).not.toContain('gumshoe.config.yaml');
  });

  it('is loaded by the deployed worker at init, from its code folder; without it the init fails naming it', async () => {
    const fn = deployed(BotFunctionNames.worker);
    const dir = await isolateAsset(fn);
    isolated.push(dir);

    // An empty job: init (which reads the config) succeeds, then the input is refused.
    const loaded = await invokeAsset(dir, fn, {}, literalEnv(fn));
    await rm(path.join(dir, 'gumshoe.config.yaml'));
    const missing = await invokeAsset(dir, fn, {}, literalEnv(fn));

    expect(loaded.error).toBeUndefined();
    expect(loaded.result).toEqual({ outcome: 'rejected' });
    expect(missing.error?.name).toBe('FlowConfigError');
    expect(missing.error?.message).toBe(
      `${path.join(dir, 'gumshoe.config.yaml')}: cannot read the Gumshoe config`,
    );
  });
});
