import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { DownstreamError } from '../sessions/errors';
import type { ClaimOutcome, DeliveryLedger } from '../sessions/ports';

// Longer than the stream's 24 h retention, so every redelivery still finds its record; TTL cleans up.
const KEEP_SECONDS = 48 * 3600;
const IN_PROGRESS = 'IN_PROGRESS';
const COMPLETED = 'COMPLETED';
/** BatchWriteItem's limit per request. */
const BATCH_WRITE_MAX = 25;
/** Rounds of re-sending what BatchWriteItem left unprocessed (throttling) before giving up. */
const UNPROCESSED_ROUNDS = 4;

/**
 * The delivery ledger in DynamoDB (`id` key, `expiration` TTL), claimed with conditional writes.
 * Hand-written rather than Powertools Idempotency: that makes one function call idempotent, while here
 * one Slack message carries several sessions, so claims are per session and the send is per message.
 */
export class DynamoDbDeliveryLedger implements DeliveryLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  async claim(key: string, leaseMs: number): Promise<ClaimOutcome> {
    const nowMs = this.now();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: key, status: IN_PROGRESS, leaseUntil: nowMs + leaseMs, expiration: this.expiration() },
          // New, or an in-progress claim whose sender ran out of time (crashed, timed out).
          ConditionExpression: 'attribute_not_exists(id) OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': IN_PROGRESS, ':now': nowMs },
        }),
      );
      return 'claimed';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException))
        throw new DownstreamError('Could not claim a delivery in the ledger', { cause: error });
    }
    const existing = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: { id: key }, ConsistentRead: true }))
      .catch((error: unknown) => {
        throw new DownstreamError('Could not read a delivery from the ledger', { cause: error });
      });
    return existing.Item?.status === COMPLETED ? 'delivered' : 'in-progress';
  }

  async complete(key: string): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { id: key, status: COMPLETED, expiration: this.expiration() },
        }),
      );
    } catch (error) {
      throw new DownstreamError('Could not mark a delivery done in the ledger', { cause: error });
    }
  }

  /**
   * One BatchWriteItem per 25 keys instead of a PutItem per key: a Slack message announces up to 25
   * sessions, and each round trip is spent before the next batch can start. Completion needs no
   * condition (it always wins over a claim), so the batch write's lack of conditions costs nothing.
   */
  async completeAll(keys: readonly string[]): Promise<void> {
    // BatchWriteItem refuses a request naming one key twice.
    const unique = [...new Set(keys)];
    for (let i = 0; i < unique.length; i += BATCH_WRITE_MAX) {
      let requests: { PutRequest: { Item: Record<string, unknown> } }[] = unique
        .slice(i, i + BATCH_WRITE_MAX)
        .map((id) => ({
          PutRequest: { Item: { id, status: COMPLETED, expiration: this.expiration() } },
        }));
      for (let round = 0; requests.length > 0; round += 1) {
        if (round === UNPROCESSED_ROUNDS)
          throw new DownstreamError(`Could not mark ${requests.length} deliveries done in the ledger`);
        // Unprocessed items are throttled writes: back off before sending them again (AWS's advice).
        if (round > 0) await this.sleep(50 * 2 ** round);
        const output = await this.client
          .send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }))
          .catch((error: unknown) => {
            throw new DownstreamError('Could not mark deliveries done in the ledger', { cause: error });
          });
        requests = (output.UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
          r.PutRequest?.Item ? [{ PutRequest: { Item: r.PutRequest.Item } }] : [],
        );
      }
    }
  }

  async release(key: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { id: key },
          ConditionExpression: '#status = :inProgress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inProgress': IN_PROGRESS },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DownstreamError('Could not release a delivery in the ledger', { cause: error });
    }
  }

  private expiration(): number {
    return Math.floor(this.now() / 1000) + KEEP_SECONDS;
  }
}
