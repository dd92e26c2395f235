import { describe, expect, it } from 'vitest';
import type { StoredLogEvent } from '../../../src/local/logs/log-event';
import { compileInsightsQuery, type RawEventBatch } from '../../../src/local/logs-insights';
import { SEED_QUERIES } from '../../fixtures/seed-queries';
import { at, event, report } from './events';

/** Lays events out as one raw batch; `json` stores each message as its JSON string encoding. */
function batchOf(events: readonly StoredLogEvent[], json: boolean): RawEventBatch {
  const texts = events.map((e) => (json ? JSON.stringify(e.message) : e.message));
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const text of texts) {
    starts.push(offset);
    offset += Buffer.byteLength(text);
    ends.push(offset);
    offset += 1; // a newline between lines, as in a file
  }
  const requested: number[] = [];
  const batch = {
    count: events.length,
    timestamps: Float64Array.from(events.map((e) => e.timestamp)),
    messageBytes: events.map((e) => Buffer.byteLength(e.message)),
    buffer: Buffer.from(texts.join('\n')),
    starts,
    ends,
    requested,
    event: (i: number) => {
      requested.push(i);
      return events[i] as StoredLogEvent;
    },
  };
  return batch;
}

function split(events: readonly StoredLogEvent[], size: number, json: boolean): RawEventBatch[] {
  const out: RawEventBatch[] = [];
  for (let i = 0; i < events.length; i += size) out.push(batchOf(events.slice(i, i + size), json));
  return out;
}

const TRACE = 'bf769e94-4d48-4994-8c04-ebd00b51ecbd';
const OTHER = '1d0c2a53-3b8c-4f57-9d53-0e0f8a0e8d11';

function fixture(): StoredLogEvent[] {
  const events: StoredLogEvent[] = [];
  const milestones = ['CREATE_REQUEST_RECEIVED', 'SAVED_IN_DATABASE', 'SLACK_NOTIFICATION_NEW_SESSION_SENT'];
  for (let i = 0; i < 30; i++) {
    const traceId = i % 3 === 0 ? TRACE : `${OTHER.slice(0, -2)}${String(i).padStart(2, '0')}`;
    const t = at('10:00:00') + i * 1_000;
    events.push(
      event(t, {
        timestamp: new Date(t).toISOString(),
        message: `milestone ${milestones[i % 3]}`,
        milestone: milestones[i % 3],
        traceId,
        functionName: 'conference-create-session',
        note: 'naïve café ☕', // non-ASCII: byte offsets differ from string offsets
      }),
      event(t + 5, report(`req-${i}`, 20 + i, 21 + i, 512, 70 + (i % 5))),
      event(
        t + 7,
        `2024-01-01T10:00:00.000Z\treq-${i}\tINFO\t{"milestone":"SAVED_IN_DATABASE","traceId":"${traceId}"}`,
      ),
    );
  }
  return events;
}

const QUERIES = [
  SEED_QUERIES.leadTime,
  `filter @type = "REPORT" | stats sum(@billedDuration) as billed, count(*) as n, pct(@duration, 50) as p50`,
  `fields milestone, traceId | filter traceId="${TRACE}" and milestone in ["SAVED_IN_DATABASE", "CREATE_REQUEST_RECEIVED"] | sort @timestamp asc`,
  `filter milestone = "SAVED_IN_DATABASE" | stats count() as n, earliest(traceId) as first, latest(@message) as last by bin(10s)`,
  `fields @message | filter note = "naïve café ☕" | limit 5`,
  `fields @timestamp, @message | sort @timestamp desc | limit 7`,
];

describe('runBatches', () => {
  it.each(QUERIES)('gives the same results and statistics as run, plain and JSON-encoded: %s', (query) => {
    // Arrange
    const events = fixture();
    const options = { startTimeMs: at('10:00:03'), endTimeMs: at('10:00:25') };
    const compiled = compileInsightsQuery(query);

    // Act
    const expected = compiled.run(events, options);
    const plain = compiled.runBatches(split(events, 16, false), options);
    const encoded = compiled.runBatches(split(events, 7, true), options);

    // Assert
    expect(expected.results.length).toBeGreaterThan(0);
    expect(plain).toEqual(expected);
    expect(encoded).toEqual(expected);
  });

  it('asks for the event object only for lines that contain a filtered value', () => {
    // Arrange
    const events = fixture();
    const batch = batchOf(events, true) as RawEventBatch & { requested: number[] };
    const query = compileInsightsQuery('filter milestone = "CREATE_REQUEST_RECEIVED" | stats count() as n');

    // Act
    const result = query.runBatches([batch], { startTimeMs: 0, endTimeMs: at('23:59:59') });

    // Assert
    expect(result.results).toEqual([[{ field: 'n', value: '10' }]]);
    expect(result.statistics.recordsScanned).toBe(events.length);
    expect(batch.requested).toHaveLength(10);
    expect(
      batch.requested.every((i) => (events[i] as StoredLogEvent).message.includes('CREATE_REQUEST')),
    ).toBe(true);
  });

  it('finds each line with the text whatever lines before it were skipped or tested', () => {
    // Arrange: the first match is outside the time range, so the byte test never sees it.
    const events = [
      event(1, '{"a":"XYZ"}'),
      event(5, '{"a":"Q"}'),
      event(6, '{"a":"XYZ"}'),
      event(7, '{"a":"XY"}'),
      event(8, '{"b":"XYZ","a":"XYZ"}'),
    ];
    const query = compileInsightsQuery('filter a = "XYZ" | stats count() as n');

    // Act
    const result = query.runBatches([batchOf(events, false)], { startTimeMs: 5, endTimeMs: 10 });

    // Assert
    expect(result.results).toEqual([[{ field: 'n', value: '2' }]]);
    expect(result.statistics.recordsScanned).toBe(4);
  });

  it("reads a stats query's top-level fields of flat JSON lines in place, without building their events", () => {
    // Arrange
    const events = fixture();
    const batch = batchOf(events, false) as RawEventBatch & { requested: number[] };
    const query = compileInsightsQuery(
      'filter milestone = "CREATE_REQUEST_RECEIVED" | stats count(*) as n by traceId',
    );
    const expected = query.run(events, { startTimeMs: 0, endTimeMs: at('23:59:59') });

    // Act
    const result = query.runBatches([batch], { startTimeMs: 0, endTimeMs: at('23:59:59') });

    // Assert
    expect(result).toEqual(expected);
    expect(batch.requested).toEqual([]);
  });

  it('builds the event of a line it cannot read in place, and for a stage that needs the message', () => {
    // Arrange: nested JSON, an escaped value, a Lambda text-format line, a dotted path, and @message.
    const events = [
      event(1, { k: 'a', nested: { v: 1 }, n: 1 }),
      event(2, { k: 'say "a"', n: 2 }),
      event(3, '2024-01-01T00:00:00.000Z\treq\tINFO\t{"k":"a","n":3}'),
      event(4, { k: 'a', n: 4 }),
      event(5, { k: 'b', 'x.y': 'flat', n: 5 }),
    ];
    const options = { startTimeMs: 0, endTimeMs: 10 };
    const queries = [
      'stats sum(n) as s, count(nested.v) as deep by k',
      'stats latest(@message) as last, count(x.y) as dotted by k',
    ];

    for (const text of queries) {
      const query = compileInsightsQuery(text);
      const batch = batchOf(events, false) as RawEventBatch & { requested: number[] };

      // Act
      const result = query.runBatches([batch], options);

      // Assert
      expect(result).toEqual(query.run(events, options));
      expect(batch.requested.length).toBeGreaterThan(0);
    }
  });
});
