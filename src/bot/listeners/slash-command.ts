import type { AllMiddlewareArgs, SlackCommandMiddlewareArgs } from '@slack/bolt';
import { parseCommandText } from '../../commands/command-text';
import { GumshoeError, InvalidInputError } from '../../commands/errors';
import { jobFromCommand } from '../../commands/job-from-command';
import type { InvestigationJob } from '../../commands/jobs';
import type { BotConfig } from '../config';
import type { JobDispatcher } from '../job-dispatcher';
import { isAllowed, NOT_ALLOWED_TEXT } from './access';

/** What the slash-command listener needs. */
export interface SlashCommandDeps {
  config: Pick<BotConfig, 'allowedChannelIds' | 'allowedUserIds'> &
    Pick<Partial<BotConfig>, 'flowConfigFile'>;
  dispatcher: JobDispatcher;
  log: (message: string, detail: Record<string, unknown>) => void;
}

/** The "working on it" line the user sees at once. */
export function investigatingText(job: InvestigationJob): string {
  switch (job.kind) {
    case 'trace':
      return `:mag: Investigating \`${job.id}\`… the answer follows here.`;
    case 'trace_logs':
      return `:mag: Fetching the logs of \`${job.functionName}\` for \`${job.traceId}\`…`;
    case 'leadtime':
      return ':stopwatch: Measuring lead time… the answer follows here.';
    case 'cost':
      return ':moneybag: Working out the cost… the answer follows here.';
    case 'flows':
      return ':compass: Learning the flows from the logs… the answer follows here.';
    default:
      return ':mag: Investigating… the answer follows here.';
  }
}

/**
 * Handles /trace, /leadtime, /cost and /gumshoe: parse, hand off to the worker, ack. Bolt on Lambda
 * answers only once the listener ends (facts §1.5), so the listener does nothing slow.
 */
export function slashCommandListener(deps: SlashCommandDeps) {
  return async ({ command, ack }: SlackCommandMiddlewareArgs & AllMiddlewareArgs): Promise<void> => {
    if (!isAllowed(deps.config, command.channel_id, command.user_id)) {
      await ack({ response_type: 'ephemeral', text: NOT_ALLOWED_TEXT });
      return;
    }
    let parsed: ReturnType<typeof parseCommandText>;
    try {
      parsed = parseCommandText(command.command, command.text ?? '');
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      await ack({ response_type: 'ephemeral', text: error.userMessage });
      return;
    }
    if (parsed.kind === 'help') {
      // Loaded on the first help: its message validation uses zod classic, which /trace does not need.
      const { helpMessage } = await import('../../commands/help/help-view');
      const help = helpMessage(await flowSummaries(deps.config.flowConfigFile, deps.log));
      await ack({ response_type: 'ephemeral', text: help.text, blocks: help.blocks as never });
      return;
    }
    const job = jobFromCommand(parsed);
    try {
      await deps.dispatcher.dispatch({
        job,
        reply: {
          ...(command.response_url ? { responseUrl: command.response_url } : {}),
          channelId: command.channel_id,
          userId: command.user_id,
          share: parsed.share,
        },
      });
    } catch (error) {
      deps.log('dispatch failed', { error, command: command.command });
      const text =
        error instanceof GumshoeError ? error.userMessage : 'Gumshoe could not start; please try again.';
      await ack({ response_type: 'ephemeral', text });
      return;
    }
    await ack({ response_type: 'ephemeral', text: investigatingText(job) });
  };
}

/**
 * The configured flows for help, read when help is first asked (off every other command's path);
 * null without a config, undefined (no flows section) when the file cannot be read.
 */
async function flowSummaries(
  file: string | undefined,
  log: SlashCommandDeps['log'],
): Promise<import('../../commands/help/help-view').FlowSummary[] | null | undefined> {
  if (!file) return null;
  try {
    const { readFlowConfigFile } = await import('../flow-config-file');
    return readFlowConfigFile(file).flows.map((f) => ({
      name: f.name,
      description: f.description,
      businessIds: f.businessIds,
      milestones: f.milestones.map((m) => m.name),
    }));
  } catch (error) {
    log('flow config unreadable for help', { error, file });
    return undefined;
  }
}
