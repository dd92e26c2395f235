import { createHash, createHmac } from 'node:crypto';
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { SignatureV4 } from '@smithy/signature-v4';

type ExportCallback = Parameters<SpanExporter['export']>[1];
type SignerOptions = ConstructorParameters<typeof SignatureV4>[0];
type SourceData = string | ArrayBuffer | ArrayBufferView;

/** Where and how {@link XRayOtlpSpanExporter} sends spans. */
export interface XRayOtlpExporterOptions {
  readonly region: string;
  /** Base URL of the X-Ray endpoint; `https://xray.<region>.amazonaws.com` when omitted. */
  readonly endpoint?: string | undefined;
  /** The function's role credentials (Lambda puts them in the environment). */
  readonly credentials?: SignerOptions['credentials'];
  readonly fetch?: typeof fetch;
  /** Told once per failed export (the span batch is dropped, as a collector would). */
  readonly onError?: (error: unknown) => void;
}

/**
 * The IAM actions a signed POST to X-Ray's OTLP endpoint needs: PutSpans takes the spans,
 * PutSpansForIndexing lets Transaction Search index them as traces (neither is resource-level).
 */
export const XRAY_OTLP_IAM_ACTIONS = ['xray:PutSpans', 'xray:PutSpansForIndexing'] as const;

/** X-Ray's OTLP traces path: https://xray.<region>.amazonaws.com/v1/traces (CloudWatch OTLP endpoints). */
export const XRAY_OTLP_TRACES_PATH = '/v1/traces';

// SignatureV4 wants a Checksum constructor; node:crypto gives sha256 and its HMAC.
class NodeSha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: SourceData): void {
    if (typeof data !== 'string' && !ArrayBuffer.isView(data)) {
      this.hash.update(Buffer.from(data));
      return;
    }
    this.hash.update(typeof data === 'string' ? data : toBuffer(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
  reset(): void {
    throw new Error('NodeSha256 cannot be reset');
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/**
 * An OTel SpanExporter that sends spans to X-Ray's OTLP endpoint, SigV4-signed for service `xray`.
 * The span encoding is OpenTelemetry's own (OTLP/HTTP JSON, which the endpoint accepts besides
 * protobuf); only the signing is added, as the OTLP HTTP exporter has no request-signing hook.
 * Spans keep the X-Ray trace id as their W3C trace id, so they join the function's trace.
 */
export class XRayOtlpSpanExporter implements SpanExporter {
  private readonly url: URL;
  private readonly signer: SignatureV4;
  private readonly pending = new Set<Promise<void>>();
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: XRayOtlpExporterOptions) {
    const base = options.endpoint ?? `https://xray.${options.region}.amazonaws.com`;
    this.url = new URL(XRAY_OTLP_TRACES_PATH, base);
    this.signer = new SignatureV4({
      service: 'xray',
      region: options.region,
      credentials: options.credentials ?? fromEnv(),
      sha256: NodeSha256,
    });
    this.fetchFn = options.fetch ?? fetch;
  }

  export(spans: ReadableSpan[], resultCallback: ExportCallback): void {
    const sent = this.send(spans).then(
      () => resultCallback({ code: 0 }),
      (error: unknown) => {
        this.options.onError?.(error);
        resultCallback({ code: 1, error: error instanceof Error ? error : new Error(String(error)) });
      },
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  private async send(spans: ReadableSpan[]): Promise<void> {
    const body = JsonTraceSerializer.serializeRequest(spans);
    if (!body) throw new Error('the spans could not be serialized');
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port ? { port: Number(this.url.port) } : {}),
      path: this.url.pathname,
      headers: { host: this.url.host, 'content-type': 'application/json' },
      body,
    });
    const response = await this.fetchFn(this.url, {
      method: 'POST',
      headers: signed.headers,
      body,
    });
    if (!response.ok) {
      const detail = (await response.text()).slice(0, 300);
      throw new Error(`X-Ray OTLP endpoint answered ${response.status}: ${detail}`);
    }
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
  }
}
