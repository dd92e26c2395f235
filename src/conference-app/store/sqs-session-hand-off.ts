import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DownstreamError } from '../sessions/errors';
import type { SessionHandOff } from '../sessions/ports';
import type { Session } from '../sessions/session';

/** Hands sessions to the saving function through an SQS queue; the body is the session, traceId included. */
export class SqsSessionHandOff implements SessionHandOff {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async handOff(session: Session): Promise<void> {
    try {
      await this.client.send(
        new SendMessageCommand({
          QueueUrl: this.queueUrl,
          MessageBody: JSON.stringify(session),
          MessageAttributes: { traceId: { DataType: 'String', StringValue: session.traceId } },
        }),
      );
    } catch (error) {
      throw new DownstreamError('Could not send the session to the save queue', { cause: error });
    }
  }
}
