import { describe, expect, it } from 'vitest';
import { MalformedQueryError } from '../../../src/local/logs-insights';
import { at, event, rowsOf, withoutPtr } from './events';

const traces = [
  event(at('10:00:00'), { traceId: 't1', ms: 10, ip: '10.0.0.5' }),
  event(at('10:00:01'), { traceId: 't1', ms: 30, ip: '192.168.1.1' }),
  event(at('10:00:02'), { traceId: 't1', ms: 5, ip: '2001:db8::1' }),
  event(at('10:05:00'), { traceId: 't2', ms: 20, ip: 'not-an-ip' }),
  event(at('10:05:01'), { traceId: 't2', ms: 40 }),
  event(at('10:10:00'), { traceId: 't3', ms: 70 }),
];

describe('two stats commands (CWL_QuerySyntax-Stats, "Use multiple stats commands in a single query")', () => {
  it('computes percentiles over the first stats output, one row per trace', () => {
    const rows = rowsOf(
      'stats count(*) as n, sum(ms) as total by traceId | stats pct(total, 50) as p50, max(total) as slowest, count(*) as traces',
      traces,
    );
    expect(rows).toEqual([{ p50: '60', slowest: '70', traces: '3' }]);
  });

  it('builds a histogram of the first stats output with a second by', () => {
    const rows = rowsOf(
      'stats count(*) as n by traceId | stats count(*) as traces by n | sort n asc',
      traces,
    );
    expect(rows).toEqual([
      { n: '1', traces: '1' },
      { n: '2', traces: '1' },
      { n: '3', traces: '1' },
    ]);
  });

  it('groups the second stats by the first one’s bin()', () => {
    const rows = rowsOf(
      'stats sum(ms) as total by traceId, bin(10m) as window | stats avg(total) as mean by window | sort window asc',
      traces,
    );
    expect(rows).toEqual([
      { window: '2024-01-01 10:00:00.000', mean: '52.5' },
      { window: '2024-01-01 10:10:00.000', mean: '70' },
    ]);
  });

  it('refuses a third stats command', () => {
    expect(() =>
      rowsOf('stats count(*) as a by traceId | stats count(*) as b by a | stats count(*)', traces),
    ).toThrow(MalformedQueryError);
  });

  // The documentation's "Notes and limitations" for two stats commands.
  it('refuses sort or limit before the second stats, and takes them after it', () => {
    expect(() => rowsOf('stats count(*) as n by traceId | sort n desc | stats max(n) as m', traces)).toThrow(
      /sort command must come after the second stats/,
    );
    expect(() => rowsOf('stats count(*) as n by traceId | limit 2 | stats max(n) as m', traces)).toThrow(
      /limit command must come after the second stats/,
    );
    expect(
      rowsOf(
        'stats count(*) as n by traceId | filter n > 1 | stats count(*) as k | sort k desc | limit 1',
        traces,
      ),
    ).toEqual([{ k: '2' }]);
  });

  it('refuses, after the first stats, a field that stats did not define', () => {
    expect(() =>
      rowsOf('fields @message | stats sum(ms) as s by traceId | stats max(strlen(@message)) as mx', traces),
    ).toThrow(/'@message' is not defined by the first stats command/);
    expect(() => rowsOf('stats sum(ms) as s by traceId | filter ip = "x" | stats count(*)', traces)).toThrow(
      MalformedQueryError,
    );
  });

  it('refuses bin() in the second stats unless the first one passed a time on, and takes dateceil of it', () => {
    expect(() => rowsOf('stats sum(ms) as s by traceId | stats avg(s) by bin(5m)', traces)).toThrow(
      /bin\(\) reads @timestamp/,
    );
    expect(
      rowsOf(
        'stats sum(ms) as s, max(@timestamp) as t by traceId | stats sum(s) as total by dateceil(t, 10m) as w',
        traces,
      ),
    ).toEqual([{ w: '2024-01-01 10:10:00.000', total: '175' }]);
  });
});

describe('Logs Insights functions and syntax the service logs need', () => {
  it('returns the values that sort first and last with sortsFirst / sortsLast', () => {
    expect(rowsOf('stats sortsFirst(traceId) as first, sortsLast(ms) as last', traces)).toEqual([
      { first: 't1', last: '70' },
    ]);
  });

  it('accepts upper-case commands and keywords', () => {
    const rows = withoutPtr(
      rowsOf('FIELDS traceId, ms | FILTER ms > 25 AND traceId LIKE "t" | SORT ms DESC | LIMIT 2', traces),
    );
    expect(rows).toEqual([
      { traceId: 't3', ms: '70' },
      { traceId: 't2', ms: '40' },
    ]);
  });

  it('computes expressions in display', () => {
    const rows = withoutPtr(
      rowsOf('filter traceId = "t3" | display traceId, ms * 2 as double, concat(traceId, "!")', traces),
    );
    expect(rows).toEqual([{ traceId: 't3', double: '140', 'concat(traceId, "!")': 't3!' }]);
  });

  it.each([
    ['isValidIp(ip)', ['2001:db8::1', '192.168.1.1', '10.0.0.5']],
    ['isValidIpV4(ip)', ['192.168.1.1', '10.0.0.5']],
    ['isValidIpV6(ip)', ['2001:db8::1']],
    ['isIpInSubnet(ip, "10.0.0.0/8")', ['10.0.0.5']],
    ['isIpv4InSubnet(ip, "192.168.0.0/16")', ['192.168.1.1']],
    ['isIpv6InSubnet(ip, "2001:db8::/32")', ['2001:db8::1']],
    ['isIpv4InSubnet(ip, "2001:db8::/32")', []],
  ])('filters with the IP function %s', (call, expected) => {
    expect(rowsOf(`filter ${call} | fields ip`, traces).map((r) => r.ip)).toEqual(expected);
  });

  it('reads keys that contain dots, as in the aws/spans log group', () => {
    const spans = [
      event(1, '{"attributes":{"aws.remote.service":"AWS::DynamoDB"},"name":"PutItem"}'),
      event(2, '{"attributes.aws.remote.service":"AWS::SQS"}'),
    ];
    expect(
      rowsOf('fields attributes.aws.remote.service as svc | sort svc asc', spans).map((r) => r.svc),
    ).toEqual(['AWS::DynamoDB', 'AWS::SQS']);
  });

  it('compares JSON string escapes by their value', () => {
    const events = [event(1, '{"url":"https:\\/\\/x.test\\/a?b=1\\u0026c=2"}')];
    expect(rowsOf('filter url = "https://x.test/a?b=1&c=2" | fields url', events).map((r) => r.url)).toEqual([
      'https://x.test/a?b=1&c=2',
    ]);
  });

  it('matches a catastrophic regex in linear time instead of backtracking', () => {
    // /^(a+)+$/ backtracks exponentially in a JavaScript RegExp: 40 characters would take days.
    const events = [event(1, `${'a'.repeat(40)}b`), event(2, 'a'.repeat(40))];
    expect(rowsOf('filter @message like /^(a+)+$/ | stats count(*) as n', events)).toEqual([{ n: '1' }]);
  });

  it('refuses look-arounds, which RE2-style engines do not have, as a malformed query', () => {
    expect(() => rowsOf('filter @message like /a(?=b)/', traces)).toThrow(MalformedQueryError);
  });
});
