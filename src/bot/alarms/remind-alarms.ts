import type { WebClient } from '@slack/web-api';
import { AlarmStateConflictError, type AlarmStateStore } from '../../aws/alarm-state-store';
import { decideReminder } from '../../commands/alarms/alarm-thread';
import { withRateLimitBudget } from '../slack-client';
import { type AlarmViewSettings, renderAlarmRecord } from './alarm-render';
import { createPostPacer, PostSlotTooLateError } from './post-pacer';

/** What one reminder run needs. */
export interface AlarmReminderDeps {
  store: AlarmStateStore;
  client: WebClient;
  settings: AlarmViewSettings & { readonly reminderIntervalMs: number; readonly postIntervalMs: number };
  now: () => Date;
  remainingTimeMs: () => number;
  log: (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Time kept back at the end of the invocation (default 5 s). */
  safetyMs?: number;
  /** Epoch ms the shared post slots are counted in (default `Date.now`). */
  clockMs?: () => number;
}

/**
 * Posts `⏰ Still in ALARM for …` in the thread of every alarm still firing, unacknowledged and
 * not muted, once per interval, and redraws its parent ("in ALARM for …"). Posts take the same
 * shared per-channel slots as alarm posts; those whose slot is past the deadline wait for the next
 * run. A Slack failure is thrown: the reminder was not recorded, so the next scheduled run posts it.
 */
export async function sendAlarmReminders(
  deps: AlarmReminderDeps,
): Promise<{ reminded: number; checked: number }> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const budget = { remainingTimeMs: deps.remainingTimeMs, sleep };
  const pacer = createPostPacer({
    store: deps.store,
    intervalMs: deps.settings.postIntervalMs,
    remainingTimeMs: deps.remainingTimeMs,
    safetyMs: deps.safetyMs ?? 5000,
    sleep,
    ...(deps.clockMs ? { clockMs: deps.clockMs } : {}),
  });
  const records = await deps.store.listInState('ALARM');
  let reminded = 0;
  let postponed = 0;
  for (const record of records) {
    const decision = decideReminder(record.state, deps.now(), deps.settings.reminderIntervalMs);
    if (!decision.remind) continue;
    const here = deps.settings.mentionHere ? '<!here> ' : '';
    try {
      await pacer(record.state.channel, () =>
        withRateLimitBudget(
          () =>
            deps.client.chat.postMessage({
              channel: record.state.channel,
              thread_ts: record.state.ts,
              text: `${here}${decision.text}`,
            }),
          budget,
        ),
      );
    } catch (error) {
      if (!(error instanceof PostSlotTooLateError)) throw error;
      // Not recorded, so the next scheduled run reminds it.
      postponed += 1;
      continue;
    }
    reminded += 1;
    let saved = record;
    try {
      saved = await deps.store.save({ ...record, state: decision.next }, record.version);
    } catch (error) {
      if (!(error instanceof AlarmStateConflictError)) throw error;
      // A click landed meanwhile: keep its change, add only the reminder time.
      const fresh = await deps.store.get(record.state.alarmArn);
      if (!fresh) continue;
      saved = await deps.store.save(
        { ...fresh, state: { ...fresh.state, lastReminderAt: decision.next.lastReminderAt } },
        fresh.version,
      );
    }
    const message = renderAlarmRecord(saved, deps.now(), deps.settings);
    if (message) {
      await withRateLimitBudget(
        () =>
          deps.client.chat.update({
            channel: saved.state.channel,
            ts: saved.state.ts,
            text: message.text,
            blocks: message.blocks as never,
            ...(message.attachments ? { attachments: message.attachments as never } : {}),
          }),
        budget,
      ).catch((error: unknown) =>
        deps.log('warn', 'alarm parent not redrawn', { alarm: saved.state.alarmArn, error }),
      );
    }
  }
  if (postponed > 0) deps.log('warn', 'alarm reminders left to the next run', { postponed });
  deps.log('info', 'alarm reminders sent', { reminded, checked: records.length });
  return { reminded, checked: records.length };
}
