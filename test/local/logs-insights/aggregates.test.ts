import { describe, expect, it } from 'vitest';
import { event, rowsOf } from './events';

describe('stats aggregate columns', () => {
  it('keeps the first earliest and the last latest on ties of time', () => {
    // Arrange: three events at the same millisecond, one later.
    const events = [
      event(5, { k: 'a', v: 'one' }),
      event(5, { k: 'a', v: 'two' }),
      event(5, { k: 'a', v: 'three' }),
    ];

    // Act
    const rows = rowsOf(
      'stats earliest(v) as first, latest(v) as last, earliest(@timestamp) as t0, latest(@timestamp) as t1 by k',
      events,
    );

    // Assert
    expect(rows).toEqual([
      { k: 'a', first: 'one', last: 'three', t0: '1970-01-01 00:00:00.005', t1: '1970-01-01 00:00:00.005' },
    ]);
  });

  it('skips missing and non-numeric values, and leaves out an aggregate with no value', () => {
    // Arrange
    const events = [
      event(1, { k: 'a', x: 4 }),
      event(2, { k: 'a', x: 'abc' }),
      event(3, { k: 'a' }),
      event(4, { k: 'a', x: '6' }),
      event(5, { k: 'b', x: 'text only' }),
    ];

    // Act
    const rows = rowsOf(
      'stats count(x) as n, sum(x) as s, avg(x) as a, min(x) as lo, max(x) as hi, stddev(x) as sd, pct(x, 50) as p by k',
      events,
    );

    // Assert: group b counts its value but has no number for the rest.
    expect(rows).toEqual([
      { k: 'a', n: '3', s: '10', a: '5', lo: '4', hi: '6', sd: '1.4142135623731', p: '4' },
      { k: 'b', n: '1' },
    ]);
  });

  it('gives each group seen once its own values, in order of first appearance, past the initial capacity', () => {
    // Arrange: 200 groups (the columns start with room for 64), each seen once, then group 0 again.
    const events = Array.from({ length: 200 }, (_, i) => event(1_000 + i, { k: `g${i}`, x: i }));
    events.push(event(5_000, { k: 'g0', x: 1_000 }));

    // Act
    const rows = rowsOf(
      'stats count(*) as n, sum(x) as s, min(x) as lo, max(x) as hi, count_distinct(x) as d by k',
      events,
    );

    // Assert
    expect(rows).toHaveLength(200);
    expect(rows[0]).toEqual({ k: 'g0', n: '2', s: '1000', lo: '0', hi: '1000', d: '2' });
    expect(rows[199]).toEqual({ k: 'g199', n: '1', s: '199', lo: '199', hi: '199', d: '1' });
    expect(rows.slice(1, 199).every((row, i) => row.n === '1' && row.s === String(i + 1))).toBe(true);
  });

  it('groups by several keys, a missing key being a group of its own', () => {
    // Arrange
    const events = [
      event(1, { a: 'x', b: 1 }),
      event(2, { a: 'x', b: 2 }),
      event(3, { a: 'x', b: 1 }),
      event(4, { b: 1 }),
      event(5, { b: 1 }),
    ];

    // Act
    const rows = rowsOf(
      'stats count(*) as n, latest(@timestamp) - earliest(@timestamp) as span by a, b',
      events,
    );

    // Assert
    expect(rows).toEqual([
      { a: 'x', b: '1', n: '2', span: '2' },
      { a: 'x', b: '2', n: '1', span: '0' },
      { b: '1', n: '2', span: '1' },
    ]);
  });

  it('starts every run of a compiled query from empty columns', () => {
    // Arrange
    const events = [event(1, { k: 'a' }), event(2, { k: 'a' })];
    const query = 'stats count(*) as n by k';

    // Act
    const first = rowsOf(query, events);
    const second = rowsOf(query, events);

    // Assert
    expect(first).toEqual([{ k: 'a', n: '2' }]);
    expect(second).toEqual(first);
  });

  it('filters, sorts and limits group rows as they are finished, ties in order of first appearance', () => {
    // Arrange: counts c=3, a=2, b=2, d=2, e=1.
    const keys = ['a', 'b', 'c', 'a', 'c', 'b', 'c', 'd', 'd', 'e'];
    const events = keys.map((k, i) => event(i, { k }));

    // Act
    const top = rowsOf('stats count(*) as n by k | filter n > 1 | sort n desc | limit 3', events);
    const all = rowsOf('stats count(*) as n by k | filter n > 1 | sort n desc', events);

    // Assert
    expect(top).toEqual([
      { k: 'c', n: '3' },
      { k: 'a', n: '2' },
      { k: 'b', n: '2' },
    ]);
    expect(all.slice(0, 3)).toEqual(top);
    expect(all).toHaveLength(4);
  });
});
