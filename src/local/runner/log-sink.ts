import {
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-cloudwatch-logs';

/** One log event as the runner emits it (epoch ms). */
export interface RunnerLogEvent {
  timestamp: number;
  message: string;
}

/**
 * Where the runner writes what an execution environment logs (CloudWatch Logs, an in-process store, a test array);
 * a returned promise is awaited, any other return value ignored (so the local endpoint's `LogStore` fits as is).
 */
export interface LogSink {
  append(groupName: string, streamName: string, events: RunnerLogEvent[]): unknown;
}

/** A LogSink that keeps events in memory, grouped by `group/stream`; handy in tests and demos. */
export class MemoryLogSink implements LogSink {
  readonly events: (RunnerLogEvent & { groupName: string; streamName: string })[] = [];

  append(groupName: string, streamName: string, events: RunnerLogEvent[]): void {
    for (const event of events) this.events.push({ groupName, streamName, ...event });
  }

  /** The messages of one log group, in write order. */
  messages(groupName: string): string[] {
    return this.events.filter((e) => e.groupName === groupName).map((e) => e.message);
  }
}

/** A LogSink writing through the real CloudWatch Logs API, so the runner works against any endpoint. */
export class CloudWatchLogSink implements LogSink {
  private readonly created = new Set<string>();
  // Calls per stream are chained so events land in the order they were written.
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly client: CloudWatchLogsClient) {}

  append(groupName: string, streamName: string, events: RunnerLogEvent[]): Promise<void> {
    const run = async (): Promise<void> => {
      await this.ensureStream(groupName, streamName);
      await this.client.send(
        new PutLogEventsCommand({ logGroupName: groupName, logStreamName: streamName, logEvents: events }),
      );
    };
    this.tail = this.tail.then(run, run);
    return this.tail;
  }

  private async ensureStream(groupName: string, streamName: string): Promise<void> {
    const key = `${groupName}\u0000${streamName}`;
    if (this.created.has(key)) return;
    await ignoreAlreadyExists(this.client.send(new CreateLogGroupCommand({ logGroupName: groupName })));
    await ignoreAlreadyExists(
      this.client.send(new CreateLogStreamCommand({ logGroupName: groupName, logStreamName: streamName })),
    );
    this.created.add(key);
  }
}

async function ignoreAlreadyExists(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ResourceAlreadyExistsException) return;
    if (error instanceof Error && error.name === 'ResourceAlreadyExistsException') return;
    throw error;
  }
}
