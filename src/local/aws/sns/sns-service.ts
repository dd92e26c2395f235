import { randomUUID } from 'node:crypto';
import type { SNSEvent, SNSMessageAttributes } from 'aws-lambda';
import { AwsServiceError } from '../errors';
import type { RawResponse, RequestContext, RestServiceDefinition } from '../registry';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** How SNS hands a message to a `lambda` subscriber: an async (Event) invoke, as AWS does. */
export interface SnsLambdaInvoker {
  invoke(functionName: string, event: SNSEvent, options: { invocationType: 'Event' }): Promise<unknown>;
}

/** How SNS hands a message to an `sqs` subscriber: SendMessage of the body into the queue. */
export interface SnsQueueSender {
  sendMessage(queueArn: string, body: string): Promise<void>;
}

/** One published message, as the service delivered it (tests and the evaluator read these). */
/** The largest SNS message, attributes included: 256 KB (262,144 bytes). */
export const MAX_SNS_MESSAGE_BYTES = 262_144;

/** One message published to a topic. */
export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject: string | undefined;
  readonly message: string;
  readonly messageAttributes: SNSMessageAttributes;
  readonly timestamp: string;
}

interface Topic {
  readonly arn: string;
  readonly name: string;
  readonly subscriptions: Map<string, Subscription>;
}

interface Subscription {
  readonly arn: string;
  readonly protocol: string;
  readonly endpoint: string;
  /** `sqs` only: the body is the message itself rather than the SNS envelope JSON. */
  readonly rawMessageDelivery: boolean;
}

const LAMBDA_ARN = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const QUEUE_ARN = /^arn:aws:sqs:[a-z0-9-]+:\d{12}:[\w-]{1,80}$/;

/**
 * The local SNS: topics, subscriptions and Publish. `lambda` subscribers are invoked through the
 * runner; `sqs` subscribers get the SNS envelope JSON (or the raw message) sent into their queue.
 */
export class SnsTopics {
  private readonly topics = new Map<string, Topic>();
  /** Every message published, oldest first. */
  readonly published: PublishedMessage[] = [];
  private invoker: SnsLambdaInvoker | undefined;
  private queueSender: SnsQueueSender | undefined;

  constructor(
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /** Sets (or replaces) who runs `lambda` subscriptions; the stack sets the runner once it exists. */
  setInvoker(invoker: SnsLambdaInvoker): void {
    this.invoker = invoker;
  }

  /** Sets (or replaces) who sends into the queues of `sqs` subscriptions. */
  setQueueSender(sender: SnsQueueSender): void {
    this.queueSender = sender;
  }

  /** Creates a topic, or returns the existing one's ARN (CreateTopic is idempotent). */
  createTopic(name: string, region = this.region): string {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name))
      throw snsError('InvalidParameterException', 'InvalidParameter', 'Invalid parameter: Topic Name');
    const arn = `arn:aws:sns:${region}:${this.accountId}:${name}`;
    if (!this.topics.has(arn)) this.topics.set(arn, { arn, name, subscriptions: new Map() });
    return arn;
  }

  topicArns(): string[] {
    return [...this.topics.keys()];
  }

  /** Subscribes a function (`lambda`) or a queue (`sqs`) by ARN; other protocols are refused. */
  subscribe(
    topicArn: string,
    protocol: string,
    endpoint: string,
    options: { rawMessageDelivery?: boolean } = {},
  ): string {
    const topic = this.requireTopic(topicArn);
    if (protocol !== 'lambda' && protocol !== 'sqs')
      throw snsError(
        'InvalidParameterException',
        'InvalidParameter',
        `Invalid parameter: Protocol ${protocol} is not supported by the local endpoint (only lambda and sqs)`,
      );
    if (protocol === 'lambda' && !LAMBDA_ARN.test(endpoint))
      throw snsError(
        'InvalidParameterException',
        'InvalidParameter',
        'Invalid parameter: Lambda function ARN',
      );
    if (protocol === 'sqs' && !QUEUE_ARN.test(endpoint))
      throw snsError('InvalidParameterException', 'InvalidParameter', 'Invalid parameter: SQS endpoint ARN');
    for (const s of topic.subscriptions.values())
      if (s.protocol === protocol && s.endpoint === endpoint) return s.arn;
    const arn = `${topicArn}:${randomUUID()}`;
    topic.subscriptions.set(arn, {
      arn,
      protocol,
      endpoint,
      // Raw delivery applies to queues (and HTTP) only; Lambda always gets the SNSEvent.
      rawMessageDelivery: protocol === 'sqs' && options.rawMessageDelivery === true,
    });
    return arn;
  }

  /** Subscriptions of a topic (ARN, protocol, endpoint, raw delivery). */
  subscriptions(
    topicArn: string,
  ): { arn: string; protocol: string; endpoint: string; rawMessageDelivery: boolean }[] {
    return [...this.requireTopic(topicArn).subscriptions.values()].map(
      ({ arn, protocol, endpoint, rawMessageDelivery }) => ({ arn, protocol, endpoint, rawMessageDelivery }),
    );
  }

  /**
   * Publishes a message and delivers it to every subscriber: an SNSEvent to a function, the SNS
   * envelope JSON to a queue; returns the MessageId.
   */
  publish(
    topicArn: string,
    message: string,
    subject?: string,
    messageAttributes: SNSMessageAttributes = {},
  ): string {
    const topic = this.requireTopic(topicArn);
    // SNS takes at most 256 KB (262,144 bytes), message and attributes together.
    let bytes = Buffer.byteLength(message, 'utf8');
    for (const [name, value] of Object.entries(messageAttributes))
      bytes += Buffer.byteLength(name) + Buffer.byteLength(JSON.stringify(value));
    if (bytes > MAX_SNS_MESSAGE_BYTES)
      throw snsError('InvalidParameterException', 'InvalidParameter', 'Invalid parameter: Message too long');
    if (subject !== undefined && (subject.length === 0 || subject.length > 100 || /[\r\n]/.test(subject)))
      throw snsError('InvalidParameterException', 'InvalidParameter', 'Invalid parameter: Subject');
    const published: PublishedMessage = {
      messageId: randomUUID(),
      topicArn,
      subject,
      message,
      messageAttributes,
      timestamp: new Date().toISOString(),
    };
    this.published.push(published);
    for (const subscription of topic.subscriptions.values()) this.deliver(published, subscription);
    return published.messageId;
  }

  /** Delivery is asynchronous: Publish answers at once; a failed delivery only shows on stderr. */
  private deliver(published: PublishedMessage, subscription: Subscription): void {
    let delivery: Promise<unknown>;
    let target: string;
    if (subscription.protocol === 'sqs') {
      target = subscription.endpoint;
      const body = subscription.rawMessageDelivery
        ? published.message
        : JSON.stringify(snsQueueEnvelope(published, subscription.arn, this.region));
      delivery =
        this.queueSender?.sendMessage(target, body) ?? Promise.reject(new Error('no queue sender set'));
    } else {
      target = subscription.endpoint.split(':')[6] ?? '';
      const event = snsEvent(published, subscription.arn, this.region);
      delivery = this.invoker?.invoke(target, event, { invocationType: 'Event' }) ?? Promise.resolve();
    }
    void delivery.catch((error: unknown) =>
      process.stderr.write(`local-sns: delivery to ${target} failed: ${String(error)}\n`),
    );
  }

  private requireTopic(arn: string): Topic {
    const topic = this.topics.get(arn);
    if (!topic) throw snsError('NotFoundException', 'NotFound', 'Topic does not exist', 404);
    return topic;
  }
}

/** The SNSEvent a Lambda subscriber receives, one record, shaped as @types/aws-lambda's SNSEvent. */
export function snsEvent(message: PublishedMessage, subscriptionArn: string, region: string): SNSEvent {
  const host = `https://sns.${region}.amazonaws.com`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          // Lambda sends null when the publisher gave no subject.
          Subject: message.subject ?? (null as unknown as string),
          Message: message.message,
          Timestamp: message.timestamp,
          SignatureVersion: '1',
          // Local messages are not signed; the field is present as in AWS.
          Signature: Buffer.from('local').toString('base64'),
          SigningCertUrl: `${host}/SimpleNotificationService-local.pem`,
          UnsubscribeUrl: `${host}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
          MessageAttributes: message.messageAttributes,
        },
      },
    ],
  };
}

/**
 * The JSON body SNS sends to an SQS (or HTTP) subscriber when raw message delivery is off. Unlike
 * the Lambda record, the URL keys end in `URL` and `Subject` is left out when none was given.
 */
export function snsQueueEnvelope(
  message: PublishedMessage,
  subscriptionArn: string,
  region: string,
): Record<string, unknown> {
  const host = `https://sns.${region}.amazonaws.com`;
  return {
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    ...(message.subject === undefined ? {} : { Subject: message.subject }),
    Message: message.message,
    Timestamp: message.timestamp,
    SignatureVersion: '1',
    // Local messages are not signed; the field is present as in AWS.
    Signature: Buffer.from('local').toString('base64'),
    SigningCertURL: `${host}/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `${host}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
    ...(Object.keys(message.messageAttributes).length > 0
      ? { MessageAttributes: message.messageAttributes }
      : {}),
  };
}

function snsError(code: string, queryCode: string, message: string, status = 400): AwsServiceError {
  return new AwsServiceError(code, message, { queryCode, status });
}

function escapeXml(text: string): string {
  return text.replace(
    /[<>&'"]/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c,
  );
}

function xmlResponse(action: string, result: string): RawResponse {
  const requestId = randomUUID();
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function xmlError(error: AwsServiceError): RawResponse {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.queryCode ?? error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** `MessageAttributes.entry.N.Name / .Value.DataType / .Value.StringValue` → Lambda's attribute map. */
function messageAttributes(form: URLSearchParams): SNSMessageAttributes {
  const out: SNSMessageAttributes = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const prefix = `MessageAttributes.entry.${n}`;
    const name = form.get(`${prefix}.Name`) ?? '';
    const type = form.get(`${prefix}.Value.DataType`);
    if (!type)
      throw snsError(
        'InvalidParameterException',
        'InvalidParameter',
        `Invalid parameter: MessageAttributes ${name} has no DataType`,
      );
    const binary = form.get(`${prefix}.Value.BinaryValue`);
    const value = form.get(`${prefix}.Value.StringValue`) ?? binary;
    if (value === null)
      throw snsError(
        'InvalidParameterException',
        'InvalidParameter',
        `Invalid parameter: MessageAttributes ${name} has no value`,
      );
    out[name] = { Type: type, Value: value };
  }
  return out;
}

/** One `Attributes.entry.N.key/value` of Subscribe. */
function subscriptionAttribute(form: URLSearchParams, key: string): string | undefined {
  for (let n = 1; form.has(`Attributes.entry.${n}.key`); n++)
    if (form.get(`Attributes.entry.${n}.key`) === key)
      return form.get(`Attributes.entry.${n}.value`) ?? undefined;
  return undefined;
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (value === null || value === '')
    throw snsError('InvalidParameterException', 'InvalidParameter', `Invalid parameter: ${name} is required`);
  return value;
}

/**
 * SNS over the awsQuery protocol (form-encoded `POST /` with `Action=…`, XML answers): CreateTopic,
 * ListTopics, Subscribe, ListSubscriptionsByTopic and Publish.
 */
export function createSnsService(topics: SnsTopics): RestServiceDefinition {
  const actions: Record<string, (form: URLSearchParams, ctx: RequestContext) => string> = {
    CreateTopic: (form, ctx) =>
      `<TopicArn>${escapeXml(topics.createTopic(required(form, 'Name'), ctx.region))}</TopicArn>`,
    ListTopics: () =>
      `<Topics>${topics
        .topicArns()
        .map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`)
        .join('')}</Topics>`,
    Subscribe: (form) =>
      `<SubscriptionArn>${escapeXml(
        topics.subscribe(required(form, 'TopicArn'), required(form, 'Protocol'), required(form, 'Endpoint'), {
          rawMessageDelivery: subscriptionAttribute(form, 'RawMessageDelivery') === 'true',
        }),
      )}</SubscriptionArn>`,
    ListSubscriptionsByTopic: (form) => {
      const topicArn = required(form, 'TopicArn');
      return `<Subscriptions>${topics
        .subscriptions(topicArn)
        .map(
          (s) =>
            `<member><SubscriptionArn>${escapeXml(s.arn)}</SubscriptionArn><Protocol>${s.protocol}</Protocol><Endpoint>${escapeXml(s.endpoint)}</Endpoint><TopicArn>${escapeXml(topicArn)}</TopicArn><Owner>000000000000</Owner></member>`,
        )
        .join('')}</Subscriptions>`;
    },
    Publish: (form) => {
      const target = form.get('TopicArn') ?? form.get('TargetArn');
      if (!target)
        throw snsError(
          'InvalidParameterException',
          'InvalidParameter',
          'Invalid parameter: TopicArn or TargetArn is required',
        );
      const subject = form.get('Subject') ?? undefined;
      const id = topics.publish(target, required(form, 'Message'), subject, messageAttributes(form));
      return `<MessageId>${id}</MessageId>`;
    },
  };
  return {
    name: 'sns',
    // awsQuery services post forms to `/`; the other services on this endpoint use X-Amz-Target or a path.
    matches: (method, path) => method === 'POST' && path === '/',
    handle(request, ctx) {
      const form = new URLSearchParams(request.body.toString('utf8'));
      const action = form.get('Action') ?? '';
      const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
      try {
        if (!run) throw snsError('InvalidAction', 'InvalidAction', `Unknown action ${action}`);
        return xmlResponse(action, run(form, ctx));
      } catch (error) {
        if (error instanceof AwsServiceError) return xmlError(error);
        throw error;
      }
    },
  };
}
