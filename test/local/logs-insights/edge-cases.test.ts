import { describe, expect, it } from 'vitest';
import { compileInsightsQuery, MalformedQueryError } from '../../../src/local/logs-insights';
import { at, event, report, rowsOf, run, withoutPtr } from './events';

describe('field discovery', () => {
  it('reads nested JSON with dots and arrays by index', () => {
    const events = [event(1, { a: { b: { c: 7 } }, items: [{ id: 'x' }, { id: 'y' }] })];
    expect(withoutPtr(rowsOf('fields a.b.c, items.1.id, `items.0.id` as first', events))).toEqual([
      { 'a.b.c': '7', 'items.1.id': 'y', first: 'x' },
    ]);
  });

  it('parses the JSON after the prefix of a Lambda text-format line', () => {
    const events = [event(1, '2024-01-01T00:00:00.000Z\treq-1\tINFO\t{"traceId":"t1","n":2}')];
    expect(withoutPtr(rowsOf('filter traceId = "t1" | fields n * 2 as double', events))).toEqual([
      { double: '4' },
    ]);
  });

  it('treats non-JSON lines as having no JSON fields', () => {
    const events = [event(1, 'plain text {not json'), event(2, { level: 'INFO' })];
    expect(rowsOf('filter ispresent(level) | stats count(*) as n', events)).toEqual([{ n: '1' }]);
  });

  it('discovers REPORT fields with and without Init Duration, memory in AWS units', () => {
    const events = [event(1, report('r1', 12.34, 13, 128, 70, 200.5)), event(2, report('r2', 5, 6, 256, 71))];
    const rows = withoutPtr(
      rowsOf(
        'fields @type, @requestId, @duration, @billedDuration, @memorySize, @maxMemoryUsed, @initDuration | sort @timestamp asc',
        events,
      ),
    );
    expect(rows).toEqual([
      {
        '@type': 'REPORT',
        '@requestId': 'r1',
        '@duration': '12.34',
        '@billedDuration': '13',
        '@memorySize': '128000000',
        '@maxMemoryUsed': '70000000',
        '@initDuration': '200.5',
      },
      {
        '@type': 'REPORT',
        '@requestId': 'r2',
        '@duration': '5',
        '@billedDuration': '6',
        '@memorySize': '256000000',
        '@maxMemoryUsed': '71000000',
      },
    ]);
  });

  it('types START and END lines', () => {
    const events = [event(1, 'START RequestId: q Version: $LATEST'), event(2, 'END RequestId: q')];
    expect(rowsOf('stats count(*) as n by @type, @requestId', events)).toEqual([
      { '@type': 'START', '@requestId': 'q', n: '1' },
      { '@type': 'END', '@requestId': 'q', n: '1' },
    ]);
  });

  it('gives every event @log with the local account, @logStream, @ingestionTime and a unique @ptr', () => {
    const events = [
      event(at('00:00:01'), 'a', { logGroupName: '/g', eventId: 'e1' }),
      event(2, 'b', { eventId: 'e2' }),
    ];
    const rows = rowsOf('fields @log, @logStream, @ingestionTime | sort @timestamp desc', events);
    expect(rows[0]).toMatchObject({ '@log': '000000000000:/g', '@ingestionTime': '2024-01-01 00:00:01.100' });
    expect(rows[0]?.['@ptr']).toBeTruthy();
    expect(rows[0]?.['@ptr']).not.toBe(rows[1]?.['@ptr']);
  });
});

describe('values', () => {
  it('compares numbers in strings numerically', () => {
    const events = [event(1, { code: '500' }), event(2, { code: '99' }), event(3, { code: 404 })];
    expect(rowsOf('filter code >= 400 | stats count(*) as n', events)).toEqual([{ n: '2' }]);
  });

  it('treats missing fields as null: comparisons false, arithmetic null, stats skip them', () => {
    const events = [event(1, { x: 1 }), event(2, { y: 1 })];
    expect(rowsOf('filter x != 5 | stats count(*) as n', events)).toEqual([{ n: '1' }]);
    expect(withoutPtr(rowsOf('fields x + 1 as z | sort @timestamp asc', events))).toEqual([{ z: '2' }, {}]);
    expect(rowsOf('stats count(x) as cx, count(*) as all, sum(x) as s, avg(y) as a', events)).toEqual([
      { cx: '1', all: '2', s: '1', a: '1' },
    ]);
  });

  it('prints floats without binary noise and integers bare', () => {
    const events = [event(1, { a: 0.1, b: 0.2 })];
    expect(withoutPtr(rowsOf('fields a + b as s, 3 / 2 as h, 4 / 2 as w', events))).toEqual([
      { s: '0.3', h: '1.5', w: '2' },
    ]);
  });

  it('supports arithmetic precedence, modulo, power and parentheses', () => {
    expect(
      withoutPtr(
        rowsOf('fields 2 + 3 * 4 as a, (2 + 3) * 4 as b, 10 % 3 as c, 2 ^ 3 as d, -x as e', [
          event(1, { x: 4 }),
        ]),
      ),
    ).toEqual([{ a: '14', b: '20', c: '1', d: '8', e: '-4' }]);
  });

  it('applies string and number functions', () => {
    const events = [event(1, { s: '  Hello World  ', n: -2.5, empty: '' })];
    const q = `fields trim(s) as t, toupper(trim(s)) as u, strlen(trim(s)) as l, substr(trim(s), 0, 5) as sub,
      replace(s, "o", "0") as r, strcontains(s, "World") as has, concat("a", n, "b") as c, abs(n) as ab,
      ceil(n) as ce, floor(n) as fl, round(n) as ro, greatest(1, n, 3) as g, least(1, n) as le, sqrt(16) as sq,
      pow(2, 10) as p, isempty(empty) as ie, isblank(s) as ib, coalesce(missing, n) as co, ltrim(s) as lt, rtrim(s) as rt,
      tolower("AB") as lo, log(1) as ln`;
    expect(withoutPtr(rowsOf(q, events))).toEqual([
      {
        t: 'Hello World',
        u: 'HELLO WORLD',
        l: '11',
        sub: 'Hello',
        r: '  Hell0 W0rld  ',
        has: '1',
        c: 'a-2.5b',
        ab: '2.5',
        ce: '-2',
        fl: '-3',
        ro: '-2',
        g: '3',
        le: '-2.5',
        sq: '4',
        p: '1024',
        ie: 'true',
        ib: 'false',
        co: '-2.5',
        lt: 'Hello World  ',
        rt: '  Hello World',
        lo: 'ab',
        ln: '0',
      },
    ]);
  });

  it('floors and ceils dates and converts millis', () => {
    const events = [event(at('10:17:42.500'), 'x')];
    const q =
      'fields datefloor(@timestamp, 1h) as f, dateceil(@timestamp, 15m) as c, toMillis(@timestamp) as ms, fromMillis(0) as z';
    expect(withoutPtr(rowsOf(q, events))).toEqual([
      {
        f: '2024-01-01 10:00:00.000',
        c: '2024-01-01 10:30:00.000',
        ms: String(at('10:17:42.500')),
        z: '1970-01-01 00:00:00.000',
      },
    ]);
  });

  it('aggregates count_distinct, stddev, earliest and latest by @timestamp', () => {
    const events = [event(3, { u: 'a', v: 2 }), event(1, { u: 'b', v: 4 }), event(2, { u: 'a', v: 6 })];
    expect(
      rowsOf('stats count_distinct(u) as d, stddev(v) as sd, earliest(u) as e, latest(v) as l', events),
    ).toEqual([{ d: '2', sd: '2', e: 'b', l: '2' }]);
  });
});

describe('filters', () => {
  const events = [
    event(1, { msg: 'Timeout talking to DynamoDB', level: 'ERROR' }),
    event(2, { msg: 'saved', level: 'INFO' }),
    event(3, { msg: 'timeout again', level: 'WARN' }),
  ];
  const count = (filter: string) => rowsOf(`filter ${filter} | stats count(*) as n`, events)[0]?.n;

  it.each([
    ['msg like "Timeout"', '1'],
    ['msg like /timeout/', '1'],
    ['msg like /(?i)timeout/', '2'],
    ['msg =~ /(?i)TIMEOUT/', '2'],
    ['msg not like /timeout/', '2'],
    ['level in ["ERROR", "WARN"]', '2'],
    ['level not in ["ERROR", "WARN"]', '1'],
    ['not (level = "INFO")', '2'],
    ['level = "INFO" or level = "WARN" and msg like "again"', '2'],
    ['(level = "INFO" or level = "WARN") and msg like "again"', '1'],
    ["level = 'ERROR'", '1'],
    ['level != "ERROR"', '2'],
    ['level > "ERROR"', '2'],
  ])('%s matches %s', (filter, n) => {
    expect(count(filter)).toBe(n);
  });

  it('keeps the time range inclusive at both ends', () => {
    const result = compileInsightsQuery('stats count(*) as n').run(
      [event(10, 'a'), event(20, 'b'), event(30, 'c')],
      {
        startTimeMs: 10,
        endTimeMs: 20,
      },
    );
    expect(result.results).toEqual([[{ field: 'n', value: '2' }]]);
    expect(result.statistics).toEqual({ recordsScanned: 2, recordsMatched: 2, bytesScanned: 2 });
  });

  it('counts scanned, matched and bytes', () => {
    const result = run('filter level = "INFO"', events);
    expect(result.statistics.recordsScanned).toBe(3);
    expect(result.statistics.recordsMatched).toBe(1);
    expect(result.statistics.bytesScanned).toBe(events.reduce((s, e) => s + Buffer.byteLength(e.message), 0));
  });
});

describe('prefilter on the raw message', () => {
  it('still matches numbers in strings and values inside embedded JSON', () => {
    const events = [
      event(1, { n: 1, k: 'x' }),
      event(2, 'prefix\t{"k":"x","n":1}'),
      event(3, { k: 'y', other: 'x' }),
    ];
    expect(rowsOf('filter n = "1.0" | stats count(*) as c', events)).toEqual([{ c: '2' }]);
    expect(rowsOf('filter k = "x" | stats count(*) as c', events)).toEqual([{ c: '2' }]);
    expect(rowsOf('filter k in ["x", "z"] and n = 1 | stats count(*) as c', events)).toEqual([{ c: '2' }]);
  });

  it('does not apply to fields computed by earlier stages', () => {
    const events = [event(1, 'user=alice'), event(2, 'user=bob')];
    expect(rowsOf('parse @message "user=*" as k | filter k = "bob" | stats count(*) as c', events)).toEqual([
      { c: '1' },
    ]);
  });
});

describe('pipelines', () => {
  it('filters after a sort over all rows, not just the first page', () => {
    const events = Array.from({ length: 30 }, (_, i) => event(i, { i }));
    const rows = rowsOf('fields i | sort i desc | filter i < 3 | limit 2', events, 5);
    expect(rows.map((r) => r.i)).toEqual(['2', '1']);
  });

  it('aggregates after a sort and limit', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i, { i }));
    expect(rowsOf('sort i desc | limit 3 | stats sum(i) as s', events)).toEqual([{ s: '24' }]);
  });
});

describe('syntax', () => {
  it('ignores # comments and accepts backticked names', () => {
    const events = [event(1, { 'odd-name': 3 })];
    const q = '# leading comment\nfields `odd-name` * 2 as x # trailing\n| filter x = 6';
    expect(withoutPtr(rowsOf(q, events))).toEqual([{ x: '6' }]);
  });

  it('reads escapes in strings', () => {
    const events = [event(1, { q: 'say "hi"' })];
    expect(rowsOf('filter q = "say \\"hi\\"" | stats count(*) as n', events)).toEqual([{ n: '1' }]);
  });

  it('returns @timestamp and @message newest first by default, with @ptr', () => {
    const rows = rowsOf('filter ispresent(@message)', [event(1, 'old'), event(2, 'new')]);
    expect(rows.map((r) => Object.keys(r))).toEqual([
      ['@timestamp', '@message', '@ptr'],
      ['@timestamp', '@message', '@ptr'],
    ]);
    expect(rows.map((r) => r['@message'])).toEqual(['new', 'old']);
  });

  it('caps rows at the StartQuery limit and the limit command', () => {
    const events = Array.from({ length: 50 }, (_, i) => event(i, `m${i}`));
    expect(rowsOf('fields @message', events, 5).map((r) => r['@message'])).toEqual([
      'm49',
      'm48',
      'm47',
      'm46',
      'm45',
    ]);
    expect(rowsOf('fields @message | limit 3', events, 5)).toHaveLength(3);
    expect(rowsOf('fields @message | sort @message asc | limit 2', events).map((r) => r['@message'])).toEqual(
      ['m0', 'm1'],
    );
  });

  it('sorts naturally: text before numbers, digit runs by length', () => {
    const events = ['b10', 'b9', '7', 'a', '10'].map((v, i) => event(i, { v }));
    expect(rowsOf('fields v | sort v asc', events).map((r) => r.v)).toEqual(['a', 'b9', 'b10', '7', '10']);
  });

  it('runs filter, fields and sort on stats aliases', () => {
    const events = [event(1, { k: 'a' }), event(2, { k: 'a' }), event(3, { k: 'b' })];
    expect(
      rowsOf(
        'stats count(*) as n by k as key | filter n > 1 | fields n * 10 as tens | display key, tens',
        events,
      ),
    ).toEqual([{ key: 'a', tens: '20' }]);
  });

  it('compiles once and runs many times', () => {
    const query = compileInsightsQuery('stats count(*) as n');
    expect(query.run([event(1, 'a')], { startTimeMs: 0, endTimeMs: 10 }).results).toEqual([
      [{ field: 'n', value: '1' }],
    ]);
    expect(query.run([event(1, 'a'), event(2, 'b')], { startTimeMs: 0, endTimeMs: 10 }).results).toEqual([
      [{ field: 'n', value: '2' }],
    ]);
  });
});

describe('errors', () => {
  const positionOf = (query: string) => {
    try {
      compileInsightsQuery(query);
    } catch (error) {
      if (error instanceof MalformedQueryError)
        return { line: error.line, column: error.column, message: error.message };
      throw error;
    }
    throw new Error('expected a MalformedQueryError');
  };

  it('rejects an unknown command with its line and column', () => {
    expect(positionOf('fields a\n| frobnicate b')).toMatchObject({ line: 2, column: 3 });
  });

  it('rejects an unknown function with its position', () => {
    expect(positionOf('fields a\n| filter  nosuch(a) = 1')).toMatchObject({ line: 2, column: 11 });
  });

  it('rejects an unknown aggregate in stats', () => {
    expect(positionOf('stats median(x)').message).toContain('median');
  });

  it.each([
    ['garbage', 'fields a ) b', 1, 10],
    ['unterminated string', 'filter a = "x', 1, 12],
    ['stray character', 'fields a ; b', 1, 10],
    ['missing limit count', 'fields a | limit', 1, 17],
    ['empty', '   ', 1, 1],
    ['trailing pipe', 'fields a |', 1, 11],
    ['bad regex', 'filter a like /(/', 1, 15],
    ['bad period', 'stats count(*) by bin(5parsecs)', 1, 23],
    ['glob names mismatch', 'parse @message "a * b *" as x', 1, 16],
  ])('rejects %s at its position', (_name, query, line, column) => {
    expect(positionOf(query)).toMatchObject({ line, column });
  });
});
