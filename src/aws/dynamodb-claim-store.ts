import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GumshoeError } from '../commands/errors';
import type { ClaimStore } from '../commands/ports';

/** The claim table could not be written; whether the key was claimed is unknown. */
export class ClaimStoreError extends GumshoeError {
  override readonly name = 'ClaimStoreError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, 'Gumshoe could not check this request; try again.', options);
  }
}

/**
 * {@link ClaimStore} as one conditional PutItem in a table keyed by `pk` (string) with TTL on
 * `expiresAt` (the alarm-state table). The plain client, not the document client: this runs on the
 * Slack handler's ack path, where every module loaded counts against the cold start.
 */
export class DynamoDbClaimStore implements ClaimStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async claim(key: string, expiresAtSeconds: number, nowSeconds: number): Promise<boolean> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { pk: { S: key }, kind: { S: 'claim' }, expiresAt: { N: String(expiresAtSeconds) } },
          // TTL deletes expired items within days, not at once: an expired claim counts as absent.
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new ClaimStoreError(`claim of ${key.slice(0, 40)} failed`, { cause: error });
    }
  }
}
