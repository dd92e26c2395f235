import { randomBytes } from 'node:crypto';
import { BatchGetTracesCommand, XRayClient } from '@aws-sdk/client-xray';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLambdaTracing } from '../../../src/conference-app/observability/tracing/lambda-tracing';
import { XRayOtlpSpanExporter } from '../../../src/conference-app/observability/tracing/xray-otlp-exporter';
import { type LocalAws, startLocalAws } from '../../../src/local/aws';
import { TraceStore } from '../../../src/local/aws/xray/trace-store';
import { createXRayService } from '../../../src/local/aws/xray/xray-service';

const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const root = `1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
const parent = randomBytes(8).toString('hex');
const lambdaEnv = {
  AWS_LAMBDA_FUNCTION_NAME: 'conference-save-session-dynamodb-lambda',
  AWS_REGION: 'eu-west-1',
  _X_AMZN_TRACE_ID: `Root=${root};Parent=${parent};Sampled=1`,
};

describe('XRayOtlpSpanExporter', () => {
  let aws: LocalAws;

  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createXRayService(new TraceStore()));
  });
  afterAll(async () => {
    trace.disable();
    context.disable();
    await aws.close();
  });

  it('sends OTLP/JSON to https://xray.<region>.amazonaws.com/v1/traces, SigV4-signed for xray', async () => {
    const sent: { url: string; headers: Record<string, string>; body: string }[] = [];
    const exporter = new XRayOtlpSpanExporter({
      region: 'eu-west-1',
      credentials: async () => credentials,
      fetch: async (url, init) => {
        sent.push({
          url: String(url),
          headers: init?.headers as Record<string, string>,
          body: new TextDecoder().decode(init?.body as Uint8Array),
        });
        return new Response('{}', { status: 200 });
      },
    });
    const tracing = createLambdaTracing({ env: lambdaEnv, exporter });

    await tracing.wrap(async () =>
      trace.getTracer('t').startActiveSpan('Sessions.saveSessionDynamoDB', (s) => s.end()),
    )({}, {});
    trace.disable();
    context.disable();

    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://xray.eu-west-1.amazonaws.com/v1/traces');
    expect(sent[0]?.headers['content-type']).toBe('application/json');
    expect(sent[0]?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDLOCAL\/\d{8}\/eu-west-1\/xray\/aws4_request, SignedHeaders=.*host/,
    );
    const span = JSON.parse(sent[0]?.body ?? '{}').resourceSpans[0].scopeSpans[0].spans[0];
    // The span joins the invocation's X-Ray trace under the function's segment.
    expect(span).toMatchObject({
      name: 'Sessions.saveSessionDynamoDB',
      traceId: root.slice(2).replace('-', ''),
      parentSpanId: parent,
    });
  });

  it('lands in the local X-Ray as a subsegment of the function segment, with its failure', async () => {
    const exporter = new XRayOtlpSpanExporter({
      region: 'eu-west-1',
      endpoint: aws.url,
      credentials: async () => credentials,
    });
    const tracing = createLambdaTracing({ env: lambdaEnv, exporter });

    await tracing.wrap(async () =>
      trace.getTracer('t').startActiveSpan('Sessions.saveSessionDynamoDB', (s) => {
        s.recordException(new Error('boom'));
        s.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
        s.end();
      }),
    )({}, {});
    trace.disable();
    context.disable();
    const xray = new XRayClient({ endpoint: aws.url, region: 'eu-west-1', credentials });
    const out = await xray.send(new BatchGetTracesCommand({ TraceIds: [root] }));
    xray.destroy();

    const documents = (out.Traces?.[0]?.Segments ?? []).map((s) => JSON.parse(s.Document ?? '{}'));
    expect(documents).toContainEqual(
      expect.objectContaining({
        name: 'Sessions.saveSessionDynamoDB',
        parent_id: parent,
        type: 'subsegment',
        fault: true,
      }),
    );
  });

  it('is off outside Lambda and when OTEL_SDK_DISABLED=true, so no span is recorded', async () => {
    const exporter = new InMemorySpanExporter();

    expect(createLambdaTracing({ env: {}, exporter }).enabled).toBe(false);
    expect(createLambdaTracing({ env: { ...lambdaEnv, OTEL_SDK_DISABLED: 'true' }, exporter }).enabled).toBe(
      false,
    );
  });
});

describe('local X-Ray OTLP endpoint', () => {
  let aws: LocalAws;
  beforeAll(async () => {
    aws = await startLocalAws({ port: 0 });
    aws.registerRestService(createXRayService(new TraceStore()));
  });
  afterAll(() => aws.close());

  it('refuses protobuf (415), an unsigned request (403) and a body that is not OTLP (400)', async () => {
    const url = `${aws.url}/v1/traces`;
    const post = (headers: Record<string, string>, body: string) =>
      fetch(url, { method: 'POST', headers, body });
    const signed = { authorization: 'AWS4-HMAC-SHA256 Credential=x/20261205/eu-west-1/xray/aws4_request' };

    expect((await post({ ...signed, 'content-type': 'application/x-protobuf' }, 'x')).status).toBe(415);
    expect((await post({ 'content-type': 'application/json' }, '{"resourceSpans":[]}')).status).toBe(403);
    const bad = await post(
      { ...signed, 'content-type': 'application/json' },
      '{"resourceSpans":[{"scopeSpans":[{"spans":[{}]}]}]}',
    );
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Not an OTLP ExportTraceServiceRequest');
  });
});
