import { z } from 'zod';

// The request shapes of the SQS operations the local endpoint serves (SQS API reference).

const attributeValue = z.object({
  DataType: z.string().min(1),
  StringValue: z.string().optional(),
  BinaryValue: z.string().optional(),
});
const messageAttributes = z.record(z.string(), attributeValue).optional();
export const queueUrl = { QueueUrl: z.string().min(1) };

export const CreateQueue = z.looseObject({
  QueueName: z.string().regex(/^[\w-]{1,80}(\.fifo)?$/),
  Attributes: z.record(z.string(), z.string()).optional(),
});
export const GetQueueUrl = z.looseObject({ QueueName: z.string().min(1) });
export const GetQueueAttributes = z.looseObject({
  ...queueUrl,
  AttributeNames: z.array(z.string()).optional(),
});
export const SendMessage = z.looseObject({
  ...queueUrl,
  MessageBody: z.string().min(1),
  DelaySeconds: z.number().int().min(0).max(900).optional(),
  MessageAttributes: messageAttributes,
});
export const SendMessageBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(
    z.looseObject({
      Id: z.string().min(1),
      MessageBody: z.string().min(1),
      DelaySeconds: z.number().int().min(0).max(900).optional(),
      MessageAttributes: messageAttributes,
    }),
  ),
});
export const ReceiveMessage = z.looseObject({
  ...queueUrl,
  MaxNumberOfMessages: z.number().int().min(1).max(10).optional(),
  VisibilityTimeout: z.number().int().min(0).max(43_200).optional(),
  WaitTimeSeconds: z.number().int().min(0).max(20).optional(),
  AttributeNames: z.array(z.string()).optional(),
  MessageSystemAttributeNames: z.array(z.string()).optional(),
  MessageAttributeNames: z.array(z.string()).optional(),
});
export const DeleteMessage = z.looseObject({ ...queueUrl, ReceiptHandle: z.string().min(1) });
export const DeleteMessageBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(z.looseObject({ Id: z.string().min(1), ReceiptHandle: z.string().min(1) })),
});
export const ChangeMessageVisibility = z.looseObject({
  ...queueUrl,
  ReceiptHandle: z.string().min(1),
  VisibilityTimeout: z.number().int().min(0).max(43_200),
});
export const ChangeMessageVisibilityBatch = z.looseObject({
  ...queueUrl,
  Entries: z.array(
    z.looseObject({
      Id: z.string().min(1),
      ReceiptHandle: z.string().min(1),
      VisibilityTimeout: z.number().int().min(0).max(43_200),
    }),
  ),
});
export const RedrivePolicy = z.object({
  deadLetterTargetArn: z.string().min(1),
  maxReceiveCount: z.coerce.number().int().min(1).max(1000),
});
