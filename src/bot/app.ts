import { App, AwsLambdaReceiver, LogLevel } from '@slack/bolt';
import { type Clock, systemClock } from '../commands/ports';
import type { BotConfig } from './config';
import type { JobDispatcher } from './job-dispatcher';
import { blockActionListeners } from './listeners/block-actions';
import { slashCommandListener } from './listeners/slash-command';
import { ReplayGuard, type SlackEventsHandler } from './replay-guard';
import { slackClientOptions } from './slack-client';
import { withSlackEdge } from './slack-edge';

/** The slash commands the bot answers. */
export const SLASH_COMMANDS = ['/trace', '/leadtime', '/cost', '/gumshoe'] as const;

/** What {@link createBotApp} builds the Bolt app from. */
export interface BotAppOptions {
  config: BotConfig;
  botToken: string;
  signingSecret: string;
  dispatcher: JobDispatcher;
  /** One per execution environment; give it the shared claim store so a replay runs nowhere. */
  replayGuard?: ReplayGuard;
  /** Slack's ±5-minute window is judged on this clock. */
  clock?: Clock;
  log?: (message: string, detail: Record<string, unknown>) => void;
  /** Requests refused at the edge (unsigned, replayed …): expected on a public URL, so not errors. */
  warn?: (message: string, detail: Record<string, unknown>) => void;
  logLevel?: LogLevel;
}

/** The Bolt app on Lambda and its two-argument Function URL handler (verified and replay-guarded). */
export interface BotApp {
  app: App;
  handler: SlackEventsHandler;
}

/** Builds the Bolt app with every listener registered. */
export function createBotApp(options: BotAppOptions): BotApp {
  const receiver = new AwsLambdaReceiver({
    signingSecret: options.signingSecret,
    // withSlackEdge verifies every request, more strictly, before Bolt sees it (one check, one clock).
    signatureVerification: false,
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
  registerAlarmActionsOnFirstClick(app, deps);
  const handler = withSlackEdge(receiver.toHandler(), {
    signingSecret: options.signingSecret,
    clock: options.clock ?? systemClock,
    guard: options.replayGuard ?? new ReplayGuard(),
    responseUrls: options.config.responseUrls,
    log: options.warn ?? ((message, detail) => app.logger.warn(message, detail)),
  });
  return { app, handler };
}

/**
 * Registers the alarm buttons' listeners when the first button click arrives, not at init: they and
 * the alarm views' zod classic schemas would otherwise be evaluated in every slash command's cold
 * start. Bolt runs global middleware before it reads its listener list (and walks the middleware
 * list as it grows), so listeners and middleware registered here already see the triggering click.
 */
function registerAlarmActionsOnFirstClick(
  app: App,
  deps: {
    config: BotConfig;
    dispatcher: JobDispatcher;
    log: (message: string, detail: Record<string, unknown>) => void;
  },
): void {
  let registered: Promise<void> | undefined;
  app.use(async ({ body, next }) => {
    if ((body as { type?: unknown }).type === 'block_actions') {
      registered ??= import('./listeners/alarm-actions')
        .then(({ registerAlarmActions }) => registerAlarmActions(app, deps))
        .catch((error: unknown) => {
          registered = undefined; // a failed load is retried on the next click
          throw error;
        });
      await registered;
    }
    await next();
  });
}
