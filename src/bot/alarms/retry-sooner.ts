import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { SqsEventSchema } from '../../commands/alarms/alarm-queue';

/** What {@link returnDeferredSooner} needs. */
export interface ReturnSoonerOptions {
  readonly queueUrl: string;
  /** The SQSEvent as Lambda delivered it (the receipt handles are only there). */
  readonly event: unknown;
  /** SQS message ids of the records handed back because they did not fit, not because they failed. */
  readonly itemIdentifiers: readonly string[];
  readonly delaySeconds: number;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, detail: Record<string, unknown>) => void;
}

/**
 * Makes deferred records visible again after `delaySeconds` instead of the queue's 12-minute
 * visibility timeout. Best effort: a record this cannot shorten still returns after the full
 * timeout, so failures are logged, never thrown. Records that failed (Slack or table) are left on
 * the long timeout on purpose: it is what lets 5 receives ride out an outage of about an hour.
 */
export async function returnDeferredSooner(
  sqs: SQSClient,
  options: ReturnSoonerOptions,
): Promise<{ shortened: number; failed: number }> {
  const parsed = SqsEventSchema.safeParse(options.event);
  if (!parsed.success || options.itemIdentifiers.length === 0) return { shortened: 0, failed: 0 };
  const wanted = new Set(options.itemIdentifiers);
  const entries = parsed.data.Records.flatMap((r, i) =>
    wanted.has(r.messageId) && r.receiptHandle
      ? [{ Id: `r${i}`, ReceiptHandle: r.receiptHandle, VisibilityTimeout: options.delaySeconds }]
      : [],
  );
  let shortened = 0;
  let failed = options.itemIdentifiers.length - entries.length;
  // SQS takes at most 10 entries per batch call.
  for (let i = 0; i < entries.length; i += 10) {
    const chunk = entries.slice(i, i + 10);
    try {
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: options.queueUrl, Entries: chunk }),
      );
      shortened += out.Successful?.length ?? 0;
      failed += out.Failed?.length ?? 0;
      if (out.Failed?.length)
        options.log('warn', 'some deferred alarm records keep the full visibility timeout', {
          failed: out.Failed.map((f) => f.Code),
        });
    } catch (error) {
      failed += chunk.length;
      options.log('warn', 'deferred alarm records keep the full visibility timeout', { error });
    }
  }
  return { shortened, failed };
}
