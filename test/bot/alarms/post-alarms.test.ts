import { beforeEach, describe, expect, it } from 'vitest';
import {
  type AlarmPostingDeps,
  AlarmsDeferredError,
  postAlarmNotifications,
} from '../../../src/bot/alarms/post-alarms';
import { SlackRateLimitedError } from '../../../src/bot/errors';
import { createSlackWebClient } from '../../../src/bot/slack-client';
import { LOCAL_WORKSPACE } from '../../../src/local/slack';
import { alarmFixture, useAlarmTestBed } from './helpers';
import { snsAlarmRecord, snsEvent, startFailingProxy } from './slack-helpers';

const CHANNEL = LOCAL_WORKSPACE.channelId;
const NOW = new Date('2026-05-01T10:01:00Z');
const PNG = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]);

describe('postAlarmNotifications', () => {
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
      settings: {
        accountAliases: { '123456789012': 'prod' },
        mentionHere: true,
        stormThreshold: 4,
        postIntervalMs: 0,
      },
      now: () => NOW,
      remainingTimeMs: () => 60_000,
      log: (level, message) => logged.push({ level, message }),
      ...overrides,
    };
  }

  const top = () => bed.slack.messages({ kind: 'channel', channel: CHANNEL }).filter((m) => !m.threadTs);
  const replies = (ts: string) =>
    bed.slack.messages({ kind: 'channel', channel: CHANNEL }).filter((m) => m.threadTs === ts);

  it.each([
    ['sns-metric-alarm.json', '🚨 ALARM: save-session-errors in prod'],
    ['sns-metric-ok.json', 'OK'],
    ['sns-metric-math.json', 'save-session-error-rate'],
    ['sns-composite.json', 'ALARM'],
    ['sns-composite-empty.json', 'conference-degraded'],
    ['sns-insufficient-data.json', 'INSUFFICIENT_DATA'],
    ['sns-log-alarm.json', 'save-session-exceptions'],
    ['lambda-direct-metric.json', 'create-session-throttles'],
    ['lambda-direct-composite.json', 'conference-degraded'],
    ['sns-malformed-message.json', '⚠️ Unrecognised notification'],
    ['sns-missing-fields.json', '⚠️ Unrecognised notification'],
    ['sns-plain-string.json', '⚠️ Unrecognised notification'],
    ['sns-s3-test-event.json', '⚠️ Unrecognised notification'],
  ])('posts %s as one labelled message', async (fixture, expected) => {
    const result = await postAlarmNotifications(alarmFixture(fixture), deps());

    expect(result.posted).toBe(1);
    expect(top()).toHaveLength(1);
    expect(top()[0]?.text).toContain(expected);
    if (expected.startsWith('⚠️')) expect(logged.some((l) => l.message.includes('not understood'))).toBe(true);
  });

  it('mentions the channel on ALARM when configured', async () => {
    await postAlarmNotifications(alarmFixture('sns-metric-alarm.json'), deps());

    expect(top()[0]?.text.startsWith('<!here> ')).toBe(true);
  });

  it('posts a duplicate delivery (same MessageId) once', async () => {
    const event = alarmFixture('sns-metric-alarm.json');

    await postAlarmNotifications(event, deps());
    const second = await postAlarmNotifications(event, deps());

    expect(second).toMatchObject({ posted: 0, skipped: 1 });
    expect(bed.slack.messages({ kind: 'channel' })).toHaveLength(1);
  });

  it('replies in the thread on OK after ALARM and updates the parent to OK', async () => {
    await postAlarmNotifications(alarmFixture('sns-metric-alarm.json'), deps());
    const parent = top()[0];

    const result = await postAlarmNotifications(alarmFixture('sns-metric-ok.json'), deps());

    expect(result.replied).toBe(1);
    expect(top()).toHaveLength(1);
    const [reply] = replies(parent?.ts ?? '');
    expect(reply?.text).toMatch(/^✅ OK after /);
    const updated = top()[0];
    expect(updated?.edited).toBe(true);
    expect(updated?.text).toContain('OK');
    expect(updated?.text).not.toContain('<!here>');
    expect(
      (await bed.store.get('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:save-session-errors'))?.state
        .state,
    ).toBe('OK');
  });

  it('uploads the metric graph into the thread on ALARM', async () => {
    await postAlarmNotifications(
      alarmFixture('sns-metric-alarm.json'),
      deps({ metricImage: async () => PNG }),
    );

    const parent = top()[0];
    const [file] = replies(parent?.ts ?? '');
    expect(file?.files?.[0]).toMatchObject({ name: 'save-session-errors.png', length: PNG.length });
  });

  it('still posts the alarm when the graph or the error lines fail', async () => {
    await postAlarmNotifications(
      alarmFixture('sns-metric-alarm.json'),
      deps({
        metricImage: async () => {
          throw new Error('GetMetricWidgetImage throttled');
        },
        enrich: async () => {
          throw new Error('Logs Insights down');
        },
      }),
    );

    expect(top()).toHaveLength(1);
    expect(bed.slack.messages({ kind: 'channel' })).toHaveLength(1);
    expect(logged.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      'first error lines not available',
      'alarm graph not posted',
    ]);
  });

  it('shows the first error lines and the trace button from the enrichment', async () => {
    await postAlarmNotifications(
      alarmFixture('sns-metric-alarm.json'),
      deps({
        enrich: async () => ({
          errorLines: ['09:59:58 save-session ConditionalCheckFailed: boom'],
          traceId: '1-5759e988-bd862e3fe1be46a994272793',
        }),
      }),
    );

    const blocks = JSON.stringify(top()[0]?.blocks);
    expect(blocks).toContain('ConditionalCheckFailed: boom');
    expect(blocks).toContain('"action_id":"xray_open"');
  });

  it('throws on a Slack 500 so Lambda retries, and the redelivery posts exactly once', async () => {
    const proxy = await startFailingProxy(bed.slack.url);
    try {
      const event = alarmFixture('sns-metric-alarm.json');
      proxy.setFailing(true);

      await expect(postAlarmNotifications(event, deps({}, proxy.apiUrl))).rejects.toThrow();
      expect(proxy.failures()).toBeGreaterThan(0);
      expect(bed.slack.messages({ kind: 'channel' })).toHaveLength(0);

      proxy.setFailing(false);
      await postAlarmNotifications(event, deps({}, proxy.apiUrl));
      await postAlarmNotifications(event, deps({}, proxy.apiUrl));
      expect(bed.slack.messages({ kind: 'channel' })).toHaveLength(1);
    } finally {
      await proxy.close();
    }
  });

  it('throws SlackRateLimitedError on a 429 that does not fit, then the redelivery posts the rest exactly once', async () => {
    bed.slack.setRateLimit('chat.postMessage', { perSecond: 1, burst: 1 });
    const event = snsEvent(snsAlarmRecord('a-one', 'm-1'), snsAlarmRecord('a-two', 'm-2'));
    // 1.5 s left: a 1 s Retry-After plus the 2 s reserve does not fit.
    const short = deps({ remainingTimeMs: () => 1500, safetyMs: 0 });

    await expect(postAlarmNotifications(event, short)).rejects.toBeInstanceOf(SlackRateLimitedError);
    expect(top().map((m) => m.text)).toEqual([expect.stringContaining('a-one')]);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const retry = await postAlarmNotifications(event, deps());
    expect(retry).toMatchObject({ posted: 1, skipped: 1 });
    expect(top()).toHaveLength(2);
    expect(top().map((m) => m.text.includes('a-two'))).toEqual([false, true]);
  });

  it('defers a notification another invocation holds, and posts it on the retry once that claim is released', async () => {
    const event = alarmFixture('sns-metric-alarm.json');
    await bed.store.claimMessage('a1b2c3d4-0001-5e6f-8a9b-000000000001', NOW, 60_000);

    await expect(postAlarmNotifications(event, deps())).rejects.toBeInstanceOf(AlarmsDeferredError);
    expect(top()).toHaveLength(0);

    await bed.store.releaseMessage('a1b2c3d4-0001-5e6f-8a9b-000000000001');
    await postAlarmNotifications(event, deps());
    expect(top()).toHaveLength(1);
  });

  it('posts a 200-alarm storm as one summary and a reply per alarm, under the channel rate limit', async () => {
    // Scaled down 100x so the test runs in seconds: 100 posts/s allowed, one post every 11 ms.
    bed.slack.setRateLimit('chat.postMessage', { perSecond: 100, burst: 1 });
    const event = snsEvent(
      ...Array.from({ length: 200 }, (_, i) => snsAlarmRecord(`storm-${i}`, `storm-m-${i}`)),
    );
    const waits: number[] = [];

    const result = await postAlarmNotifications(
      event,
      deps({
        settings: { accountAliases: {}, mentionHere: true, stormThreshold: 4, postIntervalMs: 11 },
        sleep: (ms) => {
          waits.push(ms);
          return new Promise((resolve) => setTimeout(resolve, ms));
        },
      }),
    );

    const all = bed.slack.messages({ kind: 'channel', via: 'chat.postMessage' });
    const [summary, ...others] = top();
    expect(result).toMatchObject({ posted: 200, storm: true });
    expect(others).toHaveLength(0);
    expect(summary?.text).toContain('200 alarm notifications');
    const threadTexts = replies(summary?.ts ?? '').map((m) => m.text);
    for (let i = 0; i < 200; i += 1) expect(threadTexts.some((t) => t.includes(`storm-${i} `))).toBe(true);
    // The rate, from the local Slack's own timestamps: never more than the limit plus the burst in any second.
    const times = all.map((m) => Number(m.ts) * 1000);
    let maxInSecond = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j += 1;
      maxInSecond = Math.max(maxInSecond, i - j + 1);
    }
    expect(all).toHaveLength(201);
    expect(maxInSecond).toBeLessThanOrEqual(101);
    // No 429 was met: every sleep was the pacer's, none a Retry-After.
    expect(waits.every((ms) => ms <= 11)).toBe(true);
  }, 20_000);

  it('cuts a storm at the deadline, throws, and the retry posts the rest exactly once', async () => {
    const event = snsEvent(...Array.from({ length: 10 }, (_, i) => snsAlarmRecord(`cut-${i}`, `cut-m-${i}`)));
    // With 1 s between posts and 5 s left (no safety margin) the plan fits the summary and five alarms.
    let remaining = 5000;
    const first = deps({
      settings: { accountAliases: {}, mentionHere: false, stormThreshold: 4, postIntervalMs: 1000 },
      remainingTimeMs: () => remaining,
      safetyMs: 0,
      sleep: async (ms) => {
        remaining -= ms;
      },
      // Slot time advances with the fake sleep; it starts in the past so the retry's slots are free.
      clockMs: () => NOW.getTime() + 5000 - remaining,
    });

    const error = await postAlarmNotifications(event, first).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AlarmsDeferredError);
    expect((error as AlarmsDeferredError).deferredMessageIds).toHaveLength(5);
    await postAlarmNotifications(event, deps());
    const texts = bed.slack.messages({ kind: 'channel', via: 'chat.postMessage' }).map((m) => m.text);
    for (let i = 0; i < 10; i += 1) expect(texts.filter((t) => t.includes(`cut-${i} `))).toHaveLength(1);
  });
});
