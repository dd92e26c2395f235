import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { describeSystem } from '../../src/topology';
import { BotStack } from './bot-stack';
import { ConferenceStack } from './conference-stack';
import { isStandalone, readConfig, systemSettingsOf } from './config';
import { logGroupScope, readDeployedFlowConfig } from './deployed-flows';

/** The repository root, where the Lambda entries and package-lock.json live. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The stacks of one Gumshoe deployment: the bot, and the conference example unless the bot stands alone. */
export interface GumshoeStacks {
  readonly conference: ConferenceStack | undefined;
  readonly bot: BotStack;
}

/**
 * Adds the stacks to `app`, configured from its context; env-agnostic, no lookups. By default the
 * conference example and the bot watching it; given its own alarm topics (`alarmTopicArns`,
 * `alarmTopic`), the bot stack alone.
 */
export function buildGumshoeApp(app: App, projectRoot: string = PROJECT_ROOT): GumshoeStacks {
  const config = readConfig((key) => app.node.tryGetContext(key));
  // Validated before any construct exists: a bad file fails synth with the bot's own message.
  const flowConfig = config.gumshoeConfig ? readDeployedFlowConfig(config.gumshoeConfig) : undefined;
  const topology = describeSystem({
    ...systemSettingsOf(config),
    ...(flowConfig ? { gumshoeConfig: flowConfig.bundledName } : {}),
  });
  const standalone = isStandalone(config);
  const conference = standalone
    ? undefined
    : new ConferenceStack(app, 'ConferenceSession', { config, topology, projectRoot });
  const bot = new BotStack(app, 'Gumshoe', {
    config,
    topology,
    projectRoot,
    logScope: logGroupScope(topology, flowConfig?.flows),
    flowConfig,
  });
  // The bot's ARNs are rebuilt from fixed names (no Fn::ImportValue); deploy order still matters.
  if (conference) bot.addStackDependency(conference);
  return { conference, bot };
}
