import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { AlarmActionIds, parseAlarmButtonValue } from '../../commands/alarms/alarm-buttons';
import { alarmNameFromArn } from '../../commands/alarms/alarm-event';
import { type AlarmViewSettings, renderAlarmRecord } from '../../commands/alarms/alarm-record-view';
import {
  type AlarmActionResult,
  acknowledgeAlarm,
  muteAlarm,
  snoozeAlarm,
  unmuteAlarm,
  unsnoozeAlarm,
} from '../../commands/alarms/alarm-thread';
import { INVESTIGATE_XRAY_BLOCK_PREFIX } from '../../commands/alarms/investigate-view';
// The ports live in the core; the DynamoDB and CloudWatch adapters load on the first click, so the
// Slack handler's cold start (every /trace) does not pay for SDK clients only the alarm buttons use.
import {
  type AlarmControl,
  type AlarmRecord,
  AlarmStateConflictError,
  type AlarmStateStore,
} from '../../commands/alarms/ports';
import { GumshoeError } from '../../commands/errors';
import { type AlarmConfig, loadAlarmConfig } from '../alarms/alarm-config';
import type { BotConfig } from '../config';
import type { JobDispatcher } from '../job-dispatcher';
import { isAllowed, NOT_ALLOWED_TEXT } from './access';

type ButtonArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

/** How long the Mute alarm actions button mutes (a CloudWatch mute rule). */
export const MUTE_DURATION_MS = 60 * 60 * 1000;
/** How long Snooze in Slack keeps Gumshoe quiet about the alarm. */
export const SNOOZE_DURATION_MS = 60 * 60 * 1000;

/** What the alarm buttons need beyond the bot's own listener deps. */
export interface AlarmActionPorts {
  store: AlarmStateStore;
  control: Pick<AlarmControl, 'mute' | 'unmute'>;
  settings: AlarmViewSettings;
  now: () => Date;
}

/** The deps {@link registerAlarmActions} takes: the bot's listener deps, plus the alarm ports when already built. */
export interface AlarmActionDeps extends Partial<AlarmActionPorts> {
  config: Pick<BotConfig, 'allowedChannelIds' | 'allowedUserIds' | 'region'>;
  dispatcher: JobDispatcher;
  log: (message: string, detail: Record<string, unknown>) => void;
}

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
/** The block_id of the alarm message's buttons (alarm-view.ts). */
const ALARM_ACTIONS_BLOCK = 'alarm_actions';
const NOT_UNDERSTOOD = 'That button carried data Gumshoe does not understand.';

async function whisper(args: ButtonArgs, text: string): Promise<void> {
  await args.respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** Builds the alarm ports from the environment, on first use, when the composition root did not pass them (the Slack handler). */
function portsFromEnvironment(config: AlarmActionDeps['config']): () => Promise<AlarmActionPorts> {
  let ports: Promise<AlarmActionPorts> | undefined;
  const build = async (): Promise<AlarmActionPorts> => {
    const alarms: AlarmConfig = loadAlarmConfig();
    if (!alarms.tableName)
      throw new GumshoeError('GUMSHOE_ALARM_TABLE is not set', 'Alarm buttons are not configured.');
    const [{ CloudWatchClient }, stateStore, cloudWatch] = await Promise.all([
      import('@aws-sdk/client-cloudwatch'),
      import('../../aws/alarm-state-store'),
      import('../../aws/cloudwatch-alarms'),
    ]);
    return {
      store: stateStore.DynamoDbAlarmStateStore.forTable(alarms.tableName, config.region),
      control: new cloudWatch.CloudWatchAlarmControl(new CloudWatchClient({ region: config.region })),
      settings: alarms,
      now: () => new Date(),
    };
  };
  return () => {
    ports ??= build().catch((error: unknown) => {
      ports = undefined; // a missing table name or failed load must not stick for the environment
      throw error;
    });
    return ports;
  };
}

/**
 * Registers the alarm message's buttons: alarm_ack, alarm_mute, alarm_unmute (state in the
 * alarm-state table, message redrawn), alarm_investigate and alarm_traces / xray_open (worker jobs),
 * and acks the URL buttons (Slack sends block_actions for them too).
 */
export function registerAlarmActions(app: App, deps: AlarmActionDeps): void {
  const ports: () => Promise<AlarmActionPorts> =
    deps.store && deps.control && deps.settings && deps.now
      ? async () =>
          ({
            store: deps.store,
            control: deps.control,
            settings: deps.settings,
            now: deps.now,
          }) as AlarmActionPorts
      : portsFromEnvironment(deps.config);

  /** Reads the record, applies a change, saves it (retrying once on a concurrent save), redraws the parent. */
  const changeState = async (
    args: ButtonArgs,
    change: (record: AlarmRecord, p: AlarmActionPorts) => Promise<AlarmActionResult>,
  ): Promise<void> => {
    const value = parseAlarmButtonValue(args.action.value);
    if (!value) return whisper(args, NOT_UNDERSTOOD);
    const p = await ports();
    for (let attempt = 0; ; attempt += 1) {
      const record = await p.store.get(value.arn);
      if (!record) return whisper(args, 'Gumshoe has no conversation for this alarm any more.');
      const result = await change(record, p);
      if (!result.changed) return whisper(args, result.text);
      let saved: AlarmRecord;
      try {
        saved = await p.store.save({ ...record, state: result.state }, record.version);
      } catch (error) {
        if (error instanceof AlarmStateConflictError && attempt === 0) continue;
        throw error;
      }
      const message = renderAlarmRecord(saved, p.now(), p.settings);
      if (message) {
        await args.client.chat.update({
          channel: saved.state.channel,
          ts: saved.state.ts,
          text: message.text,
          blocks: message.blocks as never,
          ...(message.attachments ? { attachments: message.attachments as never } : {}),
        });
      }
      await args.client.chat.postMessage({
        channel: saved.state.channel,
        thread_ts: saved.state.ts,
        text: result.text,
      });
      return;
    }
  };

  const guarded =
    (run: (args: ButtonArgs) => Promise<void>) =>
    async (args: ButtonArgs): Promise<void> => {
      await args.ack();
      if (!isAllowed(deps.config, args.body.channel?.id, args.body.user.id))
        return whisper(args, NOT_ALLOWED_TEXT);
      try {
        await run(args);
      } catch (error) {
        deps.log('alarm button failed', { actionId: args.action.action_id, error });
        await whisper(
          args,
          error instanceof GumshoeError
            ? error.userMessage
            : 'Gumshoe could not do that; the error is logged.',
        );
      }
    };

  const dispatch = async (args: ButtonArgs, job: Parameters<JobDispatcher['dispatch']>[0]['job']) => {
    const channelId = args.body.channel?.id;
    if (!channelId) return whisper(args, NOT_UNDERSTOOD);
    // Shared, in the alarm's thread (the clicked message's thread, or the alarm message itself), so
    // the channel keeps one conversation per alarm.
    const message = args.body.message as { ts?: unknown; thread_ts?: unknown } | undefined;
    const thread = [message?.thread_ts, message?.ts, args.body.container?.thread_ts].find(
      (ts): ts is string => typeof ts === 'string' && ts.length > 0,
    );
    await deps.dispatcher.dispatch({
      job,
      reply: { channelId, userId: args.body.user.id, share: true, ...(thread ? { threadTs: thread } : {}) },
    });
    await whisper(
      args,
      thread
        ? 'Investigating … the answer will appear in this thread.'
        : 'Investigating … the answer will appear in the channel.',
    );
  };

  const on = (actionId: string, run: (args: ButtonArgs) => Promise<void>) =>
    app.action<BlockButtonAction>({ type: 'block_actions', action_id: actionId }, guarded(run));

  on(AlarmActionIds.acknowledge, (args) =>
    changeState(args, async (record, p) => acknowledgeAlarm(record.state, args.body.user.id, p.now())),
  );
  on(AlarmActionIds.snooze, (args) =>
    changeState(args, async (record, p) =>
      snoozeAlarm(record.state, args.body.user.id, p.now(), SNOOZE_DURATION_MS),
    ),
  );
  on(AlarmActionIds.unsnooze, (args) =>
    changeState(args, async (record, p) => unsnoozeAlarm(record.state, args.body.user.id, p.now())),
  );
  // Slack showed the button's confirmation dialog (every action of the alarm is silenced) before this click.
  on(AlarmActionIds.mute, (args) =>
    changeState(args, async (record, p) => {
      const now = p.now();
      // CloudWatch first: if it refuses, the message must not claim the alarm is muted.
      await p.control.mute(alarmNameFromArn(record.state.alarmArn), now, MUTE_DURATION_MS);
      return muteAlarm(record.state, args.body.user.id, now, MUTE_DURATION_MS);
    }),
  );
  on(AlarmActionIds.unmute, (args) =>
    changeState(args, async (record, p) => {
      await p.control.unmute(alarmNameFromArn(record.state.alarmArn));
      return unmuteAlarm(record.state, args.body.user.id, p.now());
    }),
  );
  on(AlarmActionIds.investigate, async (args) => {
    const value = parseAlarmButtonValue(args.action.value);
    if (!value || value.f.length === 0) return whisper(args, NOT_UNDERSTOOD);
    await dispatch(args, { kind: 'alarm_investigate', alarm: value });
  });
  on(AlarmActionIds.findTraces, async (args) => {
    const value = parseAlarmButtonValue(args.action.value);
    if (!value || value.f.length === 0) return whisper(args, NOT_UNDERSTOOD);
    await dispatch(args, { kind: 'alarm_investigate', alarm: value });
  });
  // The alarm message's xray_open (and the Investigate answer's) carries a bare trace id; the /trace
  // answer's carries JSON and is handled in block-actions.ts by action id alone. Both listeners would
  // run and ack twice, so the alarm blocks' clicks are taken here, in global middleware, first.
  const openTrace = guarded(async (args) => {
    const traceId = args.action.value?.trim() ?? '';
    if (!XRAY_TRACE_ID.test(traceId)) return whisper(args, NOT_UNDERSTOOD);
    await dispatch(args, { kind: 'xray_waterfall', traceId });
  });
  app.use(async (args) => {
    const body = args.body as { type?: string; actions?: { action_id?: string; block_id?: string }[] };
    const action = body.type === 'block_actions' ? body.actions?.[0] : undefined;
    const alarmBlock =
      action?.block_id === ALARM_ACTIONS_BLOCK ||
      action?.block_id?.startsWith(INVESTIGATE_XRAY_BLOCK_PREFIX) === true;
    if (action?.action_id === AlarmActionIds.openTrace && alarmBlock) {
      return openTrace(args as unknown as ButtonArgs);
    }
    await args.next();
  });
  // xray_console is the waterfall answer's console link.
  for (const actionId of [
    AlarmActionIds.console,
    AlarmActionIds.logsInsights,
    'alarm_trace_console',
    'xray_console',
  ]) {
    app.action({ type: 'block_actions', action_id: actionId }, async ({ ack }) => {
      await ack();
    });
  }
}
