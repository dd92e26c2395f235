/**
 * /trace benchmark: the time from the worker taking a /trace command to its finished answer (the
 * use case's queries through the real CloudWatch Logs client against the local endpoint, then the
 * Block Kit view), with 1,000,000 events in the service's log groups; beside the seed's manual way,
 * its three queries run one after another through the same client. Median and p90 of 20 runs,
 * bytes scanned beside each. Without a config, /trace also learns the flow from the day's logs:
 * measured learning on every answer (5 runs) and with the worker's cache (20 runs, the first pays).
 * Run with `npm run bench:trace` (TRACE_BENCH_EVENTS to shrink it).
 */

import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchLogSearch } from '../src/aws/cloudwatch-log-search';
import { readFlowConfigFile } from '../src/bot/flow-config-file';
import { type InvestigationConfig, investigationConfig } from '../src/commands/config';
import { cachedFlowLearner, type FlowLearner } from '../src/commands/flows/learned-flows';
import type { LogSearchResult } from '../src/commands/ports';
import { investigateTrace } from '../src/commands/trace/trace-session';
import { traceMessage } from '../src/commands/trace/trace-view';
import { FunctionNames, logGroupOf, MILESTONES } from '../src/conference-app/contract';
import { startLocalAws } from '../src/local/aws';
import { formatMs, median, percentile } from './lib/stats';

const TOTAL_EVENTS = Number(process.env.TRACE_BENCH_EVENTS ?? 1_000_000);
const RUNS = 20;
const LINES_PER_TRACE = 10; // 4 milestones, 3 other lines, 3 REPORT lines
const NOW = Date.now();
const SPAN_MS = 24 * 3_600_000; // the events spread over the last day

const FNS = Object.values(FunctionNames);

/** Loads the data set in-process (the bench measures queries, not ingestion) and returns a session id per trace. */
function load(
  append: (group: string, stream: string, events: { timestamp: number; message: string }[]) => void,
) {
  const traces = Math.floor(TOTAL_EVENTS / LINES_PER_TRACE);
  const byGroup = new Map<string, { timestamp: number; message: string }[]>(
    FNS.map((fn) => [logGroupOf(fn), []]),
  );
  const sessions: string[] = [];
  for (let i = 0; i < traces; i++) {
    const t0 = NOW - SPAN_MS + Math.floor((i * SPAN_MS) / traces);
    const traceId = randomUUID();
    const sessionId = randomUUID();
    sessions.push(sessionId);
    const line = (fn: string, dt: number, extra: Record<string, unknown>) =>
      byGroup.get(logGroupOf(fn))?.push({
        timestamp: t0 + dt,
        message: JSON.stringify({
          timestamp: new Date(t0 + dt).toISOString(),
          level: 'INFO',
          message: 'step',
          functionName: fn,
          AWSRequestId: randomUUID(),
          traceId,
          sessionId,
          ...extra,
        }),
      });
    MILESTONES.forEach((m, k) => {
      line(m.functionName, k * 300, { milestone: m.name });
    });
    line(FunctionNames.createSession, 50, { message: 'validated' });
    line(FunctionNames.saveSession, 350, { message: 'put item' });
    line(FunctionNames.listSessions, 10, { message: 'listed', traceId: randomUUID() });
    for (const [k, fn] of [
      FunctionNames.createSession,
      FunctionNames.saveSession,
      FunctionNames.forwardSession,
    ].entries())
      byGroup.get(logGroupOf(fn))?.push({
        timestamp: t0 + 100 + k * 300,
        message: `REPORT RequestId: ${randomUUID()}\tDuration: 81.20 ms\tBilled Duration: 82 ms\tMemory Size: 256 MB\tMax Memory Used: 80 MB`,
      });
  }
  for (const [group, events] of byGroup) {
    events.sort((a, b) => a.timestamp - b.timestamp);
    for (let i = 0; i < events.length; i += 10_000)
      append(group, '2026/12/04/[$LATEST]bench', events.slice(i, i + 10_000));
  }
  return sessions;
}

const seedQueries = (sessionId: string, traceId: string) => [
  `fields traceId\n| filter sessionId="${sessionId}"\n| limit 1`,
  `fields milestone, functionName, timestamp\n| filter traceId="${traceId}" and ispresent(milestone)\n| sort timestamp asc`,
  `fields exception, traceId, functionName\n| filter traceId="${traceId}"\n| limit 1`,
];

async function main() {
  const aws = await startLocalAws({ port: 0 });
  const client = new CloudWatchLogsClient({
    endpoint: aws.url,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const loadStart = performance.now();
    const sessions = load((g, s, e) => aws.logs.append(g, s, e));
    console.log(
      `loaded ${TOTAL_EVENTS.toLocaleString('en')} events in ${formatMs(performance.now() - loadStart)}`,
    );
    const logs = new CloudWatchLogSearch(client, { deadlineMs: 120_000 });
    // The bot's settings for the conference service: its example flow config and five log groups.
    const flows = readFlowConfigFile('examples/conference.gumshoe.yaml');
    const config = investigationConfig({
      region: 'eu-west-1',
      logGroupNames: [...flows.logGroups.names],
      flows,
    });
    const clock = { now: () => new Date() };
    const ours: number[] = [];
    const seed: number[] = [];
    let oursBytes = 0;
    let seedBytes = 0;
    for (let r = 0; r < RUNS; r++) {
      // A different session each run, spread over the day, so no run reads a warm result.
      const sessionId = sessions[Math.floor(((r + 0.5) * sessions.length) / RUNS)] ?? '';
      const t0 = performance.now();
      const report = await investigateTrace({ id: sessionId }, { logs, clock }, config);
      traceMessage(report);
      ours.push(performance.now() - t0);
      oursBytes = report.scan.bytesScanned;
      if (report.kind !== 'found') throw new Error(`bench trace not found: ${sessionId}`);

      const s0 = performance.now();
      let bytes = 0;
      for (const queryString of seedQueries(sessionId, report.traceId)) {
        const result: LogSearchResult = await logs.run({
          queryString,
          logGroupNames: config.logGroupNames,
          startTime: new Date(NOW - config.traceLookbackMs),
          endTime: new Date(),
        });
        bytes += result.statistics.bytesScanned;
      }
      seed.push(performance.now() - s0);
      seedBytes = bytes;
    }
    // No config: the same groups, the flow learned (on every answer, or once per cache TTL).
    const bare = investigationConfig({ region: 'eu-west-1', logGroupNames: [...flows.logGroups.names] });
    const learning = async (runs: number, learner: FlowLearner | undefined, cfg: InvestigationConfig) => {
      const samples: number[] = [];
      let bytes = 0;
      for (let r = 0; r < runs; r++) {
        const sessionId = sessions[Math.floor(((r + 0.5) * sessions.length) / runs)] ?? '';
        const t0 = performance.now();
        const report = await investigateTrace({ id: sessionId }, { logs, clock, learner }, cfg);
        traceMessage(report);
        samples.push(performance.now() - t0);
        if (report.kind !== 'found' || report.learned?.outcome !== 'flow')
          throw new Error(`bench trace not judged by a learned flow: ${sessionId}`);
        bytes = Math.max(bytes, report.scan.bytesScanned);
      }
      return [samples, bytes] as const;
    };
    const [uncached, uncachedBytes] = await learning(5, undefined, bare);
    const [cached, cachedBytes] = await learning(RUNS, cachedFlowLearner(), bare);
    const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
    const rows = [
      ['/trace (worker: queries + answer)', ours, oursBytes],
      ["seed's three queries, one after another", seed, seedBytes],
      ['/trace without a config, learning every time (5 runs)', uncached, uncachedBytes],
      ['/trace without a config, cached learning (first run learns)', cached, cachedBytes],
    ] as const;
    console.log(
      `\n/trace over ${TOTAL_EVENTS.toLocaleString('en')} events, ${RUNS} runs, load ${loadavg()[0]?.toFixed(1)}`,
    );
    console.log('| way | median | p90 | bytes scanned per answer (max) |');
    console.log('|---|---|---|---|');
    for (const [name, samples, bytes] of rows)
      console.log(
        `| ${name} | ${formatMs(median(samples))} | ${formatMs(percentile(samples, 90))} | ${mb(bytes)} |`,
      );
    console.log(
      `\nratio (seed / ours, medians): ${(median(seed) / median(ours)).toFixed(2)}×; target: answer ≤ 2 s after the ack`,
    );
  } finally {
    client.destroy();
    await aws.close();
  }
}

await main();
