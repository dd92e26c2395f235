/**
 * Logs Insights engine benchmark: the seed's lead-time query over 1,000,000 service log events,
 * our engine (reading the NDJSON file in large chunks) beside jq doing the same aggregation, plus
 * peak RSS at 250k / 500k / 1M events. Run with `npm run bench:logs-insights`.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredLogEvent } from '../src/local/logs/log-event';
import { compileInsightsQuery, type RawEventBatch } from '../src/local/logs-insights';
import { SEED_QUERIES } from '../test/fixtures/seed-queries';

// Override for a quick try: LOGS_INSIGHTS_BENCH_EVENTS=100000 (a multiple of 40).
const TOTAL_EVENTS = Number(process.env.LOGS_INSIGHTS_BENCH_EVENTS ?? 1_000_000);
const LINES_PER_TRACE = 10; // 4 milestones, 3 noise lines, 3 REPORT lines
const RUNS = 3;
const START = Date.parse('2024-03-01T00:00:00.000Z');
// The fixed-groups data set for the memory figures: this many traces at every size.
const FIXED_TRACES = 10_000;

const JQ_MS = 'def ms: (.[0:19] + "Z" | fromdateiso8601) * 1000 + (.[20:23] | tonumber);';
const JQ_MILESTONES =
  'select(.milestone == "CREATE_REQUEST_RECEIVED" or .milestone == "SLACK_NOTIFICATION_NEW_SESSION_SENT")';

/**
 * Two ordinary ways to write the aggregation in jq; the bench times both on the full file and uses
 * the faster, so the ratio is not inflated by a slow jq program. Both parse every line, as jq must.
 */
const JQ_PROGRAMS: Record<string, string> = {
  // Streaming: one [earliest, latest] pair per trace. ISO-8601 strings of one format order like
  // their times, so only the two ends of each trace are converted to numbers. Read-then-assign:
  // `.[$k] |= …` is about 20× slower in jq 1.6.
  reduce: `${JQ_MS}
reduce (inputs | objects | ${JQ_MILESTONES}) as $e ({};
  .[$e.traceId] as $g
  | .[$e.traceId] = (if $g == null then [$e.timestamp, $e.timestamp]
      else [(if $e.timestamp < $g[0] then $e.timestamp else $g[0] end),
            (if $e.timestamp > $g[1] then $e.timestamp else $g[1] end)] end))
| [to_entries[] | {traceId: .key, lead: (((.value[1] | ms) - (.value[0] | ms)) / 1000)} | select(.lead != 0)]
| sort_by(-.lead) | .[:20]`,
  // Collect, then group_by (sorts all matched events).
  group_by: `${JQ_MS}
[inputs | objects | ${JQ_MILESTONES} | {traceId, t: (.timestamp | ms)}]
| group_by(.traceId)
| map({traceId: .[0].traceId, lead: (((map(.t) | max) - (map(.t) | min)) / 1000)})
| map(select(.lead != 0))
| sort_by(-.lead)
| .[:20]`,
};

interface Top {
  traceId: string;
  lead: number;
}

/**
 * Writes the data set: service JSON lines, and Lambda REPORT lines stored as JSON strings.
 * Ten lines per trace visit; with `traceCount` the visits cycle over that many trace ids, so the
 * number of groups stays fixed however many events there are.
 */
export function generate(path: string, total: number, traceCount = total / LINES_PER_TRACE): void {
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
  const visits = total / LINES_PER_TRACE;
  const traceIds = Array.from({ length: traceCount }, () => randomUUID());
  let buffer: string[] = [];
  for (let i = 0; i < visits; i++) {
    const traceId = traceIds[i % traceCount] as string;
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

const GROUP = '/aws/lambda/conference';
const TIMESTAMP_KEY = Buffer.from('"timestamp":"');

let cachedDay = -1;
let nextEscape = -2; // see decodedSize; -2: not searched in this buffer yet
let cachedDayMs = 0;

/** `2024-03-01T00:00:00.123Z` at `at` in the buffer → epoch ms, read from the digits. */
function isoMsAt(b: Buffer, at: number): number {
  // Digit reads inline, and Date.UTC once per day: both showed up in the profile.
  const year =
    ((b[at] as number) - 48) * 1000 +
    ((b[at + 1] as number) - 48) * 100 +
    ((b[at + 2] as number) - 48) * 10 +
    ((b[at + 3] as number) - 48);
  const month = ((b[at + 5] as number) - 48) * 10 + ((b[at + 6] as number) - 48);
  const day = ((b[at + 8] as number) - 48) * 10 + ((b[at + 9] as number) - 48);
  const key = year * 10_000 + month * 100 + day;
  if (key !== cachedDay) {
    cachedDay = key;
    cachedDayMs = Date.UTC(year, month - 1, day);
  }
  return (
    cachedDayMs +
    (((b[at + 11] as number) - 48) * 10 + ((b[at + 12] as number) - 48)) * 3_600_000 +
    (((b[at + 14] as number) - 48) * 10 + ((b[at + 15] as number) - 48)) * 60_000 +
    (((b[at + 17] as number) - 48) * 10 + ((b[at + 18] as number) - 48)) * 1_000 +
    ((b[at + 20] as number) - 48) * 100 +
    ((b[at + 21] as number) - 48) * 10 +
    ((b[at + 22] as number) - 48)
  );
}

/** Whether the line at `pos` starts with `{"timestamp":"`, as the service's lines do (no search needed). */
function startsWithTimestamp(b: Buffer, pos: number): boolean {
  for (let i = 0; i < TIMESTAMP_KEY.length; i++) {
    if (b[pos + 1 + i] !== TIMESTAMP_KEY[i]) return false;
  }
  return true;
}

/**
 * UTF-8 size of the string a JSON string literal at [start, end) decodes to, without decoding it.
 * Only escapes change the size, so it jumps from backslash to backslash (`nextEscape` holds the
 * next one in the buffer, -1 when there is none left, so the buffer is searched once).
 */
function decodedSize(b: Buffer, start: number, end: number): number {
  let n = end - start - 2;
  let i = nextEscape;
  if (i !== -1 && i <= start) i = b.indexOf(92, start + 1);
  while (i >= 0 && i < end - 1) {
    if (b[i + 1] !== 117) {
      n -= 1; // \n, \t, \" …: two bytes for one
      i = b.indexOf(92, i + 2);
      continue;
    }
    const unit = Number.parseInt(b.toString('latin1', i + 2, i + 6), 16);
    if (unit >= 0xd800 && unit < 0xdc00 && b[i + 6] === 92 && b[i + 7] === 117) {
      n -= 12 - 4; // a surrogate pair is one 4-byte character
      i = b.indexOf(92, i + 12);
      continue;
    }
    n -= 6 - (unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3);
    i = b.indexOf(92, i + 6);
  }
  nextEscape = i;
  return n;
}

/**
 * Reads the file in 4 MB chunks and hands the engine one batch per chunk: line offsets found on
 * newline bytes, each line's time read from its bytes. A line becomes a string and an event object
 * only when the engine asks (its prefilter matched). A service line's time is its `timestamp`; a
 * REPORT line (a JSON string) takes the time of the line before it, as Lambda writes it right after.
 */
export function* readBatches(path: string, maxEvents: number): Generator<RawEventBatch> {
  const fd = openSync(path, 'r');
  const CHUNK = 4 * 1024 * 1024;
  let buffer = Buffer.allocUnsafe(CHUNK * 2);
  let capacity = 32_768;
  let timestamps = new Float64Array(capacity);
  let messageBytes = new Int32Array(capacity);
  let starts = new Int32Array(capacity);
  let ends = new Int32Array(capacity);
  let carry = 0; // bytes of a partial last line kept at the front of the buffer
  let count = 0;
  let lastTime = START;
  try {
    for (;;) {
      if (buffer.length - carry < CHUNK) {
        // A line longer than a chunk: grow, keeping the partial line.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, carry);
        buffer = bigger;
      }
      const read = readSync(fd, buffer, carry, CHUNK, null);
      nextEscape = -2;
      const size = carry + read;
      let n = 0;
      let pos = 0;
      let tsAt = -2; // next `"timestamp":"` at or after pos; -1 when there is none left
      while (count + n < maxEvents) {
        let nl = buffer.indexOf(10, pos);
        if (nl < 0 || nl >= size) {
          if (read > 0 || pos >= size) break;
          nl = size; // the last line of the file has no newline
        }
        if (nl === pos) {
          pos = nl + 1;
          continue;
        }
        if (n === capacity) {
          capacity *= 2;
          const grow = <T extends Float64Array | Int32Array>(a: T, b: T): T => {
            b.set(a);
            return b;
          };
          timestamps = grow(timestamps, new Float64Array(capacity));
          messageBytes = grow(messageBytes, new Int32Array(capacity));
          starts = grow(starts, new Int32Array(capacity));
          ends = grow(ends, new Int32Array(capacity));
        }
        if (buffer[pos] === 34) {
          messageBytes[n] = decodedSize(buffer, pos, nl);
        } else {
          messageBytes[n] = nl - pos;
          if (startsWithTimestamp(buffer, pos)) {
            lastTime = isoMsAt(buffer, pos + 1 + TIMESTAMP_KEY.length);
          } else {
            if (tsAt !== -1 && tsAt < pos) tsAt = buffer.indexOf(TIMESTAMP_KEY, pos);
            if (tsAt >= 0 && tsAt < nl) lastTime = isoMsAt(buffer, tsAt + TIMESTAMP_KEY.length);
          }
        }
        timestamps[n] = lastTime;
        starts[n] = pos;
        ends[n] = nl;
        n++;
        pos = nl + 1;
      }
      const b = buffer;
      const first = count;
      const ts = timestamps;
      const st = starts;
      const en = ends;
      yield {
        count: n,
        timestamps: ts,
        messageBytes,
        buffer: b,
        starts: st,
        ends: en,
        event: (i: number): StoredLogEvent => {
          const s = st[i] as number;
          const text = b.toString('utf8', s, en[i]);
          const t = ts[i] as number;
          return {
            logGroupName: GROUP,
            logStreamName: 'stream',
            timestamp: t,
            ingestionTime: t + 50,
            message: b[s] === 34 ? (JSON.parse(text) as string) : text,
            eventId: String(first + i),
          };
        },
      };
      count += n;
      if (read === 0 || count >= maxEvents) return;
      // The engine is done with this batch (it asks for events while it runs): reuse the buffer.
      carry = size - pos;
      buffer.copy(buffer, 0, pos, size);
    }
  } finally {
    closeSync(fd);
  }
}

/** The same events as objects, one line at a time: the `run(Iterable<StoredLogEvent>)` path. */
export function* readEvents(path: string, maxEvents: number): Generator<StoredLogEvent> {
  for (const batch of readBatches(path, maxEvents)) {
    for (let i = 0; i < batch.count; i++) yield batch.event(i);
  }
}

type Path = 'batches' | 'events';

function runOurs(path: string, maxEvents: number, via: Path = 'batches'): Timed & { scanned: number } {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const query = compileInsightsQuery(SEED_QUERIES.leadTime);
  const options = { startTimeMs: 0, endTimeMs: Number.MAX_SAFE_INTEGER };
  const result =
    via === 'batches'
      ? query.runBatches(readBatches(path, maxEvents), options)
      : query.run(readEvents(path, maxEvents), options);
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const top = result.results.map((row) => {
    const get = (f: string) => row.find((x) => x.field === f)?.value ?? '';
    return { traceId: get('traceId'), lead: Number(get('LeadTimeInSeconds')) };
  });
  return { ms, cpuMs, top, scanned: result.statistics.recordsScanned };
}

interface Timed {
  /** Wall-clock time. */
  ms: number;
  /** User + system CPU time (NaN if unknown): less sensitive than wall time to a busy machine. */
  cpuMs: number;
  top: Top[];
}

const GNU_TIME = '/usr/bin/time';

function runJq(path: string, program: string): Timed {
  const jqArgs = ['-c', '-n', program, path];
  const timed = existsSync(GNU_TIME);
  const started = performance.now();
  // GNU time reports jq's own CPU seconds on stderr after jq's output.
  const out = timed
    ? spawnSync(GNU_TIME, ['-f', '%U %S', 'jq', ...jqArgs], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' })
    : spawnSync('jq', jqArgs, { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
  const ms = performance.now() - started;
  if (out.status !== 0) throw new Error(`jq failed: ${out.stderr}`);
  const [user, sys] = (out.stderr.trim().split('\n').pop() ?? '').split(' ').map(Number);
  const cpuMs = timed ? ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000 : Number.NaN;
  return { ms, cpuMs, top: JSON.parse(out.stdout) as Top[] };
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
const sameTop = (a: Top[], b: Top[]) =>
  a.length === 20 &&
  b.length === 20 &&
  a.every((row, i) => row.traceId === b[i]?.traceId && Math.abs(row.lead - (b[i]?.lead ?? -1)) < 1e-9);
const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');

/** Child mode: run over the first N events and report peak RSS, so each size is measured fresh. */
function child(path: string, n: number): void {
  const { ms, scanned } = runOurs(path, n);
  console.log(JSON.stringify({ ms, scanned, maxRssKb: process.resourceUsage().maxRSS }));
}

function main(): void {
  const path = join(tmpdir(), `gumshoe-logs-insights-bench-${process.pid}.ndjson`);
  const fixed = join(tmpdir(), `gumshoe-logs-insights-bench-${process.pid}-fixed.ndjson`);
  const benchStarted = performance.now();
  try {
    console.log(`load average at start: ${load()} (${'1, 5, 15 min'})`);
    const t = performance.now();
    generate(path, TOTAL_EVENTS);
    console.log(
      `generated ${TOTAL_EVENTS.toLocaleString('en-US')} events (${(TOTAL_EVENTS / LINES_PER_TRACE).toLocaleString('en-US')} traces) in ${Math.round(performance.now() - t)} ms → ${path}`,
    );

    // Interleaved (ours, jq, ours, jq ...), so a load change on the shared machine hits both sides.
    // The first round runs every jq program once on the full file; the faster one goes on.
    const haveJq = ensureJq();
    const ours: Timed[] = [];
    let jq: Timed[] = [];
    let jqName = '';
    const oursRun = () => {
      const r = runOurs(path, TOTAL_EVENTS);
      if (r.scanned !== TOTAL_EVENTS)
        throw new Error(`scanned ${r.scanned} events, expected ${TOTAL_EVENTS}`);
      ours.push(r);
    };
    oursRun();
    if (haveJq) {
      const trial = Object.entries(JQ_PROGRAMS).map(([name, program]) => ({ name, r: runJq(path, program) }));
      trial.sort((a, b) => a.r.ms - b.r.ms);
      const best = trial[0] as (typeof trial)[number];
      jqName = best.name;
      jq = [best.r];
      console.log(
        `jq programs, one run each: ${trial.map((x) => `${x.name} ${Math.round(x.r.ms)} ms${sameTop(x.r.top, ours[0]?.top ?? []) ? '' : ' (DIFFERENT ANSWER)'}`).join(', ')} → using ${jqName}`,
      );
    }
    for (let i = 1; i < RUNS; i++) {
      oursRun();
      if (haveJq) jq.push(runJq(path, JQ_PROGRAMS[jqName] as string));
    }
    const oursTop = ours.at(-1)?.top ?? [];
    // Once, for reference: the same engine through run() over event objects built from every line.
    const viaEvents = runOurs(path, TOTAL_EVENTS, 'events');
    if (!sameTop(viaEvents.top, oursTop)) {
      console.log('run() and runBatches() disagree');
      process.exitCode = 1;
    }

    const show = (label: string, runs: Timed[]) => {
      const wall = median(runs.map((r) => r.ms));
      const cpu = median(runs.map((r) => r.cpuMs));
      console.log(
        `  ${label}: ${Math.round(wall)} ms wall (${rate(TOTAL_EVENTS, wall)}), ${Math.round(cpu)} ms CPU (${rate(TOTAL_EVENTS, cpu)})  wall runs: ${runs.map((r) => Math.round(r.ms)).join(', ')} ms`,
      );
      return { wall, cpu };
    };
    console.log(
      `\nlead-time query, ${TOTAL_EVENTS.toLocaleString('en-US')} events, median of ${RUNS} interleaved runs`,
    );
    const o = show('ours (runBatches: 4 MB reads, byte prefilter, engine)', ours);
    show('ours (run over an event object per line), 1 run', [viaEvents]);
    if (haveJq) {
      const j = show(
        `jq ${spawnSync('jq', ['--version'], { encoding: 'utf8' }).stdout.trim()} (${jqName})`,
        jq,
      );
      const ratio = j.wall / o.wall;
      console.log(
        `  ratio: ours is ${ratio.toFixed(1)}× jq by wall time (target ≥ 10×: ${ratio >= 10 ? 'met' : 'NOT met'}), ${(j.cpu / o.cpu).toFixed(1)}× by CPU time`,
      );
      const jqTop = jq.at(-1)?.top ?? [];
      const same = sameTop(oursTop, jqTop);
      console.log(
        `  same top-20 answer: ${same ? 'yes' : 'NO'} (first: ${oursTop[0]?.traceId} ${oursTop[0]?.lead} s)`,
      );
      if (!same) process.exitCode = 1;
    }
    console.log(`  load average after the timed runs: ${load()}`);

    console.log(
      '\npeak RSS of a fresh process running the lead-time query (runBatches) over the first N events',
    );
    generate(fixed, TOTAL_EVENTS, FIXED_TRACES);
    const self = fileURLToPath(import.meta.url);
    const rss = (file: string, n: number): string => {
      const out = spawnSync(process.execPath, [...process.execArgv, self, '--child', file, String(n)], {
        encoding: 'utf8',
      });
      if (out.status !== 0) throw new Error(`child failed: ${out.stderr}`);
      const { maxRssKb } = JSON.parse(out.stdout.trim().split('\n').pop() ?? '{}') as { maxRssKb: number };
      return `${(maxRssKb / 1024).toFixed(0)} MB`;
    };
    console.log(
      `  events     | ${FIXED_TRACES.toLocaleString('en-US')} traces at every size | traces grow with events (events / 10)`,
    );
    for (const n of [0, TOTAL_EVENTS / 4, TOTAL_EVENTS / 2, TOTAL_EVENTS]) {
      console.log(
        `  ${n.toLocaleString('en-US').padStart(9)}  | ${rss(fixed, n).padStart(6)} | ${rss(path, n).padStart(6)}`,
      );
    }
    console.log(`\ntotal bench time ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  } finally {
    for (const file of [path, fixed]) rmSync(file, { force: true });
  }
}

const args = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (args[0] === '--child') child(args[1] as string, Number(args[2]));
  else main();
}
