import type * as z from 'zod';
import { type ParsedNotification, UNPARSED_RAW_LIMIT } from './alarm-event';
import {
  AlarmStateChangeEventSchema,
  DirectAlarmPayloadSchema,
  SnsAlarmMessageSchema,
} from './alarm-message-schemas';
import { fromDirectPayload, fromStateChangeEvent } from './direct-alarm-payload';
import { fromSnsMessage } from './sns-alarm-message';

/** What the envelope around an alarm message said about it. */
export interface MessageMeta {
  /** The delivery's own id (SNS MessageId, EventBridge id); absent for direct invocations. */
  readonly messageId?: string;
  readonly topicArn?: string;
  readonly subject?: string;
}

/** The first failing path of a zod error, prefixed: `Sns.Message.AlarmName: Required`. */
export function describeZodError(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  if (!issue) return `${prefix}: invalid`;
  const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
  return `${prefix}.${path}: ${issue.message}`;
}

/** The start of a payload we could not read, for the channel (size-limited). */
export function rawOf(input: unknown): string {
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = JSON.stringify(input) ?? String(input);
    } catch {
      text = String(input);
    }
  }
  return text.length > UNPARSED_RAW_LIMIT ? `${text.slice(0, UNPARSED_RAW_LIMIT - 1)}…` : text;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads one alarm message — the classic SNS `Message` (as JSON text or object), a direct
 * alarm-to-Lambda payload or an EventBridge "CloudWatch Alarm State Change" event — into a
 * notification. Anything else comes back as `unparsed`, with the path that failed.
 */
export function parseAlarmMessage(body: unknown, meta: MessageMeta, prefix = 'Message'): ParsedNotification {
  const idOnly = {
    ...(meta.messageId ? { messageId: meta.messageId } : {}),
    ...(meta.topicArn ? { topicArn: meta.topicArn } : {}),
    ...(meta.subject ? { subject: meta.subject } : {}),
  };
  const unparsed = (error: string): ParsedNotification => ({
    kind: 'unparsed',
    raw: rawOf(body),
    error,
    ...idOnly,
  });
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch (error) {
      return unparsed(`${prefix}: not JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  let alarm: ReturnType<typeof fromSnsMessage>;
  if (isObject(value) && value['detail-type'] !== undefined) {
    const event = AlarmStateChangeEventSchema.safeParse(value);
    if (!event.success) return unparsed(describeZodError(event.error, prefix));
    alarm = fromStateChangeEvent(event.data);
  } else if (isObject(value) && value.source === 'aws.cloudwatch') {
    const direct = DirectAlarmPayloadSchema.safeParse(value);
    if (!direct.success) return unparsed(describeZodError(direct.error, prefix));
    alarm = fromDirectPayload(direct.data);
  } else {
    const message = SnsAlarmMessageSchema.safeParse(value);
    if (!message.success) return unparsed(describeZodError(message.error, prefix));
    alarm = fromSnsMessage(message.data, meta.topicArn);
  }
  if (!alarm.ok)
    return unparsed(alarm.error.startsWith('Message.') ? alarm.error : `${prefix}.${alarm.error}`);
  return { kind: 'alarm', alarm: alarm.value, messageId: meta.messageId ?? changeKeyOf(alarm.value) };
}

/**
 * What identifies one state change whatever delivered it (two subscriptions, a re-publish, SNS and
 * EventBridge): the alarm, its new state and when it changed.
 */
export function changeKeyOf(alarm: {
  readonly arn: string;
  readonly newState: string;
  readonly stateChangeTime: Date;
}): string {
  return `${alarm.arn}@${alarm.stateChangeTime.toISOString()}#${alarm.newState}`;
}
