import { readFileSync } from 'node:fs';
import { ListTopicsCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FunctionNames } from '../../src/conference-app/contract';
import { LOCAL_SLACK_DEFAULTS, type LocalMessage } from '../../src/local/slack';
import { ResourceNames } from '../../src/topology';
import {
  createSession,
  credentials,
  region,
  startTestStack,
  type TestStack,
  waitFor,
} from '../integration/helpers';
import { launchChromium, loopbackContext } from './chromium';

/**
 * The local Slack page in Debian's Chromium, against the whole local stack (one for the file): what a
 * newcomer does after the README's quick start, with a real browser's events, focus and dialogs.
 */
// Timeouts are generous: CI runs this beside the whole suite on two shared cores.
describe('local Slack page in Chromium', () => {
  let t: TestStack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  /** Bodies the page POSTed to /_local/action (every click the bot was sent). */
  let actionPosts: Record<string, string>[];

  const slackUrl = () => t.stack.slack.url;
  const topLevel = (text: string): Locator => page.locator('#messages > .message', { hasText: text });

  beforeAll(async () => {
    // Launch first: a missing Chromium fails here, naming scripts/install-browser.sh.
    browser = await launchChromium();
    // No alarm evaluations or reminders during the file: the alarm below is published by hand.
    t = await startTestStack({ alarmEvaluationIntervalMs: 3_600_000, alarmBatchingWindowMs: 200 });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    context = await loopbackContext(browser);
    page = await context.newPage();
    actionPosts = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/_local/action')
        actionPosts.push(JSON.parse(request.postData() ?? '{}') as Record<string, string>);
    });
    // The page draws the channel once its live-update stream is open: wait for that first draw.
    const firstDraw = page.waitForResponse((r) => new URL(r.url()).pathname === '/_local/fragments');
    await page.goto(`${slackUrl()}/`);
    await firstDraw;
  });

  afterEach(async () => {
    await context?.close();
  });

  /** A message the bot posts through the Web API, as any live update arrives. */
  async function botPosts(text: string, threadTs?: string): Promise<string> {
    const response = await fetch(`${t.stack.slack.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${LOCAL_SLACK_DEFAULTS.botToken}`,
        'content-type': 'application/json; charset=utf-8',
      },
      body: JSON.stringify({ channel: 'C0001', text, ...(threadTs ? { thread_ts: threadTs } : {}) }),
    });
    const answer = (await response.json()) as { ok: boolean; ts: string };
    expect(answer.ok).toBe(true);
    return answer.ts;
  }

  it('keeps what is typed in the composer while a live update arrives, then sends the command', async () => {
    // Arrange: the command field set, the user halfway through typing the text.
    await page.getByLabel('command').fill('/gumshoe');
    const text = page.getByLabel('text');
    await text.click();
    await page.keyboard.type('he');

    // Act: a message arrives mid-word, then the user finishes typing and presses Enter.
    await botPosts('Deploy 42 finished');
    await topLevel('Deploy 42 finished').waitFor();
    const whileTyping = {
      value: await text.inputValue(),
      // A string: the test's tsconfig has no DOM types.
      focused: await page.evaluate('document.activeElement?.getAttribute("name")'),
    };
    await page.keyboard.type('lp');
    await page.keyboard.press('Enter');

    // Assert: nothing typed was lost, the command reached the bot, its answer is on the page.
    expect(whileTyping).toEqual({ value: 'he', focused: 'text' });
    const help = page.locator('#messages > .message.ephemeral', { hasText: '/trace' });
    await help.waitFor();
    // The usage's <sessionId|traceId|xrayTraceId> is escaped by the bot, so Slack shows it as text, not a link.
    await expect(help.textContent()).resolves.toContain('<sessionId|traceId|xrayTraceId>');
    expect(await help.locator('a', { hasText: 'traceId' }).count()).toBe(0);
    await expect(text.inputValue()).resolves.toBe('');
    expect(t.stack.slack.messages().some((m) => m.via === 'ack' && m.text.includes('/trace'))).toBe(true);
  }, 90_000);

  it('clicks through an alarm: Acknowledge, Snooze, Mute behind its confirmation, Investigate, then its thread', async () => {
    // Arrange: an alarm as CloudWatch publishes it, on the topology's alarm topic.
    const alarmName = 'browser-drill-save-errors';
    await publishAlarm(t, alarmName);
    const alarm = topLevel(alarmName);
    await alarm.getByRole('button', { name: 'Acknowledge' }).waitFor({ timeout: 45_000 });
    const click = (message: Locator, name: string | RegExp) =>
      message.getByRole('button', { name, exact: true }).click();

    // Act + Assert: Acknowledge redraws the parent without the button and says who did it.
    await click(alarm, 'Acknowledge');
    await alarm.filter({ hasText: 'Acknowledged by' }).waitFor();
    expect(await alarm.getByRole('button', { name: 'Acknowledge' }).count()).toBe(0);

    // Snooze in Slack turns into End snooze.
    await click(alarm, 'Snooze in Slack 1 h');
    await alarm.getByRole('button', { name: 'End snooze' }).waitFor();

    // Mute asks first, as Slack does; Cancel sends nothing, Mute for 1 h sends the click.
    const dialog = page.getByRole('dialog');
    await click(alarm, 'Mute alarm actions…');
    await expect(dialog.textContent()).resolves.toContain('Mute every action of this alarm?');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await click(alarm, 'Mute alarm actions…');
    await dialog.getByRole('button', { name: 'Mute for 1 h' }).click();
    await alarm.getByRole('button', { name: 'Unmute alarm actions' }).waitFor();
    expect(actionPosts.filter((p) => p.actionId === 'alarm_mute')).toHaveLength(1);
    expect(t.stack.observability.alarms.muteRules().map((r) => r.alarmNames)).toContainEqual([alarmName]);

    // Investigate answers in the alarm's thread.
    await click(alarm, /Investigate$/);
    await page
      .locator('#messages > .message.ephemeral', { hasText: 'answer will appear in this thread' })
      .waitFor();
    const replies = alarm.locator('a[data-thread]');
    await replies.filter({ hasText: /^[4-9] replies$/ }).waitFor({ timeout: 30_000 });

    // The thread opens in the side pane, beside the channel, with every reply.
    await replies.click();
    const pane = page.getByRole('complementary', { name: 'thread' });
    await pane.waitFor();
    for (const reply of [
      'Acknowledged by',
      'Snoozed in Slack by',
      'Alarm actions muted by',
      `around ${alarmName}`,
    ])
      await pane.locator('.thread .message', { hasText: reply }).waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('thread')).toMatch(/^\d+\.\d+$/);
    await expect(page.locator('#messages').isVisible()).resolves.toBe(true);

    // A reply arriving while the pane is open shows up in it live; the pane closes with its ✕.
    const parentTs = new URL(page.url()).searchParams.get('thread') ?? '';
    await botPosts('Rolled back by the on-call', parentTs);
    await pane.locator('.thread .message', { hasText: 'Rolled back by the on-call' }).waitFor();
    await pane.getByRole('link', { name: 'close thread' }).click();
    await pane.waitFor({ state: 'hidden' });
    expect(new URL(page.url()).search).toBe('');
  }, 90_000);

  it('opens a url button’s link and also sends the click to the bot, which answers with the waterfall', async () => {
    // Arrange: a saved session and its /trace answer, which carries Open X-Ray trace (a url button).
    const session = await createSession(t.stack, 'Browser talk');
    const answer = await waitFor(
      'a /trace answer with an Open X-Ray trace button',
      async () => {
        const before = t.stack.slack.messages({ via: 'response_url' }).length;
        await t.stack.slack.command('/trace', session.sessionId);
        const reply = await waitFor(
          'the /trace answer',
          () => t.stack.slack.messages({ via: 'response_url' }).slice(before)[0],
          20_000,
          250,
        );
        return xrayValue(reply) ? reply : undefined;
      },
      40_000,
      1000,
    );
    const { xrayTraceId } = JSON.parse(xrayValue(answer) ?? '{}') as { xrayTraceId: string };
    const button = page
      .locator(`.message[data-ts="${answer.ts}"]`)
      .getByRole('link', { name: 'Open X-Ray trace' });

    // Act: click it, as a user would.
    const [popup] = await Promise.all([context.waitForEvent('page'), button.first().click()]);

    // Assert: the console opened in a new tab, and the bot got the click and drew the waterfall.
    await popup.waitForLoadState();
    expect(popup.url()).toContain(`#xray:traces/${xrayTraceId}`);
    expect(actionPosts).toContainEqual(
      expect.objectContaining({ actionId: 'xray_open', messageTs: answer.ts }),
    );
    await page
      .locator('.message', { hasText: `Trace ${xrayTraceId}` })
      .first()
      .waitFor({ timeout: 30_000 });
    // The waterfall names the trace's bottleneck (the first X-Ray id of a session is its create request).
    await expect(
      page
        .locator('.message', { hasText: `Trace ${xrayTraceId}` })
        .first()
        .textContent(),
    ).resolves.toMatch(
      new RegExp(`Bottleneck: (${FunctionNames.createSession}|${FunctionNames.saveSession})`),
    );
  }, 90_000);
});

/** The value of the first xray_open button of a message that also carries a url (the /trace answer's). */
function xrayValue(message: LocalMessage): string | undefined {
  for (const block of message.blocks) {
    const elements = (block as { elements?: { action_id?: string; value?: string; url?: string }[] })
      .elements;
    const hit = elements?.find((e) => e.action_id === 'xray_open' && e.url && e.value);
    if (hit?.value) return hit.value;
  }
  return undefined;
}

/** Publishes an ALARM state change for `alarmName` (on the save-session function) to the alarm topic. */
async function publishAlarm(t: TestStack, alarmName: string): Promise<void> {
  const fixture = JSON.parse(
    readFileSync(new URL('../fixtures/alarms/sns-metric-alarm.json', import.meta.url), 'utf8'),
  ) as { Records: { Sns: { Message: string } }[] };
  const message = JSON.parse(fixture.Records[0]?.Sns.Message ?? '{}') as Record<string, unknown>;
  const sns = new SNSClient({ endpoint: t.stack.aws.url, region, credentials });
  try {
    const { Topics } = await sns.send(new ListTopicsCommand({}));
    const topicArn = Topics?.find((topic) =>
      topic.TopicArn?.endsWith(`:${ResourceNames.alarmTopic}`),
    )?.TopicArn;
    if (!topicArn) throw new Error(`no ${ResourceNames.alarmTopic} topic on the local stack`);
    const account = topicArn.split(':')[4] ?? '';
    await sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: `ALARM: "${alarmName}" in EU (Ireland)`,
        Message: JSON.stringify({
          ...message,
          AlarmName: alarmName,
          AWSAccountId: account,
          AlarmArn: `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmName}`,
          StateChangeTime: new Date().toISOString().replace('Z', '+0000'),
        }),
      }),
    );
  } finally {
    sns.destroy();
  }
}
