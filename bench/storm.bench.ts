/**
 * Alarm storm benchmark: 200 alarms published at once, through the deployed event source mapping
 * (batch 100, 20 s window, two concurrent 120 s invocations), the real use case and Slack adapter,
 * into a Slack that enforces its limits (chat.postMessage 1/s per channel, chat.update Tier 3).
 * Prints, per design, when the storm is first visible, when every alarm is named, and when the last
 * alarm's own message appears; the as-built design beside two baselines in the same run. The clock
 * is simulated (bench/lib/storm-simulation.ts), so the figures are exact: one run is the result.
 * Run with `npm run bench:storm`.
 */
import { loadavg } from 'node:os';
import { DEPLOYED_WORLD, type StormDesign, type StormFigures, simulateStorm } from './lib/storm-simulation';

const DEPLOYED_INTERVAL_MS = 1100; // GUMSHOE_ALARM_POST_INTERVAL_MS's default

const DESIGNS: StormDesign[] = [
  {
    name: 'live summary, threads behind (as built)',
    stormThreshold: 4,
    stormWindowMs: 120_000,
    postIntervalMs: DEPLOYED_INTERVAL_MS,
  },
  // The same, with records cut at an invocation's deadline back after 5 s instead of 30 s.
  {
    name: 'as built, GUMSHOE_ALARM_RETRY_DELAY_SECONDS=5',
    stormThreshold: 4,
    stormWindowMs: 120_000,
    postIntervalMs: DEPLOYED_INTERVAL_MS,
    deferredDelaySeconds: 5,
  },
  // Before 78e9cb0: each batch posted its own summary and its replies under it.
  {
    name: 'a summary per batch (before)',
    stormThreshold: 4,
    stormWindowMs: 0,
    postIntervalMs: DEPLOYED_INTERVAL_MS,
  },
  // No storm mode at all: every alarm its own top-level message, at the channel's pace.
  {
    name: 'one post per alarm (no summary)',
    stormThreshold: Number.POSITIVE_INFINITY,
    stormWindowMs: 0,
    postIntervalMs: DEPLOYED_INTERVAL_MS,
  },
];

function row(f: StormFigures): string {
  const cells = [
    f.design.padEnd(44),
    f.firstVisibleS.toFixed(1).padStart(6),
    (f.allNamedS === undefined ? 'never' : f.allNamedS.toFixed(1)).padStart(7),
    f.lastAlarmS.toFixed(1).padStart(7),
    String(f.topLevelPosts).padStart(4),
    String(f.threadReplies).padStart(8),
    String(f.updates).padStart(8),
    String(f.slack429s).padStart(4),
    String(f.maxPostsInASecond).padStart(6),
    String(f.invocations).padStart(6),
    `${f.lost}/${f.duplicated}`.padStart(8),
  ];
  return `| ${cells.join(' | ')} |`;
}

async function main(): Promise<void> {
  const started = performance.now();
  const figures: StormFigures[] = [];
  for (const design of DESIGNS) figures.push(await simulateStorm(design, DEPLOYED_WORLD));
  const w = DEPLOYED_WORLD;
  console.log(
    `${w.alarms} alarms published at once; batch ${w.batchSize}, window ${w.batchingWindowMs / 1000} s, ` +
      `${w.concurrency} concurrent invocations; Slack answers in ${w.slackLatencyMs.join('–')} ms; ` +
      `post interval ${DEPLOYED_INTERVAL_MS} ms. Simulated clock: exact figures, seconds after publishing.`,
  );
  console.log(
    '| design                                       | first | all named | last alarm | top | replies | updates | 429s | max/1s | invoc. | lost/dup |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const f of figures) console.log(row(f));
  const built = figures[0];
  const perAlarm = figures.at(-1);
  if (built && perAlarm && built.allNamedS !== undefined && perAlarm.allNamedS !== undefined)
    console.log(
      `every alarm named: ${built.allNamedS.toFixed(1)} s vs ${perAlarm.allNamedS.toFixed(1)} s one post per alarm ` +
        `(${(perAlarm.allNamedS / Math.max(built.allNamedS, 0.1)).toFixed(0)}x sooner); last alarm's own message ` +
        `${built.lastAlarmS.toFixed(1)} s vs ${perAlarm.lastAlarmS.toFixed(1)} s`,
    );
  console.log(
    `simulated in ${((performance.now() - started) / 1000).toFixed(1)} s of CPU time; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

await main();
