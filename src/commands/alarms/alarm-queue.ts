import { z } from 'zod';
import { type ParsedNotification, parseAlarmNotification } from './alarm-event';

/** One SQS record as Lambda receives it from an SQS event source mapping. */
export const SqsRecordSchema = z.object({
  messageId: z.string().min(1),
  body: z.string(),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string().optional(),
  receiptHandle: z.string().optional(),
});

/** The Lambda SQSEvent envelope. */
export const SqsEventSchema = z.object({ Records: z.array(SqsRecordSchema).min(1) });

/**
 * The SNS envelope SNS writes into an SQS body when raw message delivery is off: the notification
 * itself is the JSON text in `Message`, and `MessageId` stays the same on every redelivery.
 */
export const SnsEnvelopeSchema = z.object({
  Type: z.literal('Notification'),
  MessageId: z.string().min(1),
  TopicArn: z.string(),
  Subject: z.string().nullish(),
  Message: z.string(),
  Timestamp: z.string().optional(),
});

/** A notification taken off the alarm queue, with the SQS message id a batch item failure names. */
export interface QueuedNotification {
  /** The SQS `messageId`: what `batchItemFailures[].itemIdentifier` must carry. */
  readonly itemIdentifier: string;
  readonly notification: ParsedNotification;
  /** The body as received, kept with the alarm so its buttons can re-read the notification. */
  readonly source: string;
}

/** Whether an event came from an SQS event source mapping (so it wants batch item failures back). */
export function isSqsEvent(event: unknown): boolean {
  if (typeof event !== 'object' || event === null) return false;
  const records = (event as { Records?: unknown }).Records;
  return (
    Array.isArray(records) &&
    records.length > 0 &&
    records.every(
      (r) =>
        typeof r === 'object' && r !== null && (r as { eventSource?: unknown }).eventSource === 'aws:sqs',
    )
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Parses one SQS body: an SNS envelope (the usual case), a direct alarm payload, or anything else as
 * `unparsed`. A body without its own id is keyed by the SQS message id, so an SQS redelivery of it
 * is still recognised as already posted.
 */
export function parseQueuedBody(body: string, sqsMessageId: string): ParsedNotification {
  const json = parseJson(body);
  const envelope = SnsEnvelopeSchema.safeParse(json);
  const parsed = envelope.success
    ? parseAlarmNotification({
        Sns: {
          Type: envelope.data.Type,
          MessageId: envelope.data.MessageId,
          TopicArn: envelope.data.TopicArn,
          Subject: envelope.data.Subject ?? null,
          Message: envelope.data.Message,
          ...(envelope.data.Timestamp ? { Timestamp: envelope.data.Timestamp } : {}),
        },
      })
    : parseAlarmNotification(json === undefined ? body : json);
  if (parsed.kind === 'unparsed' && parsed.messageId === undefined)
    return { ...parsed, messageId: `sqs:${sqsMessageId}` };
  return parsed;
}

/** Parses an SQSEvent of alarm notifications, one result per record; undefined when it is no valid SQSEvent. */
export function parseQueuedNotifications(event: unknown): QueuedNotification[] | undefined {
  const parsed = SqsEventSchema.safeParse(event);
  if (!parsed.success) return undefined;
  return parsed.data.Records.map((record) => ({
    itemIdentifier: record.messageId,
    notification: parseQueuedBody(record.body, record.messageId),
    source: record.body,
  }));
}
