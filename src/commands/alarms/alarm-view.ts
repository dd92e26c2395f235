import { type Block, codeBlock, escapeMrkdwn, mrkdwn, type SlackMessage, truncate } from '../slack/block-kit';
import { alarmActionsBlock } from './alarm-buttons';
import type { AlarmCondition, AlarmEvent, ParsedNotification } from './alarm-event';
import { AlarmStateStyles, describeCondition, formatClock, formatElapsed } from './alarm-format';
import type { AlarmViewOptions } from './alarm-view-options';
import { alarmWindow } from './investigate-query';

/**
 * An alarm message: the shared SlackMessage plus one attachment, because Slack paints an
 * attachment's `color` as a bar down its left edge (blocks stay top-level so nothing folds away).
 */
export interface AlarmMessage extends SlackMessage {
  readonly attachments?: readonly {
    readonly color: string;
    readonly fallback: string;
    readonly blocks: Block[];
  }[];
}

function slackDate(date: Date): string {
  // Slack renders <!date^…> in the reader's time zone; the fallback is for clients that cannot.
  return `<!date^${Math.floor(date.getTime() / 1000)}^{date_short_pretty} {time_secs}|${date.toISOString()}>`;
}

function accountText(alarm: AlarmEvent, aliases: Readonly<Record<string, string>> | undefined): string {
  const alias = aliases?.[alarm.accountId];
  return alias ? `${alias} (${alarm.accountId})` : alarm.accountId;
}

function linesBlocks(title: string, lines: readonly string[]): Block[] {
  const body = lines.map((l) => truncate(l.replace(/\s+$/g, ''), 400)).join('\n');
  return [{ type: 'context', elements: [mrkdwn(`*${title}*`)] }, codeBlock(escapeMrkdwn(body))];
}

/** The one-line summary that also serves as the notification text (escaped: Slack parses `text` as mrkdwn too). */
export function alarmSummaryText(alarm: AlarmEvent, aliases?: Readonly<Record<string, string>>): string {
  const style = AlarmStateStyles[alarm.newState];
  const where = `${aliases?.[alarm.accountId] ?? alarm.accountId} (${alarm.region})`;
  const reason = alarm.reason ? ` — ${truncate(alarm.reason, 300)}` : '';
  return escapeMrkdwn(`${style.unicode} ${alarm.newState}: ${alarm.name} in ${where}${reason}`);
}

/** Builds the alarm message: state, condition, account and region, links, log lines and the buttons. */
export function buildAlarmMessage(alarm: AlarmEvent, options: AlarmViewOptions): AlarmMessage {
  const style = AlarmStateStyles[alarm.newState];
  const since = options.stateSince ?? alarm.stateChangeTime;
  const window = alarmWindow(alarm);
  const name = escapeMrkdwn(alarm.name);
  const account = escapeMrkdwn(accountText(alarm, options.accountAliases));
  const muted = options.mute !== undefined && options.mute.until.getTime() > options.now.getTime();
  const snoozed = options.snooze !== undefined && options.snooze.until.getTime() > options.now.getTime();
  const here = options.mentionHere === true && alarm.newState === 'ALARM' && !snoozed ? '<!here> ' : '';

  const blocks: Block[] = [
    {
      type: 'section',
      block_id: 'alarm_title',
      text: mrkdwn(
        truncate(
          `${here}${style.emoji} *${alarm.newState}* · *${name}*` +
            (alarm.oldState && alarm.oldState !== alarm.newState ? ` (was ${alarm.oldState})` : '') +
            (alarm.description ? `\n${escapeMrkdwn(truncate(alarm.description, 1000))}` : ''),
          3000,
        ),
      ),
    },
    {
      type: 'context',
      elements: [
        mrkdwn(
          `:office: *${account}* · :earth_africa: *${escapeMrkdwn(alarm.region)}* · ${slackDate(alarm.stateChangeTime)} · ` +
            `in ${alarm.newState} for ${formatElapsed(options.now.getTime() - since.getTime())}`,
        ),
      ],
    },
  ];
  if (alarm.reason)
    blocks.push({ type: 'section', text: mrkdwn(`*Reason:* ${escapeMrkdwn(truncate(alarm.reason, 2900))}`) });
  blocks.push(...conditionBlocks(alarm.condition));

  if (options.ack) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:raised_hand: Acknowledged by <@${escapeMrkdwn(options.ack.userId)}> at ${formatClock(options.ack.at)}`,
        ),
      ],
    });
  }
  const by = (userId: string | undefined) => (userId ? ` by <@${escapeMrkdwn(userId)}>` : '');
  if (snoozed && options.snooze) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:zzz: Snoozed in Slack${by(options.snooze.userId)} until ${formatClock(options.snooze.until)}: no replies or reminders from Gumshoe`,
        ),
      ],
    });
  }
  if (muted && options.mute) {
    blocks.push({
      type: 'context',
      elements: [
        mrkdwn(
          `:no_bell: Alarm actions muted${by(options.mute.userId)} until ${formatClock(options.mute.until)}: CloudWatch sends no notification, pager or e-mail`,
        ),
      ],
    });
  }
  if (options.errorLines && options.errorLines.length > 0)
    blocks.push(...linesBlocks('First errors', options.errorLines.slice(0, 10)));
  if (alarm.logLines.length > 0)
    blocks.push(
      ...linesBlocks(
        'Log lines in the notification',
        alarm.logLines.slice(0, 10).map((l) => l.message),
      ),
    );

  blocks.push(alarmActionsBlock(alarm, options, window, { muted, snoozed }));
  const text = `${here}${alarmSummaryText(alarm, options.accountAliases)}`;
  return {
    text,
    blocks,
    attachments: [
      {
        color: style.color,
        fallback: text,
        blocks: [
          {
            type: 'context',
            elements: [mrkdwn(`${style.emoji} ${alarm.newState} · ${escapeMrkdwn(alarm.arn)}`)],
          },
        ],
      },
    ],
  };
}

function conditionBlocks(condition: AlarmCondition): Block[] {
  const main: Block = {
    type: 'section',
    text: mrkdwn(truncate(`*Condition:* ${escapeMrkdwn(describeCondition(condition))}`, 3000)),
  };
  const extra: string[] = [];
  if (condition.kind === 'metric') {
    extra.push(`${escapeMrkdwn(condition.namespace)}`);
    for (const d of condition.dimensions) extra.push(`${escapeMrkdwn(d.name)}=\`${escapeMrkdwn(d.value)}\``);
  } else if (condition.kind === 'math') {
    for (const q of condition.queries) {
      const body =
        q.expression ??
        (q.metric
          ? `${q.metric.namespace} ${q.metric.metricName} ${q.metric.stat} ${q.metric.dimensions.map((d) => `${d.name}=${d.value}`).join(',')}`
          : '');
      extra.push(`\`${escapeMrkdwn(q.id)}\`: ${escapeMrkdwn(truncate(body, 200))}`);
    }
  } else if (condition.kind === 'composite') {
    if (condition.triggeringChildren.length === 0) extra.push('No triggering child alarm reported');
    for (const c of condition.triggeringChildren.slice(0, 10)) {
      extra.push(
        `${AlarmStateStyles[c.state].emoji} ${escapeMrkdwn(c.name)} (${c.state}${c.timestamp ? ` at ${formatClock(c.timestamp)}` : ''})`,
      );
    }
    if (condition.triggeringChildren.length > 10)
      extra.push(`and ${condition.triggeringChildren.length - 10} more`);
  } else if (condition.kind === 'log') {
    if (condition.query)
      extra.push(`\`${escapeMrkdwn(truncate(condition.query.replace(/\s+/g, ' '), 400))}\``);
    for (const g of condition.logGroups.slice(0, 5)) extra.push(escapeMrkdwn(g));
  }
  if (extra.length === 0) return [main];
  return [main, { type: 'context', elements: [mrkdwn(truncate(extra.join(' · '), 3000))] }];
}

/** The clearly labelled message for a notification we could not read; the raw text is kept, size-limited. */
export function buildUnparsedMessage(
  notification: Extract<ParsedNotification, { kind: 'unparsed' }>,
): SlackMessage {
  const from = notification.topicArn
    ? (notification.topicArn.split(':').at(-1) ?? notification.topicArn)
    : 'an unknown source';
  const text = `⚠️ Unrecognised notification from ${from}`;
  const subject = notification.subject
    ? `\n*Subject:* ${escapeMrkdwn(truncate(notification.subject, 250))}`
    : '';
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: mrkdwn(`:warning: *Unrecognised notification from ${escapeMrkdwn(from)}*${subject}`),
      },
      {
        type: 'context',
        elements: [
          mrkdwn(
            truncate(
              `Not an alarm we can read: ${escapeMrkdwn(notification.error)}` +
                (notification.messageId ? ` · message ${escapeMrkdwn(notification.messageId)}` : ''),
              3000,
            ),
          ),
        ],
      },
      codeBlock(escapeMrkdwn(notification.raw)),
    ],
  };
}

/** An SNS subscription confirmation: the link someone must open for alarms to arrive. */
export function buildSubscriptionMessage(
  notification: Extract<ParsedNotification, { kind: 'subscription' }>,
): SlackMessage {
  const topic = notification.topicArn.split(':').at(-1) ?? notification.topicArn;
  const what = notification.type === 'UnsubscribeConfirmation' ? 'unsubscribed from' : 'subscribed to';
  const text = `:link: This channel's queue was ${what} SNS topic ${topic}`;
  return {
    text: `🔗 ${what === 'subscribed to' ? 'Confirm the subscription to' : 'Unsubscribed from'} ${topic}: ${notification.url}`,
    blocks: [
      { type: 'section', text: mrkdwn(`*${escapeMrkdwn(text)}*`) },
      {
        type: 'section',
        text: mrkdwn(
          `${notification.type === 'SubscriptionConfirmation' ? 'Open this link to confirm it (alarms arrive only once it is confirmed)' : 'To subscribe again, open'}: <${notification.url}|SubscribeURL>\n\`${escapeMrkdwn(truncate(notification.url, 2500))}\``,
        ),
      },
      { type: 'context', elements: [mrkdwn(escapeMrkdwn(truncate(notification.message, 2000)))] },
    ],
  };
}

/** The message for any parsed notification: an alarm, a subscription confirmation, or the unrecognised view. */
export function buildNotificationMessage(
  notification: ParsedNotification,
  options: AlarmViewOptions,
): SlackMessage {
  if (notification.kind === 'alarm') return buildAlarmMessage(notification.alarm, options);
  if (notification.kind === 'subscription') return buildSubscriptionMessage(notification);
  return buildUnparsedMessage(notification);
}
