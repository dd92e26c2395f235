import { readFileSync } from 'node:fs';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../src/local/stack';
import { credentials, region, startTestStack, type TestStack, waitFor } from './helpers';

const STORM = 30;
/** GUMSHOE_ALARM_STORM_THRESHOLD's default. */
const STORM_THRESHOLD = 4;
/** Scaled down 10x so the test runs in seconds: one post every 100 ms, the channel allows 10 per second. */
const POST_INTERVAL_MS = 100;

/** The SNS message of the metric-alarm fixture, re-labelled as alarm `name`. */
function alarmMessage(name: string): string {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/alarms/sns-metric-alarm.json', import.meta.url), 'utf8'),
  ) as { Records: { Sns: { Message: string } }[] };
  const message = JSON.parse(fixture.Records[0]?.Sns.Message ?? '{}') as Record<string, unknown>;
  return JSON.stringify({
    ...message,
    AlarmName: name,
    AlarmArn: `arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${name}`,
    StateChangeTime: new Date().toISOString(),
  });
}

describe('local stack: an alarm storm through SNS -> SQS -> the alarm function (issue 5)', () => {
  let t: TestStack;
  let stack: LocalStack;
  let sns: SNSClient;

  beforeAll(async () => {
    t = await startTestStack({
      // Long enough that SNS fans the whole storm out before the first batch closes, even under load.
      alarmBatchingWindowMs: 3000,
      // The local alarms stay quiet: only the storm reaches the channel.
      alarmEvaluationIntervalMs: 3_600_000,
      functionEnv: { 'gumshoe-alarm': { GUMSHOE_ALARM_POST_INTERVAL_MS: String(POST_INTERVAL_MS) } },
    });
    stack = t.stack;
    stack.slack.setRateLimit('chat.postMessage', { perSecond: 1000 / POST_INTERVAL_MS, burst: 1 });
    sns = new SNSClient({ endpoint: stack.aws.url, region, credentials });
  }, 120_000);

  afterAll(async () => {
    sns?.destroy();
    await t?.close();
  });

  it(`posts ${STORM} alarms published at once as one summary and a thread reply each (bar any that came before the storm showed), once, within the post rate`, async () => {
    const names = Array.from({ length: STORM }, (_, i) => `conference-storm-${String(i).padStart(2, '0')}`);

    await Promise.all(
      names.map((name) =>
        sns.send(
          new PublishCommand({
            TopicArn: stack.observability.alarmTopicArn,
            Subject: `ALARM: "${name}" in EU (Ireland)`,
            Message: alarmMessage(name),
          }),
        ),
      ),
    );

    const posts = () => stack.slack.messages({ kind: 'channel', via: 'chat.postMessage' });
    await waitFor(
      'the summary and every reply',
      () => (posts().length >= STORM + 1 ? true : undefined),
      60_000,
    );
    // Anything posted twice would show up shortly after.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const all = posts();
    const summaries = all.filter((m) => !m.threadTs && m.text.includes('alarm notifications'));
    expect(summaries).toHaveLength(1);
    const summary = summaries[0];
    const replies = all.filter((m) => m.threadTs === summary?.ts);
    // Alarms that reached the function before the storm showed (a first batch under the threshold,
    // when SNS's fan-out outlasts the batching window on a loaded machine) are posted on their own;
    // every later batch joins the one summary, whatever its size.
    const alone = all.filter((m) => !m.threadTs && m !== summary);
    expect(alone.length).toBeLessThan(STORM_THRESHOLD);
    expect(replies.length + alone.length).toBe(STORM);
    expect(summary?.text).toContain(`${replies.length} alarm notifications`);
    for (const name of names)
      expect([...alone, ...replies].filter((m) => m.text.includes(`${name} `))).toHaveLength(1);
    // The pace, from the local Slack's own timestamps: never more than the limit (plus the burst) in a second.
    const times = all.map((m) => Number(m.ts) * 1000).sort((a, b) => a - b);
    let maxInSecond = 0;
    for (let i = 0, j = 0; i < times.length; i += 1) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j += 1;
      maxInSecond = Math.max(maxInSecond, i - j + 1);
    }
    expect(maxInSecond).toBeLessThanOrEqual(1000 / POST_INTERVAL_MS + 1);
  }, 90_000);
});
