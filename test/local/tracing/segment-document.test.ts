import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  parseTraceHeader,
  toOtelTraceId,
  toXRayTraceId,
} from '../../../src/conference-app/observability/tracing/trace-header';
import { spanToSubsegment } from '../../../src/local/tracing/segment-document';

const otelId = '5759e988bd862e3fe1be46a994272793';

function span(overrides: Partial<ReadableSpan>): ReadableSpan {
  return {
    name: 'work',
    kind: SpanKind.INTERNAL,
    spanContext: () => ({ traceId: otelId, spanId: '53995c3f42cd8ad8', traceFlags: 1 }),
    startTime: [1_700_000_000, 500_000_000],
    endTime: [1_700_000_001, 0],
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    events: [],
    links: [],
    ...overrides,
  } as ReadableSpan;
}

describe('segment documents', () => {
  it('maps OTel trace ids to X-Ray ids and back', () => {
    expect(toXRayTraceId(otelId)).toBe('1-5759e988-bd862e3fe1be46a994272793');
    expect(toOtelTraceId('1-5759e988-bd862e3fe1be46a994272793')).toBe(otelId);
  });

  it('parses a Lambda trace header and refuses one without a valid Root', () => {
    expect(
      parseTraceHeader('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1'),
    ).toEqual({
      root: '1-5759e988-bd862e3fe1be46a994272793',
      parent: '53995c3f42cd8ad8',
      sampled: true,
    });
    expect(parseTraceHeader('Root=abc;Parent=1')).toBeUndefined();
  });

  it('turns a span into a subsegment with epoch seconds, annotations and its parent', () => {
    const doc = spanToSubsegment(
      span({ attributes: { storeInDatabase: 'DynamoDB', 'session.id': 'x' } }),
      'facade00facade00',
    );
    expect(doc).toMatchObject({
      name: 'work',
      id: '53995c3f42cd8ad8',
      trace_id: '1-5759e988-bd862e3fe1be46a994272793',
      type: 'subsegment',
      parent_id: 'facade00facade00',
      start_time: 1_700_000_000.5,
      end_time: 1_700_000_001,
      annotations: { storeInDatabase: 'DynamoDB', session_id: 'x' },
    });
    expect(doc.fault).toBeUndefined();
  });

  it('marks a failed span as a fault with its exception, and a 4xx AWS call as an error', () => {
    const failed = spanToSubsegment(
      span({
        status: { code: SpanStatusCode.ERROR, message: 'boom' },
        events: [
          {
            name: 'exception',
            time: [0, 0],
            attributes: { 'exception.type': 'Error', 'exception.message': 'boom' },
          },
        ],
      }),
    );
    expect(failed.fault).toBe(true);
    expect(failed.cause?.exceptions[0]).toMatchObject({ type: 'Error', message: 'boom' });
    const denied = spanToSubsegment(
      span({
        kind: SpanKind.CLIENT,
        status: { code: SpanStatusCode.ERROR },
        attributes: { 'aws.service': 'DynamoDB', 'aws.operation': 'PutItem', 'http.status_code': 400 },
      }),
    );
    expect(denied).toMatchObject({
      name: 'DynamoDB',
      namespace: 'aws',
      error: true,
      aws: { operation: 'PutItem' },
    });
    expect(denied.fault).toBeUndefined();
  });
});
