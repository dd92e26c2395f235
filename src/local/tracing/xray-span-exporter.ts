import { PutTraceSegmentsCommand, type XRayClient } from '@aws-sdk/client-xray';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { spanToSubsegment, type XRaySegmentDocument } from './segment-document';

type ExportCallback = Parameters<SpanExporter['export']>[1];

/** Where finished segment documents go; the XRayClient adapter is {@link XRayClientSegmentSender}. */
export interface SegmentSender {
  send(documents: readonly XRaySegmentDocument[]): Promise<void>;
}

/** Sends documents with PutTraceSegments through the real XRayClient. */
export class XRayClientSegmentSender implements SegmentSender {
  constructor(private readonly client: XRayClient) {}

  async send(documents: readonly XRaySegmentDocument[]): Promise<void> {
    // X-Ray takes at most 50 documents per call.
    for (let i = 0; i < documents.length; i += 50) {
      await this.client.send(
        new PutTraceSegmentsCommand({
          TraceSegmentDocuments: documents.slice(i, i + 50).map((d) => JSON.stringify(d)),
        }),
      );
    }
  }
}

/**
 * An OTel SpanExporter that turns spans into X-Ray subsegment documents and holds them until
 * {@link XRaySpanExporter.flush}, so one invocation's documents go out in one call before it ends.
 */
export class XRaySpanExporter implements SpanExporter {
  private buffer: XRaySegmentDocument[] = [];

  constructor(
    private readonly sender: SegmentSender,
    /** The facade segment id of the running invocation, for spans without a parent. */
    private readonly fallbackParentId: () => string | undefined = () => undefined,
  ) {}

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    for (const span of spans) this.buffer.push(spanToSubsegment(span, this.fallbackParentId()));
    resultCallback({ code: 0 });
  }

  /** Queues a document that is not a span (the facade segment). */
  add(document: XRaySegmentDocument): void {
    this.buffer.push(document);
  }

  /** Sends everything buffered; a failed send is reported once on stderr and dropped, as the X-Ray daemon does. */
  async flush(): Promise<void> {
    const documents = this.buffer;
    this.buffer = [];
    if (documents.length === 0) return;
    try {
      await this.sender.send(documents);
    } catch (error) {
      process.stderr.write(`gumshoe tracing: PutTraceSegments failed: ${String(error)}\n`);
    }
  }

  async forceFlush(): Promise<void> {
    await this.flush();
  }

  async shutdown(): Promise<void> {
    await this.flush();
  }
}
