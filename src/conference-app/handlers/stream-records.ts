import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { NewSessionRecord } from '../sessions/fan-out';
import type { SessionLog } from '../sessions/ports';
import { Session } from '../sessions/session';

/** The new sessions of a stream batch (INSERTs only) and the records that could not be read. */
export interface StreamBatch {
  records: NewSessionRecord[];
  unreadable: string[];
}

/**
 * Reads the INSERT records of a DynamoDB stream batch as sessions; MODIFY and REMOVE are ignored. A
 * record whose image is not a session is logged and reported as failed, so it ends on the
 * event source's failure destination instead of vanishing.
 */
export function readNewSessions(event: DynamoDBStreamEvent, log: SessionLog): StreamBatch {
  const batch: StreamBatch = { records: [], unreadable: [] };
  for (const record of event.Records) {
    if (record.eventName !== 'INSERT') continue;
    const id = record.dynamodb?.SequenceNumber;
    if (id === undefined) continue;
    const image = record.dynamodb?.NewImage;
    // aws-lambda's AttributeValue and the SDK's are the same wire shape, typed separately.
    const parsed = Session.safeParse(
      image === undefined ? undefined : unmarshall(image as Record<string, AttributeValue>),
    );
    if (parsed.success) {
      batch.records.push({ itemIdentifier: id, session: parsed.data });
    } else {
      log.error('Stream record is not a session', parsed.error, { sequenceNumber: id });
      batch.unreadable.push(id);
    }
  }
  return batch;
}
