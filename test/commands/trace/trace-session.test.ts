import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../../src/commands/errors';
import { blockTextLength } from '../../../src/commands/slack/validate-message';
import { investigateTrace, showTraceLogs } from '../../../src/commands/trace/trace-session';
import { traceLogsMessage, traceMessage } from '../../../src/commands/trace/trace-view';
import { FunctionNames, Milestone } from '../../../src/conference-app/contract';
import { FakeLogSearch, fixedClock } from '../../fixtures/commands/fake-log-search';
import { conferenceInvestigationConfig } from '../../fixtures/flows/conference';

const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';
const TRACE = 'bf769e94-4d48-4994-8c04-ebd00b51ecbd';
const OLDER = '0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a';
const XRAY = '1-6a99c470-a01ef2a0f003da37183f4fcc';
const clock = fixedClock('2026-11-24T12:00:00Z');
const config = conferenceInvestigationConfig({ region: 'eu-west-1' });

const lookupRows = [
  { traceId: TRACE, firstSeen: '2026-11-24 10:00:00.000', lastSeen: '2026-11-24 10:00:02.000', lines: '9' },
  { traceId: OLDER, firstSeen: '2026-11-24 09:00:00.000', lastSeen: '2026-11-24 09:00:01.000', lines: '2' },
];
const milestoneRows: Record<string, string>[] = [
  {
    '@timestamp': '2026-11-24 10:00:00.000',
    milestone: Milestone.createRequestReceived,
    functionName: FunctionNames.createSession,
    xrayTraceId: XRAY,
  },
  {
    '@timestamp': '2026-11-24 10:00:00.800',
    milestone: Milestone.savedInDatabase,
    functionName: FunctionNames.saveSession,
  },
  {
    '@timestamp': '2026-11-24 10:00:01.900',
    milestone: Milestone.sessionForwarded,
    functionName: FunctionNames.forwardSession,
  },
];
const exceptionRows = [
  {
    '@timestamp': '2026-11-24 10:00:01.000',
    functionName: FunctionNames.notifyNewSession,
    'exception.name': 'SlackWebhookError',
    'exception.message': 'webhook returned 500',
    'exception.stack': 'SlackWebhookError: webhook returned 500\n    at post (notifier.js:10:5)',
    xrayTraceId: '1-6a99c470-b01ef2a0f003da37183f4fcc',
  },
];

describe('investigateTrace', () => {
  it('finds the session traces, then reads the newest one over a narrowed window in parallel', async () => {
    // Arrange
    const logs = new FakeLogSearch([
      { when: /stats min\(@timestamp\)/, rows: lookupRows },
      { when: /ispresent\(milestone\)/, rows: milestoneRows },
      { when: /ispresent\(exception\.name\)/, rows: exceptionRows },
    ]);

    // Act
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);

    // Assert
    if (report.kind !== 'found') throw new Error('expected a found report');
    expect(report.traceId).toBe(TRACE);
    expect(report.otherTraces.map((t) => t.traceId)).toEqual([OLDER]);
    expect(report.missing[0]).toMatchObject({
      milestone: Milestone.slackNotificationSent,
      functionName: FunctionNames.notifyNewSession,
    });
    expect(report.exception).toMatchObject({
      name: 'SlackWebhookError',
      stackTop: ['at post (notifier.js:10:5)'],
    });
    expect(report.xrayTraces.map((x) => x.id)).toEqual([XRAY, '1-6a99c470-b01ef2a0f003da37183f4fcc']);
    expect(report.xrayTraces.every((x) => x.functions.length > 0)).toBe(true);
    expect(logs.requests).toHaveLength(5);
    expect(logs.requests[0]?.startTime).toEqual(new Date(clock.now().getTime() - config.traceLookbackMs));
    expect(logs.requests[1]?.startTime).toEqual(new Date('2026-11-24T09:55:00Z'));
    expect(logs.requests[1]?.endTime).toEqual(new Date('2026-11-24T10:30:00Z'));
    expect(logs.requests.every((r) => r.logGroupNames.length === 5)).toBe(true);
    expect(report.scan.recordsScanned).toBe(1002 + 1003 + 1001 + 1000 + 1000);
    expect(report.scan.durationMs).toBe(800);
  });

  it('renders the report with timeline, missing milestone, exception, X-Ray and show-logs buttons', async () => {
    const logs = new FakeLogSearch([
      { when: /stats min\(@timestamp\)/, rows: lookupRows },
      { when: /ispresent\(milestone\)/, rows: milestoneRows },
      { when: /ispresent\(exception\.name\)/, rows: exceptionRows },
    ]);
    const message = traceMessage(await investigateTrace({ id: SESSION }, { logs, clock }, config));
    const json = JSON.stringify(message.blocks);

    expect(message.text).toContain('first missing SLACK_NOTIFICATION_NEW_SESSION_SENT');
    expect(json).toContain('First missing milestone');
    expect(json).toContain('SlackWebhookError');
    expect(json).toContain('Scanned 5,006 records');
    const buttons = message.blocks.flatMap((b) =>
      b.type === 'actions' ? b.elements : b.type === 'section' && b.accessory ? [b.accessory] : [],
    );
    const xray = buttons.find((b) => b.action_id === 'xray_open');
    expect(JSON.parse(xray?.value ?? '{}')).toEqual({ xrayTraceId: XRAY, region: 'eu-west-1' });
    expect(xray?.url).toBe(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/${XRAY}`,
    );
    const logsButton = buttons.find((b) => b.action_id === 'trace_show_logs');
    expect(JSON.parse(logsButton?.value ?? '{}')).toEqual({
      traceId: TRACE,
      functionName: FunctionNames.notifyNewSession,
      fromMs: Date.parse('2026-11-24T09:55:00Z'),
      toMs: Date.parse('2026-11-24T10:30:00Z'),
    });
    expect(buttons.find((b) => b.action_id === 'trace_run')?.value).toBe(OLDER);
  });

  it("names the runtime failure of the trace's own request as the reason a milestone is missing", async () => {
    const REQUEST = '0d1d9c47-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
    const OTHER_REQUEST = '9f8e7d6c-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
    const createLog = `123456789012:/aws/lambda/${FunctionNames.createSession}`;
    const logs = new FakeLogSearch([
      { when: /stats min\(@timestamp\)/, rows: [lookupRows[0] ?? {}] },
      { when: /ispresent\(milestone\)/, rows: [milestoneRows[0] ?? {}] },
      {
        when: /by AWSRequestId/,
        rows: [{ AWSRequestId: REQUEST, functionName: FunctionNames.createSession, lines: '2' }],
      },
      {
        when: /Task timed out after/,
        rows: [
          // Another request's timeout in the same window is not this trace's.
          {
            '@timestamp': '2026-11-24 10:00:09.000',
            '@message': `2026-11-24T10:00:09.000Z ${OTHER_REQUEST} Task timed out after 6.00 seconds`,
            '@log': createLog,
          },
          {
            '@timestamp': '2026-11-24 10:00:06.002',
            '@message': `REPORT RequestId: ${REQUEST}\tDuration: 6000.00 ms\tBilled Duration: 6000 ms\tMemory Size: 256 MB\tMax Memory Used: 88 MB\tStatus: timeout`,
            '@log': createLog,
          },
          {
            '@timestamp': '2026-11-24 10:00:06.000',
            '@message': `2026-11-24T10:00:06.000Z ${REQUEST} Task timed out after 6.00 seconds`,
            '@log': createLog,
          },
        ],
      },
    ]);
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);
    if (report.kind !== 'found') throw new Error('expected a found report');
    expect(report.runtimeFailures.map((f) => [f.requestId, f.description])).toEqual([
      [REQUEST, 'timed out after 6.00 s'],
    ]);
    expect(report.missing[0]?.milestone).toBe(Milestone.savedInDatabase);
    expect(report.missingReason).toMatchObject({
      functionName: FunctionNames.createSession,
      kind: 'timeout',
    });
    const message = traceMessage(report);
    expect(message.text).toBe(
      `Trace ${TRACE}: 🔴 failed, first missing SAVED_IN_DATABASE, ${FunctionNames.createSession} timed out after 6.00 s`,
    );
    expect(JSON.stringify(message.blocks)).toContain(
      `*Why:* \`${FunctionNames.createSession}\` timed out after 6.00 s (request \`${REQUEST}\`).`,
    );
  });

  it('takes a trace id directly (the same lookup finds it by traceId)', async () => {
    const logs = new FakeLogSearch([
      { when: /stats min/, rows: [lookupRows[0] ?? {}] },
      { when: /ispresent\(milestone\)/, rows: milestoneRows },
    ]);
    const report = await investigateTrace({ id: TRACE }, { logs, clock }, config);
    expect(report.kind === 'found' && report.traceId).toBe(TRACE);
    expect(logs.requests[0]?.queryString).toContain(`traceId = "${TRACE}"`);
  });

  it('looks an X-Ray id up by xrayTraceId', async () => {
    const logs = new FakeLogSearch([]);
    await investigateTrace({ id: XRAY }, { logs, clock }, config);
    expect(logs.requests[0]?.queryString).toContain(`xrayTraceId = "${XRAY}"`);
  });

  it('reports no data with what the lookup scanned, and runs no detail query', async () => {
    const logs = new FakeLogSearch([]);
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);
    expect(report).toMatchObject({ kind: 'not_found', id: SESSION });
    expect(logs.requests).toHaveLength(1);
    expect(traceMessage(report).text).toBe(`No trace found for ${SESSION}`);
  });

  it('handles partial data: a trace with no milestone at all', async () => {
    const logs = new FakeLogSearch([{ when: /stats min/, rows: [lookupRows[0] ?? {}] }]);
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);
    if (report.kind !== 'found') throw new Error('expected found');
    expect(report.timeline).toEqual([]);
    expect(report.missing[0]?.milestone).toBe(Milestone.createRequestReceived);
    expect(JSON.stringify(traceMessage(report).blocks)).toContain('No milestone was logged');
  });

  it.each(['', 'x" or 1=1', `${SESSION}\n| fields @message`, 'a'.repeat(10_000)])(
    'refuses %j before building any query',
    async (id) => {
      const logs = new FakeLogSearch([]);
      await expect(investigateTrace({ id }, { logs, clock }, config)).rejects.toBeInstanceOf(
        InvalidInputError,
      );
      expect(logs.requests).toHaveLength(0);
    },
  );

  it('survives worst cases within Slack limits: 20 traces, a huge stack, many X-Ray ids, 10 KB messages', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      traceId: `${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`,
      firstSeen: `2026-11-24 10:${String(59 - i).padStart(2, '0')}:00.000`,
      lastSeen: `2026-11-24 10:${String(59 - i).padStart(2, '0')}:01.000`,
      lines: '3',
    }));
    const hugeStack = [
      'Error: x'.repeat(500),
      ...Array.from({ length: 200 }, () => `    at ${'deep'.repeat(300)}`),
    ].join('\n');
    const logs = new FakeLogSearch([
      { when: /stats min/, rows: many },
      {
        when: /ispresent\(milestone\)/,
        rows: Array.from({ length: 200 }, (_, i) => ({
          '@timestamp': `2026-11-24 10:59:${String(i % 60).padStart(2, '0')}.000`,
          milestone: i < 100 ? Milestone.createRequestReceived : `UNKNOWN_${i}_${'M'.repeat(50)}`,
          functionName: 'f'.repeat(64),
          xrayTraceId: `1-6a99c470-${String(i).padStart(24, '0')}`,
        })),
      },
      {
        when: /exception/,
        rows: Array.from({ length: 5 }, () => ({
          functionName: 'fn',
          'exception.name': 'E'.repeat(10_000),
          'exception.message': 'm```'.repeat(2500),
          'exception.stack': hugeStack,
        })),
      },
    ]);
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);
    const message = traceMessage(report);
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(11_000);
    // The lookup hit its 20-row limit: the answer says older traces were not looked up.
    expect(JSON.stringify(message.blocks)).toContain(
      '19+ other trace(s) for this id* (newest first; older ones were not looked up)',
    );
  });

  it('does not claim a cap when the lookup found fewer traces than its limit', async () => {
    const logs = new FakeLogSearch([
      { when: /stats min\(@timestamp\)/, rows: lookupRows },
      { when: /ispresent\(milestone\)/, rows: milestoneRows },
    ]);
    const report = await investigateTrace({ id: SESSION }, { logs, clock }, config);
    expect(JSON.stringify(traceMessage(report).blocks)).toContain(
      '1 other trace(s) for this id* (newest first):',
    );
  });
});

describe('showTraceLogs', () => {
  it('queries one function over the button window and renders the lines', async () => {
    const logs = new FakeLogSearch([
      {
        when: /functionName = /,
        rows: [
          { '@timestamp': '2026-11-24 10:00:01.000', level: 'ERROR', message: 'webhook returned 500' },
          { '@timestamp': '2026-11-24 10:00:01.100', '@message': 'raw line' },
        ],
      },
    ]);
    const input = {
      traceId: TRACE,
      functionName: FunctionNames.notifyNewSession,
      fromMs: 1_000,
      toMs: 2_000_000,
    };
    const result = await showTraceLogs(input, { logs, clock }, config);
    expect(logs.requests[0]).toMatchObject({ startTime: new Date(1_000), endTime: new Date(2_000_000) });
    expect(result.lines.map((l) => l.message)).toEqual(['webhook returned 500', 'raw line']);
    expect(JSON.stringify(traceLogsMessage(result).blocks)).toContain('ERROR');
  });

  it('renders 50 lines of 10 KB within Slack limits', () => {
    const message = traceLogsMessage({
      traceId: TRACE,
      functionName: 'fn',
      lines: Array.from({ length: 50 }, () => ({ at: 't', level: 'INFO', message: 'x'.repeat(10_000) })),
      scan: { recordsScanned: 1, bytesScanned: 1, durationMs: 1 },
    });
    expect(message.blocks.length).toBe(4);
  });

  it('refuses a tampered button value', async () => {
    const logs = new FakeLogSearch([]);
    await expect(
      showTraceLogs(
        { traceId: TRACE, functionName: 'x" or 1=1', fromMs: 0, toMs: 1 },
        { logs, clock },
        config,
      ),
    ).rejects.toBeInstanceOf(InvalidInputError);
    expect(logs.requests).toHaveLength(0);
  });
});
