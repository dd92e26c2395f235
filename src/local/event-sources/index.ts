export {
  type DynamoDbStreamEventSourceOptions,
  fileFailureDestination,
  SdkStreamReader,
  type ShardInfo,
  type ShardPosition,
  type StreamFailureRecord,
  type StreamReader,
  type StreamRecord,
  startDynamoDbStreamEventSource,
  toDynamoDbRecord,
} from './dynamodb-stream-event-source';
export type { FunctionInvoker } from './function-invoker';
export { type HttpApiOptions, type HttpApiServer, startHttpApi, toEvent } from './http-api';
export { type InProcessHandler, inProcessInvoker } from './in-process-invoker';
export {
  type EventSourceClock,
  type PollerPoolOptions,
  type PollOnce,
  type PollResult,
  REAL_CLOCK,
  runPollerPool,
  SQS_SCALING,
} from './poller-pool';
export {
  type EventSourceMapping,
  failedItemIds,
  type QueueMessage,
  type QueueReceiver,
  SdkQueueReceiver,
  type SqsBatchOutcome,
  type SqsEventSourceOptions,
  startSqsEventSource,
  toSqsRecord,
} from './sqs-event-source';
