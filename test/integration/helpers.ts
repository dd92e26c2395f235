import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  paginateFilterLogEvents,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { logGroupOf } from '../../src/conference-app/contract';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../src/local/stack';

/** Dummy credentials: the local endpoint accepts any signature. */
export const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
export const region = 'eu-west-1';

/** A stack on random ports with its own data folder, and a Logs client pointed at it. */
export interface TestStack {
  stack: LocalStack;
  logs: CloudWatchLogsClient;
  /** Epoch ms before the stack started: the start of every query window. */
  startedAt: number;
  close(): Promise<void>;
}

/**
 * Starts the whole local stack for one test file, with the bundles built before it returns;
 * `options` adds to (or overrides) the test defaults: random ports, own data folder, fast polling.
 */
export async function startTestStack(options: Partial<LocalStackOptions> = {}): Promise<TestStack> {
  const startedAt = Date.now() - 1000;
  const dataDir = await mkdtemp(join(tmpdir(), 'gumshoe-integration-'));
  const stack = await startLocalStack({
    ports: { aws: 0, conferenceApi: 0, slack: 0, bot: 0, standIns: 0 },
    dataDir,
    region,
    pollIntervalMs: 50,
    // The deployed 20 s batching window would make every alarm test wait 20 s.
    alarmBatchingWindowMs: 2000,
    ...options,
  });
  await stack.runner.ready();
  const logs = new CloudWatchLogsClient({ endpoint: stack.aws.url, region, credentials });
  return {
    stack,
    logs,
    startedAt,
    async close() {
      logs.destroy();
      await stack.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A valid session body, unique by subject. */
export function sessionBody(subject: string): Record<string, unknown> {
  return {
    subject,
    duration: 20,
    timestamp: String(Date.now()),
    speaker: {
      firstName: 'Ada',
      lastName: 'Lovelace',
      questionPhrase: 'What did the trace tell you?',
      company: { companyName: 'Analytical Engines', companyCity: 'London' },
    },
  };
}

/** POSTs a session to the conference API and returns its ids. */
export async function createSession(
  stack: LocalStack,
  subject: string,
): Promise<{ sessionId: string; traceId: string }> {
  const response = await fetch(`${stack.conferenceApi.url}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(sessionBody(subject)),
  });
  if (response.status !== 202) throw new Error(`POST /sessions answered ${response.status}`);
  return (await response.json()) as { sessionId: string; traceId: string };
}

/** One raw log event with its group. */
export interface RawEvent {
  group: string;
  timestamp: number;
  message: string;
}

/** Every event of the given functions' log groups, read with FilterLogEvents (paginated). */
export async function readEvents(logs: CloudWatchLogsClient, functionNames: string[]): Promise<RawEvent[]> {
  const events: RawEvent[] = [];
  for (const name of functionNames) {
    const group = logGroupOf(name);
    for await (const page of paginateFilterLogEvents({ client: logs }, { logGroupName: group })) {
      for (const e of page.events ?? []) {
        events.push({ group, timestamp: e.timestamp ?? 0, message: e.message ?? '' });
      }
    }
  }
  return events;
}

/** The JSON service lines among raw events (the others are START/END/REPORT and runtime lines). */
export function jsonLines(events: RawEvent[]): (RawEvent & { line: Record<string, unknown> })[] {
  return events.flatMap((e) => {
    if (!e.message.startsWith('{')) return [];
    try {
      return [{ ...e, line: JSON.parse(e.message) as Record<string, unknown> }];
    } catch {
      return [];
    }
  });
}

/** Milestone -> earliest event timestamp, per traceId. */
export function milestonesByTrace(events: RawEvent[]): Map<string, Map<string, number>> {
  const traces = new Map<string, Map<string, number>>();
  for (const { line, timestamp } of jsonLines(events)) {
    const { traceId, milestone } = line;
    if (typeof traceId !== 'string' || typeof milestone !== 'string') continue;
    const milestones = traces.get(traceId) ?? new Map<string, number>();
    milestones.set(milestone, Math.min(milestones.get(milestone) ?? Number.POSITIVE_INFINITY, timestamp));
    traces.set(traceId, milestones);
  }
  return traces;
}

/** The figures of one REPORT line. */
export interface ReportFigures {
  group: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
}

/** Parses the REPORT lines among raw events. */
export function reportLines(events: RawEvent[]): ReportFigures[] {
  return events.flatMap((e) => {
    if (!e.message.startsWith('REPORT RequestId:')) return [];
    const duration = /\tDuration: ([\d.]+) ms/.exec(e.message);
    const billed = /Billed Duration: (\d+) ms/.exec(e.message);
    const memory = /Memory Size: (\d+) MB/.exec(e.message);
    if (!duration?.[1] || !billed?.[1] || !memory?.[1])
      throw new Error(`unexpected REPORT line: ${e.message}`);
    return [
      {
        group: e.group,
        durationMs: Number(duration[1]),
        billedDurationMs: Number(billed[1]),
        memorySizeMb: Number(memory[1]),
      },
    ];
  });
}

/** Runs a Logs Insights query with the real SDK (StartQuery, then GetQueryResults until Complete). */
export async function runQuery(
  logs: CloudWatchLogsClient,
  logGroupNames: string[],
  queryString: string,
  startMs: number,
): Promise<Record<string, string>[]> {
  const { queryId } = await logs.send(
    new StartQueryCommand({
      logGroupNames,
      queryString,
      startTime: Math.floor(startMs / 1000),
      endTime: Math.ceil(Date.now() / 1000) + 60,
    }),
  );
  const results = await waitFor('query results', async () => {
    const answer = await logs.send(new GetQueryResultsCommand({ queryId }));
    if (answer.status === 'Failed' || answer.status === 'Cancelled' || answer.status === 'Timeout')
      throw new Error(`query ${answer.status}`);
    return answer.status === 'Complete' ? (answer.results ?? []) : undefined;
  });
  return results.map((row) =>
    Object.fromEntries(row.flatMap((cell) => (cell.field ? [[cell.field, cell.value ?? '']] : []))),
  );
}

/** Everything a Slack message shows, as one string (text and blocks). */
export function messageContent(message: { text: string; blocks: unknown[] }): string {
  return `${message.text}\n${JSON.stringify(message.blocks)}`;
}

/** Sends a slash command from the local Slack and waits for the worker's answer (the first response_url message after it). */
export async function commandAnswer(
  t: TestStack,
  name: string,
  text: string,
  timeoutMs = 20_000,
): Promise<string> {
  const before = t.stack.slack.messages({ via: 'response_url' }).length;
  const sent = await t.stack.slack.command(name, text);
  if (sent.status !== 200) throw new Error(`${name} ${text}: HTTP ${sent.status} ${sent.body}`);
  const answer = await waitFor(
    `the answer to ${name} ${text}`,
    () => t.stack.slack.messages({ via: 'response_url' }).slice(before)[0],
    timeoutMs,
  );
  return messageContent(answer);
}
