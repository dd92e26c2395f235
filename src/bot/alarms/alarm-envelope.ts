import {
  SnsNotificationSchema,
  SnsSqsNotificationSchema,
  SqsRecordSchema,
} from '@aws-lambda-powertools/parser/schemas';
import * as z from 'zod';
import type { ParsedNotification } from '../../commands/alarms/alarm-event';
import { parseAlarmMessage, rawOf } from '../../commands/alarms/alarm-message';
import type { IncomingNotification } from '../../commands/alarms/ports';

// Powertools' SnsSqsEnvelope parses a whole batch or fails it: one bad record would fail them all,
// and a malformed alarm must still post. So its record and notification schemas are applied here
// record by record; everything the alarm Lambda receives goes through this one parser.

/** An SQS record as far as the alarm path reads it (Powertools' schema, the fields we need). */
const SqsRecord = SqsRecordSchema.pick({ messageId: true, body: true, eventSource: true }).extend({
  receiptHandle: z.string().optional(),
  attributes: SqsRecordSchema.shape.attributes.partial().optional(),
});

/** The SNS envelope inside an SQS body (raw message delivery off). */
const SnsInSqs = SnsSqsNotificationSchema.pick({
  Type: true,
  MessageId: true,
  TopicArn: true,
  Subject: true,
  Message: true,
});

/** What SNS sends to a new subscription before any notification (SQS and HTTPS endpoints). */
const SnsConfirmation = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string(),
  TopicArn: z.string(),
  Message: z.string(),
  SubscribeURL: z.url(),
});

/** One record of a Lambda SNSEvent (SNS invoking the function directly). */
const SnsRecord = z.object({
  Sns: SnsNotificationSchema.pick({ MessageId: true, TopicArn: true, Subject: true, Message: true }),
});

/** How the event reached the function: it decides how failures are handed back. */
export type EnvelopeKind = 'sqs' | 'sns' | 'direct';

/** One received notification, with the SQS receipt handle its visibility is changed through. */
export interface EnvelopeItem extends IncomingNotification {
  readonly receiptHandle?: string;
}

function isSqsEvent(event: unknown): event is { Records: unknown[] } {
  const records = (event as { Records?: unknown } | null)?.Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every((r) => (r as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One SQS body: an SNS notification, a subscription confirmation, or a raw alarm payload. */
function parseSqsBody(body: string, sqsMessageId: string): ParsedNotification {
  const json = parseJson(body);
  const sns = SnsInSqs.safeParse(json);
  if (sns.success) {
    const { MessageId, TopicArn, Subject, Message } = sns.data;
    return parseAlarmMessage(
      Message,
      { messageId: MessageId, topicArn: TopicArn, ...(Subject ? { subject: Subject } : {}) },
      'Sns.Message',
    );
  }
  const confirmation = SnsConfirmation.safeParse(json);
  if (confirmation.success) {
    const c = confirmation.data;
    return {
      kind: 'subscription',
      type: c.Type,
      url: c.SubscribeURL,
      topicArn: c.TopicArn,
      messageId: c.MessageId,
      message: c.Message,
    };
  }
  const parsed = parseAlarmMessage(json === undefined ? body : json, {});
  // A body without an id of its own is keyed by the SQS message id, so its redelivery is recognised.
  return parsed.kind === 'unparsed' && parsed.messageId === undefined
    ? { ...parsed, messageId: `sqs:${sqsMessageId}` }
    : parsed;
}

/** A record whose envelope is not the one its event claims: kept as unrecognised, never dropped. */
function unreadableRecord(
  record: unknown,
  itemIdentifier: string,
  error: string,
  messageId?: string,
): IncomingNotification {
  return {
    itemIdentifier,
    receiveCount: 1,
    notification: { kind: 'unparsed', raw: rawOf(record), error, ...(messageId ? { messageId } : {}) },
  };
}

function parseSqsRecord(record: unknown, index: number): EnvelopeItem {
  const parsed = SqsRecord.safeParse(record);
  if (!parsed.success) {
    const id = (record as { messageId?: unknown } | null)?.messageId;
    const itemIdentifier = typeof id === 'string' ? id : `record-${index}`;
    return unreadableRecord(record, itemIdentifier, 'not an SQS record', `sqs:${itemIdentifier}`);
  }
  const r = parsed.data;
  return {
    itemIdentifier: r.messageId,
    ...(r.receiptHandle ? { receiptHandle: r.receiptHandle } : {}),
    receiveCount: Number(r.attributes?.ApproximateReceiveCount ?? '1') || 1,
    notification: parseSqsBody(r.body, r.messageId),
  };
}

function parseSnsRecord(record: unknown, index: number): IncomingNotification {
  const parsed = SnsRecord.safeParse(record);
  const itemIdentifier = parsed.success ? parsed.data.Sns.MessageId : `record-${index}`;
  if (!parsed.success)
    return unreadableRecord(
      record,
      itemIdentifier,
      `Record: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  const { MessageId, TopicArn, Subject, Message } = parsed.data.Sns;
  return {
    itemIdentifier,
    receiveCount: 1,
    notification: parseAlarmMessage(
      Message,
      { messageId: MessageId, topicArn: TopicArn, ...(Subject ? { subject: Subject } : {}) },
      'Sns.Message',
    ),
  };
}

/**
 * The one parser of what the alarm Lambda receives: an SQSEvent from the alarm queue (the deployed
 * path), an SNSEvent, or a single payload (a direct alarm action, an EventBridge event, a bare alarm
 * message). One item per record, none dropped: what cannot be read comes back `unparsed`.
 */
export function parseAlarmEnvelope(event: unknown): { kind: EnvelopeKind; items: EnvelopeItem[] } {
  if (isSqsEvent(event)) return { kind: 'sqs', items: event.Records.map(parseSqsRecord) };
  const records = (event as { Records?: unknown } | null)?.Records;
  if (Array.isArray(records) && records.length > 0)
    return { kind: 'sns', items: records.map(parseSnsRecord) };
  const notification = parseAlarmMessage(event, {});
  return {
    kind: 'direct',
    items: [{ itemIdentifier: notification.messageId ?? 'direct', receiveCount: 1, notification }],
  };
}

/** The notifications of an event, in order (tests and tools that only read). */
export function parseAlarmNotifications(event: unknown): ParsedNotification[] {
  return parseAlarmEnvelope(event).items.map((item) => item.notification);
}

/** One notification: a single SNS record (or its `Sns` object), or any payload {@link parseAlarmEnvelope} reads. */
export function parseAlarmNotification(input: unknown): ParsedNotification {
  const sns = (input as { Sns?: unknown } | null)?.Sns ?? input;
  if (
    (sns as { MessageId?: unknown } | null)?.MessageId !== undefined &&
    (sns as { Message?: unknown }).Message !== undefined
  )
    return parseSnsRecord({ Sns: sns }, 0).notification;
  return parseAlarmEnvelope(input).items[0]?.notification ?? parseAlarmMessage(input, {});
}
