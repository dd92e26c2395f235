import { XRayClient } from '@aws-sdk/client-xray';
import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import {
  parseTraceHeader,
  type TraceHeader,
  toOtelTraceId,
} from '../../conference-app/observability/tracing/trace-header';
import { AsyncLocalStorageContextManager } from './async-context-manager';
import { instrumentAwsCalls } from './aws-call-spans';
import { facadeSegment } from './segment-document';
import { type SegmentSender, XRayClientSegmentSender, XRaySpanExporter } from './xray-span-exporter';

/** Options of {@link startLocalTracing}; all default from the function's Lambda env. */
export interface LocalTracingOptions {
  readonly endpointUrl?: string;
  readonly region?: string;
  readonly functionName?: string;
  /** Replaces the XRayClient sender (tests). */
  readonly sender?: SegmentSender;
  /** The current `_X_AMZN_TRACE_ID`; Lambda sets it per invocation. */
  readonly traceHeader?: () => string | undefined;
}

/** Handle of the running tracing: mark invocations and flush their documents. */
export interface LocalTracing {
  /** Call when an invocation starts, with its trace header and request id. */
  beginInvocation(traceHeader: string | undefined, requestId: string): void;
  /** Ends the invocation's facade segment and sends every document; resolves once sent. */
  endInvocation(failed: boolean): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Registers a global OTel tracer provider whose spans become X-Ray subsegments of the invocation's
 * trace (from `_X_AMZN_TRACE_ID`), instruments the AWS SDK, and returns the per-invocation hooks.
 */
export function startLocalTracing(options: LocalTracingOptions = {}): LocalTracing {
  const env = process.env;
  const region = options.region ?? env.AWS_REGION ?? 'eu-west-1';
  const functionName = options.functionName ?? env.AWS_LAMBDA_FUNCTION_NAME ?? 'unknown';
  const traceHeader = options.traceHeader ?? (() => env._X_AMZN_TRACE_ID);
  let xray: XRayClient | undefined;
  let sender = options.sender;
  if (!sender) {
    xray = new XRayClient({
      region,
      ...((options.endpointUrl ?? env.AWS_ENDPOINT_URL)
        ? { endpoint: options.endpointUrl ?? env.AWS_ENDPOINT_URL }
        : {}),
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'local',
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'local',
      },
    });
    sender = new XRayClientSegmentSender(xray);
  }
  let current: { header: TraceHeader & { parent: string }; requestId: string; startMs: number } | undefined;
  const exporter = new XRaySpanExporter(sender, () => current?.header.parent);
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const rootContext = () => {
    const header = parseTraceHeader(traceHeader());
    if (!header?.parent) return ROOT_CONTEXT;
    return trace.setSpanContext(ROOT_CONTEXT, {
      traceId: toOtelTraceId(header.root),
      spanId: header.parent,
      traceFlags: header.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
  };
  context.setGlobalContextManager(new AsyncLocalStorageContextManager(rootContext));
  trace.setGlobalTracerProvider(provider);
  // The exporter's own PutTraceSegments is restJson (no X-Amz-Target), so it is never recorded.
  const undo = instrumentAwsCalls(provider.getTracer('aws-sdk'));

  return {
    beginInvocation(header, requestId) {
      const parsed = parseTraceHeader(header);
      current =
        parsed?.parent && parsed.sampled
          ? { header: { ...parsed, parent: parsed.parent }, requestId, startMs: Date.now() }
          : undefined;
    },
    async endInvocation(failed) {
      await provider.forceFlush();
      if (current) {
        exporter.add(
          facadeSegment({
            header: current.header,
            functionName,
            region,
            requestId: current.requestId,
            startMs: current.startMs,
            endMs: Date.now(),
            failed,
          }),
        );
      }
      current = undefined;
      await exporter.flush();
    },
    async shutdown() {
      undo();
      await provider.shutdown();
      trace.disable();
      context.disable();
      xray?.destroy();
    },
  };
}
