import type { IncomingHttpHeaders } from 'node:http';

/** What every handler learns about the request besides its body. */
export interface RequestContext {
  /** From the SigV4 credential scope, else the endpoint's default region. */
  readonly region: string;
  readonly accountId: string;
  /** Base URL of the endpoint, e.g. `http://127.0.0.1:4566` (SQS builds queue URLs from it). */
  readonly endpointUrl: string;
  readonly headers: IncomingHttpHeaders;
}

/** One awsJson operation: parsed JSON in, JSON-serialisable result out; throw AwsServiceError for faults. */
export type JsonOperation = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

/** A raw HTTP answer, for proxies and restJson services. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer | string;
}

/** An awsJson (1.0 or 1.1) service, routed by the `X-Amz-Target` prefix before the dot. */
export interface JsonServiceDefinition {
  readonly targetPrefix: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** awsQueryCompatible services (SQS) also need the `x-amzn-query-error` header on errors. */
  readonly queryCompatible?: boolean;
  readonly operations: Readonly<Record<string, JsonOperation>>;
  /** When set, every operation is handed the raw body instead (a proxy such as DynamoDB). */
  readonly forward?: (operation: string, body: Buffer, ctx: RequestContext) => Promise<RawResponse>;
}

/** One restJson request as a handler sees it. */
export interface RestRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

/** A restJson service (e.g. X-Ray's `POST /Traces`): claims requests by method and path. */
export interface RestServiceDefinition {
  readonly name: string;
  matches(method: string, path: string): boolean;
  handle(request: RestRequest, ctx: RequestContext): Promise<RawResponse> | RawResponse;
}

/** The services one endpoint serves; later services plug in here without touching the server. */
export class ServiceRegistry {
  private readonly json = new Map<string, JsonServiceDefinition>();
  private readonly rest: RestServiceDefinition[] = [];

  /** Adds (or replaces) an awsJson service. */
  registerJsonService(definition: JsonServiceDefinition): void {
    this.json.set(definition.targetPrefix, definition);
  }

  /** Adds a restJson service; the first registered match wins. */
  registerRestService(definition: RestServiceDefinition): void {
    this.rest.push(definition);
  }

  /** The awsJson service for a target prefix such as `Logs_20140328`. */
  jsonService(targetPrefix: string): JsonServiceDefinition | undefined {
    return this.json.get(targetPrefix);
  }

  /** The restJson service that claims a request, if any. */
  restService(method: string, path: string): RestServiceDefinition | undefined {
    return this.rest.find((service) => service.matches(method, path));
  }
}
