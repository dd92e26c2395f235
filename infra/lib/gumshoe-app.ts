import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { describeSystem } from '../../src/topology';
import { BotStack } from './bot-stack';
import { ConferenceStack } from './conference-stack';
import { readConfig, systemSettingsOf } from './config';
import { WATCHED_FUNCTIONS } from './naming';

/** The repository root, where the Lambda entries and package-lock.json live. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The two stacks of one Gumshoe deployment. */
export interface GumshoeStacks {
  readonly conference: ConferenceStack;
  readonly bot: BotStack;
}

/** Adds the conference and bot stacks to `app`, configured from its context; env-agnostic, no lookups. */
export function buildGumshoeApp(app: App, projectRoot: string = PROJECT_ROOT): GumshoeStacks {
  const config = readConfig((key) => app.node.tryGetContext(key));
  const topology = describeSystem(systemSettingsOf(config));
  const conference = new ConferenceStack(app, 'ConferenceSession', { config, topology, projectRoot });
  const bot = new BotStack(app, 'Gumshoe', {
    config,
    topology,
    projectRoot,
    watchedFunctions: WATCHED_FUNCTIONS,
  });
  // The bot's ARNs are rebuilt from fixed names (no Fn::ImportValue); deploy order still matters.
  bot.addStackDependency(conference);
  return { conference, bot };
}
