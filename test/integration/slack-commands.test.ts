import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionNames, logGroupOf, MILESTONE_NAMES, MILESTONES } from '../../src/conference-app/contract';
import { buildSlashCommandRequest, sendSignedRequest } from '../../src/local/slack/sender';
import { BOT_FUNCTIONS } from '../../src/local/stack';
import {
  commandAnswer,
  createSession,
  credentials,
  jsonLines,
  milestonesByTrace,
  readEvents,
  region,
  reportLines,
  startTestStack,
  type TestStack,
  waitFor,
} from './helpers';

const serviceFunctions = Object.values(FunctionNames);

describe('local stack: Slack commands against captured logs (issue 4)', () => {
  let t: TestStack;
  let lambda: LambdaClient;
  const healthy: { sessionId: string; traceId: string }[] = [];

  /** Sends a command and waits for the worker's answer (the message after the ack). */
  async function command(name: string, text: string): Promise<{ answer: string }> {
    return { answer: await commandAnswer(t, name, text) };
  }

  /** START lines of the worker: one per invocation. */
  async function workerStarts(): Promise<number> {
    const events = await readEvents(t.logs, [BOT_FUNCTIONS.worker]);
    return events.filter((e) => e.message.startsWith('START RequestId:')).length;
  }

  async function waitForMilestones(traceId: string, count: number): Promise<void> {
    await waitFor(`${count} milestones of ${traceId}`, async () => {
      const traces = milestonesByTrace(await readEvents(t.logs, serviceFunctions));
      return (traces.get(traceId)?.size ?? 0) >= count ? true : undefined;
    });
  }

  beforeAll(async () => {
    t = await startTestStack();
    lambda = new LambdaClient({ endpoint: t.stack.aws.url, region, credentials });
    for (const i of [1, 2]) {
      const session = await createSession(t.stack, `Healthy talk ${i}`);
      healthy.push(session);
    }
    for (const s of healthy) await waitForMilestones(s.traceId, MILESTONE_NAMES.length);
  }, 40_000);

  afterAll(async () => {
    lambda?.destroy();
    await t?.close();
  });

  it('acks a signed /trace on a cold bot without waiting for the worker, which answers with the four milestones', async () => {
    const [session] = healthy;
    if (!session) throw new Error('no session');

    const { answer } = await command('/trace', session.sessionId);

    // Slack's 3-second rule: the ack never waits for the investigation. Checked by order, not by the
    // wall clock (a loaded machine makes any time bound flaky; the cold-start time is measured in
    // `npm run bench:slack-ack`): the Slack function's cold invocation (its first REPORT has an Init
    // Duration) ended before the worker's, and the ack came back before the answer.
    const endOf = async (fn: string) =>
      (await readEvents(t.logs, [fn])).filter((e) => e.message.startsWith('REPORT RequestId:'));
    const botReports = await endOf(BOT_FUNCTIONS.slackEvents);
    // The worker posts the answer before its invocation ends, so its REPORT may still be on the way.
    const workerReports = await waitFor('the worker REPORT', async () => {
      const reports = await endOf(BOT_FUNCTIONS.worker);
      return reports.length > 0 ? reports : undefined;
    });
    expect(botReports[0]?.message).toContain('Init Duration:');
    expect(botReports[0]?.timestamp).toBeLessThanOrEqual(workerReports[0]?.timestamp ?? 0);
    const vias = t.stack.slack.messages().map((m) => m.via);
    expect(vias.indexOf('ack')).toBeLessThan(vias.indexOf('response_url'));
    expect(answer).toContain(`Trace ${session.traceId} 🟢 complete`);
    for (const { name, functionName } of MILESTONES) {
      expect(answer).toMatch(new RegExp(`${name} +${functionName}`));
    }
    expect(answer).toContain('Every expected milestone was logged');
  });

  it('shows the missing SAVED_IN_DATABASE, the save function and the exception with fault injection on', async () => {
    const current = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: FunctionNames.saveSession }),
    );
    const variables = current.Environment?.Variables ?? {};
    await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: FunctionNames.saveSession,
        Environment: { Variables: { ...variables, FAULT_SAVE_ERROR_RATE: '1' } },
      }),
    );
    try {
      const faulty = await createSession(t.stack, 'Doomed talk');
      await waitFor('the injected exception', async () => {
        const lines = jsonLines(await readEvents(t.logs, [FunctionNames.saveSession]));
        return lines.some((l) => l.line.traceId === faulty.traceId && l.line.exception) ? true : undefined;
      });

      const { answer } = await command('/trace', faulty.sessionId);

      expect(answer).toContain(`${faulty.traceId} 🔴 failed`);
      expect(answer).toMatch(/CREATE_REQUEST_RECEIVED +conference-create-session-lambda/);
      expect(answer).not.toMatch(/SAVED_IN_DATABASE +conference-save-session-dynamodb-lambda/);
      expect(answer).toContain(
        '*First missing milestone:* `SAVED_IN_DATABASE`, expected from `conference-save-session-dynamodb-lambda`',
      );
      expect(answer).toContain(
        '*Exception* in `conference-save-session-dynamodb-lambda`: *InjectedFaultError*',
      );
      expect(answer).toContain('Injected fault: save failed on purpose');
    } finally {
      // UpdateFunctionConfiguration replaces the variables: put the original set back.
      await lambda.send(
        new UpdateFunctionConfigurationCommand({
          FunctionName: FunctionNames.saveSession,
          Environment: { Variables: variables },
        }),
      );
    }
    const restored = await lambda.send(
      new GetFunctionConfigurationCommand({ FunctionName: FunctionNames.saveSession }),
    );
    expect(restored.Environment?.Variables?.FAULT_SAVE_ERROR_RATE).toBeUndefined();
  });

  it('answers /leadtime with the trace count and max lead time the logs give', async () => {
    const traces = milestonesByTrace(await readEvents(t.logs, serviceFunctions));
    const leadTimes = [...traces.values()].flatMap((m) => {
      const from = m.get('CREATE_REQUEST_RECEIVED');
      const to = m.get('SLACK_NOTIFICATION_NEW_SESSION_SENT');
      return from !== undefined && to !== undefined ? [to - from] : [];
    });

    const { answer } = await command('/leadtime', '1h');

    expect(leadTimes).toHaveLength(healthy.length);
    expect(answer).toContain(`*Traces*\\n${leadTimes.length}"`);
    expect(answer).toContain('*Never arrived*\\n1 ');
    const shown = /\*max\*\\n([\d.]+) (ms|s)"/.exec(answer);
    if (!shown?.[1]) throw new Error(`no max in ${answer}`);
    const unitMs = shown[2] === 's' ? 1000 : 1;
    const decimals = shown[1].split('.')[1]?.length ?? 0;
    // The view rounds to its last shown digit: the gap is at most half of it.
    const halfStepMs = (unitMs * 10 ** -decimals) / 2;
    expect(Math.abs(Number(shown[1]) * unitMs - Math.max(...leadTimes))).toBeLessThanOrEqual(
      halfStepMs + 1e-9,
    );
  });

  it('answers /cost with the invocations per function the REPORT lines give', async () => {
    const events = await readEvents(t.logs, serviceFunctions);
    const reports = reportLines(events);

    const { answer } = await command('/cost', '1h');

    const table = /```(function[^`]*)```/.exec(answer)?.[1]?.split('\\n') ?? [];
    const shownCalls = Object.fromEntries(
      table.slice(1).map((row) => {
        const [name, , , calls] = row.trim().split(/ +/);
        return [name, Number(calls)];
      }),
    );
    const expected = Object.fromEntries(
      serviceFunctions.flatMap((fn) => {
        const calls = reports.filter((r) => r.group === logGroupOf(fn)).length;
        return calls > 0 ? [[fn, calls]] : [];
      }),
    );
    expect(shownCalls).toEqual(expected);
    expect(expected[FunctionNames.createSession]).toBe(healthy.length + 1);
    // Nothing ran in the service meanwhile: the figures are those of the same lines.
    expect(reportLines(await readEvents(t.logs, serviceFunctions))).toHaveLength(reports.length);
  });

  it('refuses a forged signature with 401 and runs nothing', async () => {
    const before = await workerStarts();
    const forged = buildSlashCommandRequest({
      command: '/trace',
      text: healthy[0]?.sessionId ?? '',
      responseUrl: t.stack.slack.createResponseUrl(),
      signingSecret: 'not-the-signing-secret',
    });

    const result = await sendSignedRequest(t.stack.botUrl, forged);

    expect(result.status).toBe(401);
    // A valid command afterwards starts the worker once: had the forged one run, it would be twice.
    await command('/leadtime', '15m');
    expect(await workerStarts()).toBe(before + 1);
  });

  it('answers hostile /trace text with the usage and runs no query', async () => {
    const before = await workerStarts();
    const answersBefore = t.stack.slack.messages({ via: 'response_url' }).length;
    const hostile = [
      '"x" | stats count(*) by @logStream',
      `${healthy[0]?.sessionId}" or traceId="*`,
      'abc | filter 1=1',
      `${healthy[0]?.sessionId}\n| limit 10000`,
      `'; fields @message`,
      'a'.repeat(10 * 1024),
    ];

    for (const text of hostile) {
      const sent = await t.stack.slack.command('/trace', text);
      expect(sent.status).toBe(200);
      // mrkdwn: the placeholder is escaped so Slack does not read `<a|b>` as a link.
      expect(JSON.parse(sent.body).text).toContain('/trace &lt;sessionId|traceId|xrayTraceId&gt; [--share]');
    }

    // No answer arrived through response_url, and a valid command afterwards starts the worker once.
    expect(t.stack.slack.messages({ via: 'response_url' })).toHaveLength(answersBefore);
    await command('/leadtime', '15m');
    expect(await workerStarts()).toBe(before + 1);
  });
});
