import { createPostPacer, PostSlotTooLateError } from './alarm-pacer';
import { type AlarmViewSettings, renderAlarmRecord } from './alarm-record-view';
import { decideReminder } from './alarm-thread';
import {
  type AlarmChat,
  AlarmChatError,
  type AlarmLog,
  type AlarmRecord,
  AlarmStateConflictError,
  type AlarmStateStore,
  type AlarmTimer,
  ChatFailure,
} from './ports';

/** What one reminder run needs. */
export interface AlarmReminderDeps {
  readonly store: AlarmStateStore;
  readonly chat: AlarmChat;
  readonly timer: AlarmTimer;
  readonly log: AlarmLog;
  readonly settings: AlarmViewSettings & {
    readonly reminderIntervalMs: number;
    readonly postIntervalMs: number;
  };
  /** Time kept back at the end of the invocation (default 5 s). */
  readonly safetyMs?: number;
}

async function saveReminder(
  store: AlarmStateStore,
  record: AlarmRecord,
  next: AlarmRecord['state'],
): Promise<AlarmRecord | undefined> {
  try {
    return await store.save({ ...record, state: next }, record.version);
  } catch (error) {
    if (!(error instanceof AlarmStateConflictError)) throw error;
    // A click landed meanwhile: keep its change, add only the reminder time.
    const fresh = await store.get(record.state.alarmArn);
    if (!fresh) return undefined;
    return store.save(
      { ...fresh, state: { ...fresh.state, lastReminderAt: next.lastReminderAt } },
      fresh.version,
    );
  }
}

/**
 * Posts `⏰ Still in ALARM for …` in the thread of every alarm still firing, unacknowledged and
 * not snoozed, once per interval, and redraws its parent. Reminders take the channel's shared post
 * slots; one whose slot is past the deadline waits for the next run. A thread that is gone gets the
 * alarm posted again at the top of the channel, which becomes its conversation.
 */
export async function sendAlarmReminders(
  deps: AlarmReminderDeps,
): Promise<{ reminded: number; checked: number }> {
  const paced = createPostPacer({
    store: deps.store,
    intervalMs: deps.settings.postIntervalMs,
    timer: deps.timer,
    safetyMs: deps.safetyMs ?? 5000,
  });
  const now = () => new Date(deps.timer.nowMs());
  const records = await deps.store.listInState('ALARM');
  let reminded = 0;
  let postponed = 0;
  for (const record of records) {
    const decision = decideReminder(record.state, now(), deps.settings.reminderIntervalMs);
    if (!decision.remind) continue;
    const here = deps.settings.mentionHere ? '<!here> ' : '';
    let next = decision.next;
    try {
      await paced(record.state.channel, async () => {
        try {
          await deps.chat.post(
            { channel: record.state.channel, threadTs: record.state.ts },
            { text: `${here}${decision.text}` },
          );
        } catch (error) {
          const message = renderAlarmRecord(record, now(), deps.settings);
          if (!(error instanceof AlarmChatError && error.failure === ChatFailure.gone) || !message)
            throw error;
          deps.log('warn', 'alarm thread is gone; posting the alarm again for its reminder', {
            alarm: record.state.alarmArn,
            code: error.code,
          });
          const posted = await deps.chat.post(
            { channel: record.state.channel },
            { ...message, text: `${here}${decision.text} · ${message.text}` },
          );
          next = { ...next, channel: posted.channel, ts: posted.ts };
        }
      });
    } catch (error) {
      if (!(error instanceof PostSlotTooLateError)) throw error;
      postponed += 1; // not recorded, so the next scheduled run reminds it
      continue;
    }
    reminded += 1;
    const saved = await saveReminder(deps.store, record, next);
    const message = saved ? renderAlarmRecord(saved, now(), deps.settings) : undefined;
    if (saved && message)
      await deps.chat
        .update(saved.state, message)
        .catch((error: unknown) =>
          deps.log('warn', 'alarm parent not redrawn', { alarm: saved.state.alarmArn, error }),
        );
  }
  if (postponed > 0) deps.log('warn', 'alarm reminders left to the next run', { postponed });
  deps.log('info', 'alarm reminders sent', { reminded, checked: records.length });
  return { reminded, checked: records.length };
}
