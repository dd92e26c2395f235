import { describe, expect, it } from 'vitest';
import { compileInsightsQuery, MalformedQueryError } from '../../../src/local/logs-insights';
import { at, event, report, rowsOf, withoutPtr } from './events';

// Queries from the AWS Logs Insights documentation (sample queries, command pages), run on hand-made data.

const lambda = [
  event(at('10:00:00'), 'START RequestId: a1 Version: $LATEST'),
  event(at('10:00:01'), report('a1', 100, 100, 128, 60, 300)),
  event(at('10:03:00'), report('a2', 20, 20, 128, 64)),
  event(at('10:07:00'), report('a3', 30, 30, 128, 90)),
  event(at('10:07:30'), '2024-01-01T10:07:30.000Z\ta3\tERROR\tInvoke Error: Exception in handler'),
];

const flow = [
  event(at('09:00:00'), { srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', packets: 10, action: 'ACCEPT' }),
  event(at('09:00:01'), { srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', packets: 5, action: 'REJECT' }),
  event(at('09:00:02'), { srcAddr: '10.0.0.3', dstAddr: '10.0.0.2', packets: 40, action: 'REJECT' }),
  event(at('09:00:03'), { srcAddr: '10.0.0.1', dstAddr: '10.0.0.9', packets: 1, action: 'ACCEPT' }),
];

const apps = [
  event(at('08:00:00'), '[INFO] user=alice, method:GET, latency := 10'),
  event(at('08:00:01'), '[ERROR] user=bob, method:PUT, latency := 30'),
  event(at('08:00:02'), '[INFO] user=alice, method:GET, latency := 20'),
];

interface Case {
  readonly query: string;
  readonly events: ReturnType<typeof event>[];
  readonly expected: Record<string, string>[];
}

const cases: Record<string, Case> = {
  'latest 25 events': {
    query: 'fields @timestamp, @message | sort @timestamp desc | limit 2',
    events: apps,
    expected: [
      { '@timestamp': '2024-01-01 08:00:02.000', '@message': '[INFO] user=alice, method:GET, latency := 20' },
      { '@timestamp': '2024-01-01 08:00:01.000', '@message': '[ERROR] user=bob, method:PUT, latency := 30' },
    ],
  },
  'Lambda latency per 5 minutes': {
    query: 'filter @type = "REPORT" | stats avg(@duration), max(@duration), min(@duration) by bin(5m)',
    events: lambda,
    expected: [
      {
        'bin(5m)': '2024-01-01 10:00:00.000',
        'avg(@duration)': '60',
        'max(@duration)': '100',
        'min(@duration)': '20',
      },
      {
        'bin(5m)': '2024-01-01 10:05:00.000',
        'avg(@duration)': '30',
        'max(@duration)': '30',
        'min(@duration)': '30',
      },
    ],
  },
  'over-provisioned memory (aliases reused inside stats)': {
    query: `filter @type = "REPORT"
    | stats max(@memorySize / 1000 / 1000) as provisonedMemoryMB,
      min(@maxMemoryUsed / 1000 / 1000) as smallestMemoryRequestMB,
      avg(@maxMemoryUsed / 1000 / 1000) as avgMemoryUsedMB,
      max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,
      provisonedMemoryMB - maxMemoryUsedMB as overProvisionedMB`,
    events: lambda,
    expected: [
      {
        provisonedMemoryMB: '128',
        smallestMemoryRequestMB: '60',
        avgMemoryUsedMB: '71.3333333333333',
        maxMemoryUsedMB: '90',
        overProvisionedMB: '38',
      },
    ],
  },
  'exceptions per hour': {
    query:
      'filter @message like /Exception/ | stats count(*) as exceptionCount by bin(1h) | sort exceptionCount desc',
    events: lambda,
    expected: [{ 'bin(1h)': '2024-01-01 10:00:00.000', exceptionCount: '1' }],
  },
  'count per log stream': {
    query: 'stats count(*) by @logStream | limit 100',
    events: [
      event(1, 'x', { logStreamName: 's1' }),
      event(2, 'y', { logStreamName: 's2' }),
      event(3, 'z', { logStreamName: 's1' }),
    ],
    expected: [
      { '@logStream': 's1', 'count(*)': '2' },
      { '@logStream': 's2', 'count(*)': '1' },
    ],
  },
  'top transfers between hosts (VPC flow logs)': {
    query:
      'stats sum(packets) as packetsTransferred by srcAddr, dstAddr | sort packetsTransferred desc | limit 15',
    events: flow,
    expected: [
      { srcAddr: '10.0.0.3', dstAddr: '10.0.0.2', packetsTransferred: '40' },
      { srcAddr: '10.0.0.1', dstAddr: '10.0.0.2', packetsTransferred: '15' },
      { srcAddr: '10.0.0.1', dstAddr: '10.0.0.9', packetsTransferred: '1' },
    ],
  },
  'rejected connections per source': {
    query:
      'filter action="REJECT" | stats count(*) as numRejections by srcAddr | sort numRejections desc | limit 20',
    events: flow,
    expected: [
      { srcAddr: '10.0.0.1', numRejections: '1' },
      { srcAddr: '10.0.0.3', numRejections: '1' },
    ],
  },
  'parse with a glob': {
    query:
      'parse @message "user=*, method:*, latency := *" as @user, @method, @latency | stats avg(@latency) by @method, @user',
    events: apps,
    expected: [
      { '@method': 'GET', '@user': 'alice', 'avg(@latency)': '15' },
      { '@method': 'PUT', '@user': 'bob', 'avg(@latency)': '30' },
    ],
  },
  'parse with a regex': {
    query:
      'parse @message /user=(?<user2>.*?), method:(?<method2>.*?), latency := (?<latency2>.*?)$/ | stats avg(latency2) by method2, user2',
    events: apps,
    expected: [
      { method2: 'GET', user2: 'alice', 'avg(latency2)': '15' },
      { method2: 'PUT', user2: 'bob', 'avg(latency2)': '30' },
    ],
  },
  'parse then filter then display': {
    query:
      'fields @timestamp, @message | parse @message "[*] *" as loggingType, loggingMessage | filter loggingType = "ERROR" | display loggingMessage',
    events: apps,
    expected: [{ loggingMessage: 'user=bob, method:PUT, latency := 30' }],
  },
  'case-insensitive regex filter': {
    query:
      'fields @timestamp, @message | filter @message like /(?i)(exception|fail)/ | sort @timestamp desc | limit 20',
    events: lambda,
    expected: [
      {
        '@timestamp': '2024-01-01 10:07:30.000',
        '@message': '2024-01-01T10:07:30.000Z\ta3\tERROR\tInvoke Error: Exception in handler',
      },
    ],
  },
  'percentile of durations': {
    query: 'filter @type = "REPORT" | stats pct(@duration, 50) as p50, count(*) as n',
    events: lambda,
    expected: [{ p50: '30', n: '3' }],
  },
  'dedup keeps the newest per key': {
    query: 'fields @timestamp, user | parse @message "user=*," as user | dedup user',
    events: apps,
    expected: [
      { '@timestamp': '2024-01-01 08:00:02.000', user: 'alice' },
      { '@timestamp': '2024-01-01 08:00:01.000', user: 'bob' },
    ],
  },
  'in list': {
    query: 'fields srcAddr | filter packets in [5, 40] | sort srcAddr asc',
    events: flow,
    expected: [{ srcAddr: '10.0.0.1' }, { srcAddr: '10.0.0.3' }],
  },
};

describe('AWS documentation examples', () => {
  for (const [name, c] of Object.entries(cases)) {
    it(`runs: ${name}`, () => {
      expect(withoutPtr(rowsOf(c.query, c.events))).toEqual(c.expected);
    });
  }

  // Documented features this engine refuses rather than silently dropping.
  const rejected = [
    'fields @message | unnest items into item',
    'pattern @message',
    'fields @message | anomaly',
    'stats sortsFirst(@message, @timestamp)',
    'fields jsonParse(@message) as j',
  ];
  for (const query of rejected) {
    it(`rejects, never drops: ${query}`, () => {
      expect(() => compileInsightsQuery(query)).toThrow(MalformedQueryError);
    });
  }
});
