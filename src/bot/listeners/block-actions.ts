import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
// zod/mini: built when the Slack handler loads, so it counts against the cold start of every command.
import * as z from 'zod/mini';
import type { InvestigationJob } from '../../commands/jobs';
import type { BotConfig } from '../config';
import type { JobDispatcher, ReplyTarget } from '../job-dispatcher';
import { isAllowed, NOT_ALLOWED_TEXT } from './access';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** What the button listeners need. */
export interface BlockActionDeps {
  config: Pick<BotConfig, 'allowedChannelIds' | 'allowedUserIds'>;
  dispatcher: JobDispatcher;
  log: (message: string, detail: Record<string, unknown>) => void;
}

// Correlation ids of any flow (UUIDs, request ids, `ord-42-…`): id characters only.
const TraceRunValue = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,80}$/));
const TraceShowLogsValue = z.object({
  traceId: z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,80}$/)),
  functionName: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
  fromMs: z.int().check(z.nonnegative()),
  toMs: z.int().check(z.nonnegative()),
  flow: z.optional(z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/))),
});
const XrayOpenValue = z.object({
  xrayTraceId: z.string().check(z.regex(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/)),
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/)),
});

function parseJsonValue<T>(schema: z.ZodMiniType<T>, value: string | undefined): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(value ?? ''));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The X-Ray console page of one trace. */
export function xrayConsoleUrl(region: string, xrayTraceId: string): string {
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#xray:traces/${xrayTraceId}`;
}

async function refuse(args: ButtonArgs, text: string): Promise<void> {
  await args.respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** A button that hands a job to the worker once its value passes the schema. */
function dispatchingListener(
  deps: BlockActionDeps,
  toJob: (value: string | undefined) => InvestigationJob | undefined,
) {
  return async (args: ButtonArgs): Promise<void> => {
    await args.ack();
    const { body, action } = args;
    const channelId = body.channel?.id;
    if (!isAllowed(deps.config, channelId, body.user.id)) return refuse(args, NOT_ALLOWED_TEXT);
    const job = toJob(action.value);
    if (!job || !channelId) {
      deps.log('button value refused', { actionId: action.action_id });
      return refuse(args, 'That button carried data Gumshoe does not understand.');
    }
    await deps.dispatcher.dispatch({ job, reply: privateReplyTo(body, channelId) });
  };
}

/**
 * Where a button's private answer goes: into the clicked message's thread when it sits in one (an
 * alarm's conversation; a response_url can only answer at the top level), else the response_url.
 */
function privateReplyTo(body: ButtonArgs['body'], channelId: string): ReplyTarget {
  const threadTs = (body.message as { thread_ts?: unknown } | undefined)?.thread_ts;
  if (typeof threadTs === 'string' && threadTs.length > 0)
    return { channelId, userId: body.user.id, share: false, threadTs };
  return { responseUrl: body.response_url, channelId, userId: body.user.id, share: false };
}

/** Registers trace_run, trace_show_logs and xray_open (the /trace answer's), each answered privately by the worker. */
export function blockActionListeners(deps: BlockActionDeps) {
  return {
    trace_run: dispatchingListener(deps, (value) => {
      const id = TraceRunValue.safeParse(value);
      return id.success ? { kind: 'trace', id: id.data } : undefined;
    }),
    trace_show_logs: dispatchingListener(deps, (value) => {
      const parsed = parseJsonValue(TraceShowLogsValue, value);
      return parsed && parsed.fromMs <= parsed.toMs ? { kind: 'trace_logs', ...parsed } : undefined;
    }),
    // The /trace answer's button: the worker draws the waterfall (it links the console too).
    xray_open: dispatchingListener(deps, (value) => {
      const parsed = parseJsonValue(XrayOpenValue, value);
      return parsed ? { kind: 'xray_waterfall', traceId: parsed.xrayTraceId } : undefined;
    }),
  };
}
