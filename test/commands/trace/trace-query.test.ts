import { describe, expect, it } from 'vitest';
import { SessionId, TraceId, XRayTraceId } from '../../../src/commands/query/quote';
import {
  buildExceptionQuery,
  buildMilestonesQuery,
  buildShowLogsQuery,
  buildTraceLookupQuery,
  traceDetailWindow,
} from '../../../src/commands/trace/trace-query';

const SESSION = SessionId.parse('865ccaad-ced0-4de5-aec3-b3692b2e06a0');
const TRACE = TraceId.parse('bf769e94-4d48-4994-8c04-ebd00b51ecbd');

describe('trace queries', () => {
  it('look a UUID up as a session id or a trace id, grouping all traces newest first', () => {
    expect(buildTraceLookupQuery({ kind: 'uuid', id: SESSION })).toBe(
      [
        'fields @timestamp, traceId',
        '| filter sessionId = "865ccaad-ced0-4de5-aec3-b3692b2e06a0" or traceId = "865ccaad-ced0-4de5-aec3-b3692b2e06a0"',
        '| filter ispresent(traceId)',
        '| stats min(@timestamp) as firstSeen, max(@timestamp) as lastSeen, count(*) as lines by traceId',
        '| sort lastSeen desc',
        '| limit 20',
      ].join('\n'),
    );
  });

  it('look an X-Ray id up through xrayTraceId', () => {
    const id = XRayTraceId.parse('1-6a99c470-a01ef2a0f003da37183f4fcc');
    expect(buildTraceLookupQuery({ kind: 'xray', id }, 5)).toContain(
      '| filter xrayTraceId = "1-6a99c470-a01ef2a0f003da37183f4fcc"',
    );
  });

  it('read milestones in time order with X-Ray ids', () => {
    expect(buildMilestonesQuery(TRACE)).toBe(
      [
        'fields @timestamp, milestone, functionName, timestamp, xrayTraceId',
        '| filter traceId = "bf769e94-4d48-4994-8c04-ebd00b51ecbd" and ispresent(milestone)',
        '| sort @timestamp asc',
        '| limit 200',
      ].join('\n'),
    );
  });

  it('read the first five exceptions', () => {
    expect(buildExceptionQuery(TRACE)).toBe(
      [
        'fields @timestamp, functionName, exception.name, exception.message, exception.stack, xrayTraceId, @logStream',
        '| filter traceId = "bf769e94-4d48-4994-8c04-ebd00b51ecbd" and ispresent(exception.name)',
        '| sort @timestamp asc',
        '| limit 5',
      ].join('\n'),
    );
  });

  it('show one function logs, with the function name quoted', () => {
    expect(buildShowLogsQuery(TRACE, 'conference-save-session-dynamodb-lambda')).toBe(
      [
        'fields @timestamp, level, message, @message',
        '| filter traceId = "bf769e94-4d48-4994-8c04-ebd00b51ecbd" and functionName = "conference-save-session-dynamodb-lambda"',
        '| sort @timestamp asc',
        '| limit 50',
      ].join('\n'),
    );
    expect(buildShowLogsQuery(TRACE, 'x" or 1=1')).toContain('functionName = "x\\" or 1=1"');
    expect(() => buildShowLogsQuery(TRACE, 'x\n| display @message')).toThrow();
  });

  it('narrow the detail window around the first sighting, clamped to now', () => {
    const first = new Date('2026-11-24T10:00:00Z');
    const w = traceDetailWindow(first, first, new Date('2026-11-24T12:00:00Z'));
    expect(w).toEqual({ start: new Date('2026-11-24T09:55:00Z'), end: new Date('2026-11-24T10:30:00Z') });
    const clamped = traceDetailWindow(first, first, new Date('2026-11-24T10:10:00Z'));
    expect(clamped.end).toEqual(new Date('2026-11-24T10:10:00Z'));
    const longTrace = traceDetailWindow(
      first,
      new Date('2026-11-24T10:45:00Z'),
      new Date('2026-11-24T12:00:00Z'),
    );
    expect(longTrace.end).toEqual(new Date('2026-11-24T10:46:00Z'));
  });
});
