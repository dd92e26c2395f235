import { beforeEach, describe, expect, it } from 'vitest';
import type { AlarmStateStore } from '../../../src/aws/alarm-state-store';
import { AlarmStateStoreError } from '../../../src/aws/alarm-state-store';
import { type AlarmPostingDeps, postQueuedAlarmNotifications } from '../../../src/bot/alarms/post-alarms';
import { createSlackWebClient } from '../../../src/bot/slack-client';
import { parseQueuedNotifications } from '../../../src/commands/alarms/alarm-queue';
import { LOCAL_WORKSPACE } from '../../../src/local/slack';
import { useAlarmTestBed } from './helpers';
import { snsAlarmRecord, sqsRecordOf, startFailingProxy } from './slack-helpers';

const CHANNEL = LOCAL_WORKSPACE.channelId;
const NOW = new Date('2026-05-01T10:01:00Z');

/** An SQS batch of the alarms `name-0 … name-(n-1)`, SQS ids `q-<name>-i`, SNS ids `m-<name>-i`. */
function queuedAlarms(name: string, n: number) {
  const event = {
    Records: Array.from({ length: n }, (_, i) =>
      sqsRecordOf(snsAlarmRecord(`${name}-${i}`, `m-${name}-${i}`), `q-${name}-${i}`),
    ),
  };
  const queued = parseQueuedNotifications(event);
  if (!queued) throw new Error('not an SQS event');
  return queued;
}

describe('postQueuedAlarmNotifications', () => {
  const bed = useAlarmTestBed();
  const logged: { level: string; message: string }[] = [];

  beforeEach(() => {
    bed.slack.setRateLimit('chat.postMessage', null);
    logged.length = 0;
  });

  function deps(overrides: Partial<AlarmPostingDeps> = {}, apiUrl = bed.slack.apiUrl): AlarmPostingDeps {
    return {
      store: bed.store,
      client: createSlackWebClient('xoxb-local-token', { slackApiUrl: apiUrl, slackTimeoutMs: 2000 }),
      channelId: CHANNEL,
      settings: { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs: 0 },
      now: () => NOW,
      remainingTimeMs: () => 60_000,
      log: (level, message) => logged.push({ level, message }),
      ...overrides,
    };
  }

  const top = () => bed.slack.messages({ kind: 'channel', channel: CHANNEL }).filter((m) => !m.threadTs);
  const posts = () => bed.slack.messages({ kind: 'channel', via: 'chat.postMessage' });

  it('posts a queued storm as one summary with a reply per alarm, and reports no failures', async () => {
    const queued = queuedAlarms('qs', 12);

    const result = await postQueuedAlarmNotifications(queued, deps());

    expect(result).toMatchObject({ posted: 12, storm: true, batchItemFailures: [] });
    const [summary, ...others] = top();
    expect(others).toHaveLength(0);
    expect(summary?.text).toContain('12 alarm notifications');
    const thread = posts().filter((m) => m.threadTs === summary?.ts);
    for (let i = 0; i < 12; i += 1) expect(thread.filter((m) => m.text.includes(`qs-${i} `))).toHaveLength(1);
  });

  it('makes an SQS redelivery and a second SNS delivery of the same message no-ops', async () => {
    const queued = queuedAlarms('dup', 1);
    await postQueuedAlarmNotifications(queued, deps());
    // SNS delivered the same MessageId twice: a second SQS message with another SQS id.
    const again = parseQueuedNotifications({
      Records: [sqsRecordOf(snsAlarmRecord('dup-0', 'm-dup-0'), 'q-other')],
    });

    const redelivered = await postQueuedAlarmNotifications(queued, deps());
    const secondSns = await postQueuedAlarmNotifications(again ?? [], deps());

    expect(redelivered).toMatchObject({ posted: 0, skipped: 1, batchItemFailures: [] });
    expect(secondSns).toMatchObject({ posted: 0, skipped: 1, batchItemFailures: [] });
    expect(posts()).toHaveLength(1);
  });

  it('posts both copies of one SNS message in one batch once, failing neither', async () => {
    const record = snsAlarmRecord('twice', 'm-twice');
    const queued = parseQueuedNotifications({
      Records: [sqsRecordOf(record, 'q-a'), sqsRecordOf(record, 'q-b')],
    });

    const result = await postQueuedAlarmNotifications(queued ?? [], deps());

    expect(result.batchItemFailures).toEqual([]);
    expect(posts()).toHaveLength(1);
  });

  it('returns every record on a Slack 500 instead of throwing, and the redelivery posts each once', async () => {
    const proxy = await startFailingProxy(bed.slack.url);
    try {
      const queued = queuedAlarms('down', 5);
      proxy.setFailing(true);

      const failed = await postQueuedAlarmNotifications(queued, deps({}, proxy.apiUrl));

      expect(failed.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
        queued.map((q) => q.itemIdentifier),
      );
      // Failed, not deferred: these keep the long visibility timeout that rides out an outage.
      expect(failed.deferredItems).toEqual([]);
      expect(posts()).toHaveLength(0);
      expect(logged.some((l) => l.level === 'error')).toBe(true);

      proxy.setFailing(false);
      const retried = await postQueuedAlarmNotifications(queued, deps({}, proxy.apiUrl));
      expect(retried.batchItemFailures).toEqual([]);
      for (let i = 0; i < 5; i += 1)
        expect(posts().filter((m) => m.text.includes(`down-${i} `))).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('returns only the records a 429 stopped, keeping those already posted', async () => {
    bed.slack.setRateLimit('chat.postMessage', { perSecond: 1, burst: 1 });
    const queued = queuedAlarms('slow', 2);

    // 1.5 s left: a 1 s Retry-After plus the reserve does not fit.
    const result = await postQueuedAlarmNotifications(
      queued,
      deps({ remainingTimeMs: () => 1500, safetyMs: 0 }),
    );

    expect(posts()).toHaveLength(1);
    const postedIndex = posts()[0]?.text.includes('slow-0 ') ? 0 : 1;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: `q-slow-${1 - postedIndex}` }]);
  });

  it('returns the records cut at the deadline, and the retry posts the rest exactly once', async () => {
    const queued = queuedAlarms('cut', 10);
    let remaining = 5000;

    const first = await postQueuedAlarmNotifications(
      queued,
      deps({
        settings: { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs: 1000 },
        remainingTimeMs: () => remaining,
        safetyMs: 0,
        sleep: async (ms) => {
          remaining -= ms;
        },
        // Slot time advances with the fake sleep; it starts in the past so the retry's slots are free.
        clockMs: () => NOW.getTime() + 5000 - remaining,
      }),
    );

    expect(first.batchItemFailures).toHaveLength(5);
    const back = new Set(first.batchItemFailures.map((f) => f.itemIdentifier));
    await postQueuedAlarmNotifications(
      queued.filter((q) => back.has(q.itemIdentifier)),
      deps(),
    );
    for (let i = 0; i < 10; i += 1)
      expect(posts().filter((m) => m.text.includes(`cut-${i} `))).toHaveLength(1);
  });

  it('returns a record another invocation holds, but not as one to bring back soon', async () => {
    const queued = queuedAlarms('held', 1);
    await bed.store.claimMessage('m-held-0', NOW, 60_000);

    const result = await postQueuedAlarmNotifications(queued, deps());

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'q-held-0' }]);
    // The holder may need minutes: a 30 s comeback would only burn receives towards the DLQ.
    expect(result.deferredItems).toEqual([]);
    expect(posts()).toHaveLength(0);
  });

  it('returns the records whose state could not be saved', async () => {
    const failingSave: AlarmStateStore = {
      get: (arn) => bed.store.get(arn),
      save: async () => {
        throw new AlarmStateStoreError('PutItem failed');
      },
      listInState: (state) => bed.store.listInState(state),
      claimMessage: (id, now, lease) => bed.store.claimMessage(id, now, lease),
      completeMessage: (id, now) => bed.store.completeMessage(id, now),
      releaseMessage: (id) => bed.store.releaseMessage(id),
      reservePostSlot: (channel, now, interval) => bed.store.reservePostSlot(channel, now, interval),
    };
    const queued = queuedAlarms('nosave', 1);

    const result = await postQueuedAlarmNotifications(queued, deps({ store: failingSave }));

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'q-nosave-0' }]);
    // The claim was given back: the retry may post it.
    expect(await bed.store.claimMessage('m-nosave-0', NOW, 60_000)).toBe('claimed');
  });

  it('posts a malformed body as the plain labelled message, not as a failure', async () => {
    const queued = parseQueuedNotifications({
      Records: [
        {
          messageId: 'q-junk',
          body: 'definitely not JSON',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:gumshoe-alarm-queue',
        },
      ],
    });

    const result = await postQueuedAlarmNotifications(queued ?? [], deps());
    const again = await postQueuedAlarmNotifications(queued ?? [], deps());

    expect(result).toMatchObject({ posted: 1, batchItemFailures: [] });
    expect(again).toMatchObject({ posted: 0, batchItemFailures: [] });
    expect(top()).toHaveLength(1);
    expect(top()[0]?.text).toContain('⚠️ Unrecognised notification');
  });
});
