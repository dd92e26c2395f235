/** The parts of Lambda's `_X_AMZN_TRACE_ID` the tracing needs. */
export interface TraceHeader {
  /** X-Ray trace id, `1-<8 hex>-<24 hex>`. */
  readonly root: string;
  /** Id of the function's segment, which the function's spans hang under. */
  readonly parent: string | undefined;
  readonly sampled: boolean;
}

/** Parses `Root=1-…;Parent=…;Sampled=1`; undefined when there is no valid Root. */
export function parseTraceHeader(header: string | undefined): TraceHeader | undefined {
  if (!header) return undefined;
  const parts = new Map(
    header.split(';').map((part) => {
      const eq = part.indexOf('=');
      return [part.slice(0, eq).trim(), part.slice(eq + 1).trim()] as const;
    }),
  );
  const root = parts.get('Root');
  if (!root || !/^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(root)) return undefined;
  const parent = parts.get('Parent');
  return {
    root,
    parent: parent && /^[0-9a-f]{16}$/.test(parent) ? parent : undefined,
    sampled: parts.get('Sampled') !== '0',
  };
}

/** X-Ray's trace id for an OTel 32-hex trace id: the first 8 hex are the epoch-seconds part. */
export function toXRayTraceId(otelTraceId: string): string {
  return `1-${otelTraceId.slice(0, 8)}-${otelTraceId.slice(8)}`;
}

/** The OTel (W3C) trace id of an X-Ray trace id: the same 128 bits without the dashes. */
export function toOtelTraceId(xrayTraceId: string): string {
  return xrayTraceId.slice(2).replace('-', '');
}
