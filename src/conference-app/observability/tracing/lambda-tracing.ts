import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { parseTraceHeader, toOtelTraceId } from './trace-header';
import { XRayOtlpSpanExporter } from './xray-otlp-exporter';

/** A Lambda handler of any event. */
export type LambdaHandler<E, C, R> = (event: E, context: C) => Promise<R>;

/** What {@link createLambdaTracing} reads; the Lambda environment by default. */
export interface LambdaTracingOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Replaces the X-Ray OTLP exporter (tests). */
  readonly exporter?: SpanExporter;
}

/** Wraps handlers so their spans join the invocation's X-Ray trace and reach X-Ray before it ends. */
export interface LambdaTracing {
  readonly enabled: boolean;
  wrap<E, C, R>(handler: LambdaHandler<E, C, R>): LambdaHandler<E, C, R>;
}

const OFF: LambdaTracing = { enabled: false, wrap: (handler) => handler };

/**
 * Starts OpenTelemetry tracing for a Lambda function, exporting to X-Ray's OTLP endpoint. On when
 * the function runs in Lambda (`AWS_LAMBDA_FUNCTION_NAME`) unless `OTEL_SDK_DISABLED=true`, or
 * when the local runner traces it itself (`GUMSHOE_LOCAL_TRACING=1`). The ADOT layer's wrapper
 * cannot load an esbuild ES-module handler, so the SDK is set up here, inside the bundle.
 */
export function createLambdaTracing(options: LambdaTracingOptions = {}): LambdaTracing {
  const env = options.env ?? process.env;
  if (!env.AWS_LAMBDA_FUNCTION_NAME || env.OTEL_SDK_DISABLED === 'true' || env.GUMSHOE_LOCAL_TRACING === '1')
    return OFF;
  const region = env.AWS_REGION ?? 'us-east-1';
  const exporter =
    options.exporter ??
    new XRayOtlpSpanExporter({
      region,
      // The SDK's own endpoint variables: a service-specific one first (AWS SDK v3 convention).
      endpoint: env.AWS_ENDPOINT_URL_XRAY ?? env.AWS_ENDPOINT_URL,
      onError: (error) => process.stderr.write(`gumshoe tracing: spans not exported: ${String(error)}\n`),
    });
  // Batched, and flushed at the end of each invocation: Lambda freezes the environment after it.
  const processor = new BatchSpanProcessor(exporter, {
    scheduledDelayMillis: 60_000,
    maxExportBatchSize: 512,
  });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);

  return {
    enabled: true,
    wrap(handler) {
      return async (event, lambdaContext) => {
        const header = parseTraceHeader(env._X_AMZN_TRACE_ID);
        if (!header?.parent || !header.sampled) return handler(event, lambdaContext);
        const parent = trace.setSpanContext(ROOT_CONTEXT, {
          traceId: toOtelTraceId(header.root),
          spanId: header.parent,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        });
        try {
          return await context.with(parent, () => handler(event, lambdaContext));
        } finally {
          await provider.forceFlush();
        }
      };
    },
  };
}
