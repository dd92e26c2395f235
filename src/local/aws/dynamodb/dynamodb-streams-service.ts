import { z } from 'zod';
import { AwsServiceError } from '../errors';
import type { JsonServiceDefinition } from '../registry';
import { parseInput } from '../validate';
import type { StreamStore, TableStream } from './stream-store';

const VALIDATION = 'ValidationException';

const ListStreams = z.looseObject({
  TableName: z.string().min(1).optional(),
  Limit: z.number().int().min(1).max(100).optional(),
  ExclusiveStartStreamArn: z.string().optional(),
});
const DescribeStream = z.looseObject({
  StreamArn: z.string().min(37),
  Limit: z.number().int().min(1).optional(),
  ExclusiveStartShardId: z.string().optional(),
});
const GetShardIterator = z.looseObject({
  StreamArn: z.string().min(37),
  ShardId: z.string().min(28),
  ShardIteratorType: z.enum(['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER']),
  SequenceNumber: z.string().regex(/^\d+$/).optional(),
});
const GetRecords = z.looseObject({
  ShardIterator: z.string().min(1),
  Limit: z.number().int().min(1).max(1000).optional(),
});

/** An iterator is opaque to clients; ours names the stream, the shard and the next record index. */
interface Iterator {
  readonly a: string;
  readonly s: string;
  readonly p: number;
}

/** DynamoDB Streams (awsJson1_0, `DynamoDBStreams_20120810.*`), one shard per table, over the stream tap. */
export function createDynamoDbStreamsService(streams: StreamStore): JsonServiceDefinition {
  const requireStream = (arn: string): TableStream => {
    const stream = streams.get(arn);
    if (!stream)
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Requested resource not found: Stream: ${arn} not found`,
      );
    return stream;
  };

  return {
    targetPrefix: 'DynamoDBStreams_20120810',
    jsonVersion: '1.0',
    operations: {
      ListStreams(raw) {
        const input = parseInput(ListStreams, raw, VALIDATION);
        let all = streams.list().filter((s) => !input.TableName || s.tableName === input.TableName);
        if (input.ExclusiveStartStreamArn) {
          const at = all.findIndex((s) => s.streamArn === input.ExclusiveStartStreamArn);
          all = all.slice(at + 1);
        }
        const limit = input.Limit ?? 100;
        const page = all.slice(0, limit);
        return {
          Streams: page.map((s) => ({
            StreamArn: s.streamArn,
            TableName: s.tableName,
            StreamLabel: s.streamLabel,
          })),
          ...(all.length > limit ? { LastEvaluatedStreamArn: page.at(-1)?.streamArn } : {}),
        };
      },
      DescribeStream(raw) {
        const input = parseInput(DescribeStream, raw, VALIDATION);
        const stream = requireStream(input.StreamArn);
        const first = streams.records(stream.streamArn)[0];
        return {
          StreamDescription: {
            StreamArn: stream.streamArn,
            StreamLabel: stream.streamLabel,
            StreamStatus: stream.status,
            StreamViewType: stream.viewType,
            CreationRequestDateTime: stream.createdAt / 1000,
            TableName: stream.tableName,
            KeySchema: stream.keySchema,
            Shards:
              input.ExclusiveStartShardId === stream.shardId
                ? []
                : [
                    {
                      ShardId: stream.shardId,
                      SequenceNumberRange: {
                        StartingSequenceNumber: first?.dynamodb.SequenceNumber ?? '100000000000000000000',
                      },
                    },
                  ],
          },
        };
      },
      GetShardIterator(raw) {
        const input = parseInput(GetShardIterator, raw, VALIDATION);
        const stream = requireStream(input.StreamArn);
        if (input.ShardId !== stream.shardId) {
          throw new AwsServiceError(
            'ResourceNotFoundException',
            `Requested resource not found: Shard does not exist`,
          );
        }
        const records = streams.records(stream.streamArn);
        let position: number;
        if (input.ShardIteratorType === 'TRIM_HORIZON') position = 0;
        else if (input.ShardIteratorType === 'LATEST') position = records.length;
        else {
          if (!input.SequenceNumber) {
            throw new AwsServiceError(
              VALIDATION,
              `SequenceNumber is required for ${input.ShardIteratorType}`,
            );
          }
          const wanted = BigInt(input.SequenceNumber);
          const index = records.findIndex((r) => BigInt(r.dynamodb.SequenceNumber) >= wanted);
          const exact =
            index >= 0 &&
            BigInt((records[index] as (typeof records)[number]).dynamodb.SequenceNumber) === wanted;
          if (!exact) {
            throw new AwsServiceError(
              VALIDATION,
              `Invalid SequenceNumber ${input.SequenceNumber} for this shard`,
            );
          }
          position = input.ShardIteratorType === 'AT_SEQUENCE_NUMBER' ? index : index + 1;
        }
        return { ShardIterator: encodeIterator({ a: stream.streamArn, s: stream.shardId, p: position }) };
      },
      GetRecords(raw) {
        const input = parseInput(GetRecords, raw, VALIDATION);
        const iterator = decodeIterator(input.ShardIterator);
        const stream = requireStream(iterator.a);
        const records = streams.records(stream.streamArn);
        const page = records.slice(iterator.p, iterator.p + (input.Limit ?? 1000));
        const next = iterator.p + page.length;
        // A disabled stream's shard closes once read to the end: no NextShardIterator then.
        const closed = stream.status === 'DISABLED' && next >= records.length;
        return {
          Records: page,
          ...(closed ? {} : { NextShardIterator: encodeIterator({ a: iterator.a, s: iterator.s, p: next }) }),
        };
      },
    },
  };
}

function encodeIterator(iterator: Iterator): string {
  return Buffer.from(JSON.stringify(iterator)).toString('base64url');
}

function decodeIterator(token: string): Iterator {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Iterator>;
    if (typeof parsed.a === 'string' && typeof parsed.s === 'string' && typeof parsed.p === 'number') {
      return { a: parsed.a, s: parsed.s, p: parsed.p };
    }
  } catch {
    // falls through
  }
  throw new AwsServiceError(VALIDATION, 'Invalid ShardIterator');
}
