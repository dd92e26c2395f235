import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import type { BotConfig } from './config';
import type { JobDispatcher } from './job-dispatcher';
import { registerAlarmActions } from './listeners/alarm-actions';
import { blockActionListeners } from './listeners/block-actions';
import { slashCommandListener } from './listeners/slash-command';
import { ReplayGuard, type SlackEventsHandler, withReplayGuard } from './replay-guard';
import { slackClientOptions } from './slack-client';

/** The slash commands the bot answers. */
export const SLASH_COMMANDS = ['/trace', '/leadtime', '/cost', '/gumshoe'] as const;

/** What {@link createBotApp} builds the Bolt app from. */
export interface BotAppOptions {
  config: BotConfig;
  botToken: string;
  signingSecret: string;
  dispatcher: JobDispatcher;
  replayGuard?: ReplayGuard;
  log?: (message: string, detail: Record<string, unknown>) => void;
  logLevel?: LogLevel;
}

/** The Bolt app on Lambda and its two-argument Function URL handler (replay-guarded). */
export interface BotApp {
  app: App;
  handler: SlackEventsHandler;
}

/** Builds the Bolt app with every listener registered. */
export function createBotApp(options: BotAppOptions): BotApp {
  const receiver = new AwsLambdaReceiver({
    signingSecret: options.signingSecret,
    logLevel: options.logLevel ?? LogLevel.WARN,
  });
  const app = new App({
    token: options.botToken,
    receiver,
    clientOptions: slackClientOptions(options.config),
    logLevel: options.logLevel ?? LogLevel.WARN,
  });
  const log = options.log ?? ((message, detail) => app.logger.error(message, detail));
  const deps = { config: options.config, dispatcher: options.dispatcher, log };
  const onCommand = slashCommandListener(deps);
  for (const command of SLASH_COMMANDS) app.command(command, onCommand);
  for (const [actionId, listener] of Object.entries(blockActionListeners(deps))) {
    app.action({ type: 'block_actions', action_id: actionId }, listener as never);
  }
  registerAlarmActions(app, deps);
  return { app, handler: withReplayGuard(receiver.toHandler(), options.replayGuard ?? new ReplayGuard()) };
}
