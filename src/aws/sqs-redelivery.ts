import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';

/** One record to make visible again after `delaySeconds`. */
export interface Redelivery {
  readonly receiptHandle: string;
  readonly delaySeconds: number;
}

/**
 * Sets each handed-back record's visibility timeout (ChangeMessageVisibilityBatch), so it comes back
 * after its own delay instead of the queue's 12-minute timeout. Best effort: a record this cannot
 * change still returns after the full timeout, so failures are counted and logged, never thrown.
 */
export async function scheduleRedeliveries(
  sqs: SQSClient,
  queueUrl: string,
  records: readonly Redelivery[],
  log: (level: 'warn', message: string, detail: Record<string, unknown>) => void,
): Promise<{ changed: number; failed: number }> {
  let changed = 0;
  let failed = 0;
  // SQS takes at most 10 entries per batch call.
  for (let i = 0; i < records.length; i += 10) {
    const chunk = records.slice(i, i + 10).map((r, j) => ({
      Id: `r${i + j}`,
      ReceiptHandle: r.receiptHandle,
      VisibilityTimeout: r.delaySeconds,
    }));
    try {
      const out = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: chunk }),
      );
      changed += out.Successful?.length ?? 0;
      failed += out.Failed?.length ?? 0;
      if (out.Failed?.length)
        log('warn', 'some alarm records keep the full visibility timeout', {
          failed: out.Failed.map((f) => f.Code),
        });
    } catch (error) {
      failed += chunk.length;
      log('warn', 'alarm records keep the full visibility timeout', { error });
    }
  }
  return { changed, failed };
}
