import { AwsServiceError } from '../errors';

export const NS = 'com.amazonaws.sqs';
export const MISSING = 'MissingParameter';
/** How every operation parses its input: SQS's MissingParameter, in its query-compatible form. */
export const PARSE = { namespace: NS, queryCode: MISSING } as const;

/** Query-compatible error: the SDK reads the code from `x-amzn-query-error`, the name from the model. */
export function sqsError(code: string, queryCode: string, message: string, status = 400): AwsServiceError {
  return new AwsServiceError(code, message, { namespace: NS, queryCode, status });
}

export function queueDoesNotExist(): AwsServiceError {
  return sqsError(
    'QueueDoesNotExist',
    'AWS.SimpleQueueService.NonExistentQueue',
    'The specified queue does not exist.',
  );
}

/** A batch has 1 to 10 entries with distinct ids. */
export function checkBatch(entries: readonly { Id: string }[]): void {
  if (entries.length === 0)
    throw sqsError(
      'EmptyBatchRequest',
      'AWS.SimpleQueueService.EmptyBatchRequest',
      'There should be at least one entry in the request.',
    );
  if (entries.length > 10) {
    throw sqsError(
      'TooManyEntriesInBatchRequest',
      'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
      'Maximum number of entries per request are 10.',
    );
  }
  if (new Set(entries.map((e) => e.Id)).size !== entries.length) {
    throw sqsError(
      'BatchEntryIdsNotDistinct',
      'AWS.SimpleQueueService.BatchEntryIdsNotDistinct',
      'Two or more batch entries have the same Id.',
    );
  }
}

/** One failed entry of a batch, as SQS answers it. */
export function failedEntry(Id: string, Code: string, Message: string) {
  return { Id, SenderFault: true, Code, Message };
}
