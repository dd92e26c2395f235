import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SnsQueueSender } from './sns-service';

/** Sends `sqs` subscription deliveries into queues of an SQS endpoint (the local one) with the real SDK. */
export class SdkSnsQueueSender implements SnsQueueSender {
  constructor(
    private readonly client: SQSClient,
    private readonly endpointUrl: string,
  ) {}

  async sendMessage(queueArn: string, body: string): Promise<void> {
    // arn:aws:sqs:<region>:<account>:<name> -> <endpoint>/<account>/<name>
    const [, , , , account, name] = queueArn.split(':');
    await this.client.send(
      new SendMessageCommand({ QueueUrl: `${this.endpointUrl}/${account}/${name}`, MessageBody: body }),
    );
  }
}
