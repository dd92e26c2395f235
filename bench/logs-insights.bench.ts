/**
 * Logs Insights engine benchmark: the seed's lead-time query over 1,000,000 service log events,
 * our engine (streaming the NDJSON file) beside jq doing the same aggregation, plus peak RSS at
 * 250k / 500k / 1M events. Run with `npm run bench:logs-insights`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredLogEvent } from '../src/local/logs/log-event';
import { compileInsightsQuery } from '../src/local/logs-insights';

// Override for a quick try: LOGS_INSIGHTS_BENCH_EVENTS=100000 (a multiple of 10).
const TOTAL_EVENTS = Number(process.env.LOGS_INSIGHTS_BENCH_EVENTS ?? 1_000_000);
const LINES_PER_TRACE = 10; // 4 milestones, 3 noise lines, 3 REPORT lines
const RUNS = 3;
const START = Date.parse('2024-03-01T00:00:00.000Z');

const LEAD_TIME_QUERY = `fields @timestamp, @message
| filter  milestone="CREATE_REQUEST_RECEIVED" or milestone="SLACK_NOTIFICATION_NEW_SESSION_SENT"
| stats (latest(@timestamp) - earliest(@timestamp))/1000 as LeadTimeInSeconds by traceId
| filter LeadTimeInSeconds!=0
| sort LeadTimeInSeconds desc
| limit 20`;

// Idiomatic jq: collect the milestone times, group by trace (an object updated per event copies itself in jq).
// One group whatever the data size: shows memory independent of the number of events.
const COST_QUERY = `filter @type = "REPORT"
| fields @memorySize/1000000 as MemorySetInMB, @billedDuration/1000*MemorySetInMB/1024 as BilledDurationInGBSeconds, @logStream
| stats sum(BilledDurationInGBSeconds) as TotalBilledDurationInGBSeconds, sum(BilledDurationInGBSeconds) * 0.00001667 as TotalCostInDollar`;

const JQ_PROGRAM = `
def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);
[inputs | objects
 | select(.milestone == "CREATE_REQUEST_RECEIVED" or .milestone == "SLACK_NOTIFICATION_NEW_SESSION_SENT")
 | {traceId, t: (.timestamp | ms)}]
| group_by(.traceId)
| map({traceId: .[0].traceId, lead: (((map(.t) | max) - (map(.t) | min)) / 1000)})
| map(select(.lead != 0))
| sort_by(-.lead)
| .[:20]`;

interface Top {
  traceId: string;
  lead: number;
}

/** Writes the data set: service JSON lines, and Lambda REPORT lines stored as JSON strings. */
export function generate(path: string): void {
  const fd = openSync(path, 'w');
  const functions = [
    'conference-create-session',
    'conference-save-session-dynamodb-lambda',
    'conference-notify-new-session',
    'conference-forward-session',
  ];
  const milestones = [
    'CREATE_REQUEST_RECEIVED',
    'SAVED_IN_DATABASE',
    'SLACK_NOTIFICATION_NEW_SESSION_SENT',
    'SESSION_FORWARDED',
  ];
  const traces = TOTAL_EVENTS / LINES_PER_TRACE;
  let buffer: string[] = [];
  for (let i = 0; i < traces; i++) {
    const traceId = randomUUID();
    const sessionId = randomUUID();
    const t0 = START + i * 1_000;
    // Distinct lead times (7919 is coprime with 100,000), so the top 20 has no ties to order differently.
    const lead = 500 + ((i * 7919) % 100_000);
    const times = [t0, t0 + Math.floor(lead / 3), t0 + lead, t0 + Math.floor(lead / 2)];
    for (let m = 0; m < 4; m++) {
      const requestId = randomUUID();
      const line = (t: number, message: string, extra: Record<string, string>) =>
        JSON.stringify({
          timestamp: new Date(t).toISOString(),
          level: 'INFO',
          message,
          functionName: functions[m],
          AWSRequestId: requestId,
          traceId,
          sessionId,
          ...extra,
        });
      buffer.push(
        line(times[m] as number, `milestone ${milestones[m]}`, { milestone: milestones[m] as string }),
      );
      if (m < 3) {
        buffer.push(line((times[m] as number) + 1, 'processing the session', {}));
        buffer.push(
          JSON.stringify(
            `REPORT RequestId: ${requestId}\tDuration: ${(20 + (i % 50) + m).toFixed(2)} ms\tBilled Duration: ${21 + (i % 50) + m} ms\tMemory Size: 512 MB\tMax Memory Used: ${70 + (i % 9)} MB\t`,
          ),
        );
      }
    }
    if (buffer.length >= 50_000) {
      writeSync(fd, `${buffer.join('\n')}\n`);
      buffer = [];
    }
  }
  if (buffer.length > 0) writeSync(fd, `${buffer.join('\n')}\n`);
  closeSync(fd);
}

let cachedSecond = '';
let cachedSecondMs = 0;

/** `2024-03-01T00:00:00.123Z` → epoch ms; Date.parse only once per second of log time. */
function parseIsoMs(line: string, at: number): number {
  const second = line.slice(at, at + 19);
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedSecondMs = Date.parse(`${second}Z`);
  }
  // Inline digit reads: a closure per line costs more than the parse here.
  return (
    cachedSecondMs +
    (line.charCodeAt(at + 20) - 48) * 100 +
    (line.charCodeAt(at + 21) - 48) * 10 +
    (line.charCodeAt(at + 22) - 48)
  );
}

/**
 * Streams the file as events, one line at a time. A service line's event time is its `timestamp`;
 * a REPORT line (a JSON string) takes the time of the line before it, as Lambda writes it right after.
 */
export function* readEvents(path: string, maxEvents: number): Generator<StoredLogEvent> {
  const fd = openSync(path, 'r');
  const chunk = Buffer.alloc(4 * 1024 * 1024);
  // Split on newline bytes in the Buffer and decode line by line: no big string to concatenate or slice.
  let carry = Buffer.alloc(0);
  let count = 0;
  let lastTime = START;
  try {
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      const buf =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(10, start);
        if (nl < 0) break;
        const line = buf.toString('utf8', start, nl);
        start = nl + 1;
        let message = line;
        if (line.charCodeAt(0) === 34) {
          message = JSON.parse(line) as string;
        } else {
          const at = line.indexOf('"timestamp":"');
          if (at >= 0) lastTime = parseIsoMs(line, at + 13);
        }
        yield {
          logGroupName: '/aws/lambda/conference',
          logStreamName: 'stream',
          timestamp: lastTime,
          ingestionTime: lastTime + 50,
          message,
          eventId: String(count),
        };
        if (++count >= maxEvents) return;
      }
      carry = Buffer.from(buf.subarray(start));
    }
  } finally {
    closeSync(fd);
  }
}

function runOurs(
  path: string,
  maxEvents: number,
  queryString = LEAD_TIME_QUERY,
): { ms: number; top: Top[]; scanned: number } {
  const started = performance.now();
  const query = compileInsightsQuery(queryString);
  const result = query.run(readEvents(path, maxEvents), {
    startTimeMs: 0,
    endTimeMs: Number.MAX_SAFE_INTEGER,
  });
  const ms = performance.now() - started;
  const top = result.results.map((row) => {
    const get = (f: string) => row.find((x) => x.field === f)?.value ?? '';
    return { traceId: get('traceId'), lead: Number(get('LeadTimeInSeconds')) };
  });
  return { ms, top, scanned: result.statistics.recordsScanned };
}

function runJq(path: string): { ms: number; top: Top[] } {
  const started = performance.now();
  const out = execFileSync('jq', ['-c', '-n', JQ_PROGRAM, path], { maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  return { ms, top: JSON.parse(out.toString()) as Top[] };
}

function ensureJq(): boolean {
  if (spawnSync('jq', ['--version']).status === 0) return true;
  console.log('jq not found; trying `apt-get install -y jq` ...');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const cmd = (args: string[]) => {
    const full = [...sudo, ...args];
    spawnSync(full[0] as string, full.slice(1), { stdio: 'inherit' });
  };
  cmd(['apt-get', 'install', '-y', 'jq']);
  if (spawnSync('jq', ['--version']).status === 0) return true;
  cmd(['apt-get', 'update']);
  cmd(['apt-get', 'install', '-y', 'jq']);
  if (spawnSync('jq', ['--version']).status === 0) return true;
  console.log(
    'Could not install jq. Install it yourself (Debian/Ubuntu: sudo apt-get install -y jq; macOS: brew install jq).',
  );
  return false;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const rate = (events: number, ms: number) =>
  `${Math.round(events / (ms / 1000)).toLocaleString('en-US')} events/s`;

/** Child mode: run over the first N events and report peak RSS, so each size is measured fresh. */
function child(path: string, n: number, which: string): void {
  const { ms, scanned } = runOurs(path, n, which === 'cost' ? COST_QUERY : LEAD_TIME_QUERY);
  console.log(JSON.stringify({ ms, scanned, maxRssKb: process.resourceUsage().maxRSS }));
}

function main(): void {
  const path = join(tmpdir(), `gumshoe-logs-insights-bench-${process.pid}.ndjson`);
  const benchStarted = performance.now();
  try {
    const t = performance.now();
    generate(path);
    console.log(
      `generated ${TOTAL_EVENTS.toLocaleString('en-US')} events in ${Math.round(performance.now() - t)} ms → ${path}`,
    );

    const ours: number[] = [];
    let oursTop: Top[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = runOurs(path, TOTAL_EVENTS);
      if (r.scanned !== TOTAL_EVENTS)
        throw new Error(`scanned ${r.scanned} events, expected ${TOTAL_EVENTS}`);
      ours.push(r.ms);
      oursTop = r.top;
    }
    const haveJq = ensureJq();
    const jq: number[] = [];
    let jqTop: Top[] = [];
    if (haveJq) {
      for (let i = 0; i < RUNS; i++) {
        const r = runJq(path);
        jq.push(r.ms);
        jqTop = r.top;
      }
    }

    console.log(`\nlead-time query, ${TOTAL_EVENTS.toLocaleString('en-US')} events, median of ${RUNS} runs`);
    console.log(
      `  ours: ${Math.round(median(ours))} ms  (${rate(TOTAL_EVENTS, median(ours))})  runs: ${ours.map(Math.round).join(', ')} ms`,
    );
    if (haveJq) {
      console.log(
        `  jq:   ${Math.round(median(jq))} ms  (${rate(TOTAL_EVENTS, median(jq))})  runs: ${jq.map(Math.round).join(', ')} ms`,
      );
      const ratio = median(jq) / median(ours);
      console.log(
        `  ratio: ours is ${ratio.toFixed(1)}× jq (target ≥ 10×: ${ratio >= 10 ? 'met' : 'NOT met'})`,
      );
      const same =
        oursTop.length === 20 &&
        jqTop.length === 20 &&
        oursTop.every(
          (row, i) => row.traceId === jqTop[i]?.traceId && Math.abs(row.lead - (jqTop[i]?.lead ?? -1)) < 1e-9,
        );
      console.log(
        `  same top-20 answer: ${same ? 'yes' : 'NO'} (first: ${oursTop[0]?.traceId} ${oursTop[0]?.lead} s)`,
      );
      if (!same) process.exitCode = 1;
    }

    console.log('\npeak RSS of a fresh process running the engine over the first N events');
    console.log('  (lead time: one group per trace, so groups grow with the data; cost: one group)');
    const self = fileURLToPath(import.meta.url);
    const rss = (n: number, which: string): string => {
      const out = spawnSync(
        process.execPath,
        [...process.execArgv, self, '--child', path, String(n), which],
        {
          encoding: 'utf8',
        },
      );
      if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`);
      const { maxRssKb } = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as { maxRssKb: number };
      return `${(maxRssKb / 1024).toFixed(0)} MB`;
    };
    for (const n of [0, TOTAL_EVENTS / 4, TOTAL_EVENTS / 2, TOTAL_EVENTS]) {
      console.log(
        `  ${n.toLocaleString('en-US').padStart(9)} events: lead time ${rss(n, 'lead')}, cost ${rss(n, 'cost')}`,
      );
    }
    console.log(`\ntotal bench time ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(path, { force: true });
  }
}

const args = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (args[0] === '--child') child(args[1] as string, Number(args[2]), args[3] ?? 'lead');
  else main();
}
