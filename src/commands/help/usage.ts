import { escapeMrkdwn } from '../slack/block-kit';

/** One command's usage: its syntax and what it answers. */
export interface CommandUsage {
  readonly command: string;
  readonly syntax: string;
  readonly summary: string;
  readonly examples: readonly string[];
}

/** The usage of every command, in the order help lists them. */
export const COMMAND_USAGE = {
  trace: {
    command: '/trace',
    syntax: '/trace <sessionId|traceId|xrayTraceId> [--share]',
    summary:
      'Follows one request through its flow: any business id of a flow (sessionId, orderId …), the correlation id or an X-Ray id. Shows the milestones in order, the first one missing and the function that should have logged it, the exception, X-Ray links.',
    examples: [
      '/trace 865ccaad-ced0-4de5-aec3-b3692b2e06a0',
      '/trace ord-1042',
      '/trace bf769e94-4d48-4994-8c04-ebd00b51ecbd --share',
    ],
  },
  leadtime: {
    command: '/leadtime',
    syntax: '/leadtime [window] [--share]',
    summary:
      "Time between two milestones of a flow over a window (default 1h; the flow's first lead-time pair): p50/p90/p99/max, a histogram, the slowest traces and those that never arrived. Full form: `/leadtime [flow] [FROM..TO] [window]`.",
    examples: ['/leadtime', '/leadtime 24h', '/leadtime orders ORDER_RECEIVED..ORDER_SHIPPED 7d --share'],
  },
  cost: {
    command: '/cost',
    syntax: '/cost [week|30d|window] [--share]',
    summary:
      "Lambda cost per function from the REPORT lines (GB-seconds × the architecture's price + requests), against the previous period of the same length (default: week).",
    examples: ['/cost', '/cost 30d', '/cost 24h --share'],
  },
  help: {
    command: '/gumshoe',
    syntax: '/gumshoe help | flows [window]',
    summary:
      'This help; `flows` learns each flow from the last day of logs (milestones, order, functions, how often) and prints a ready config.',
    examples: ['/gumshoe help', '/gumshoe flows 7d'],
  },
} as const satisfies Record<string, CommandUsage>;

/** `--share` posts the answer in the channel instead of only to you. */
export const SHARE_NOTE = 'Add `--share` to post the answer in the channel; otherwise only you see it.';

/** The usage of one command (or all of them) as plain text, for error replies. */
export function usageText(kind?: keyof typeof COMMAND_USAGE): string {
  const list = kind ? [COMMAND_USAGE[kind]] : Object.values(COMMAND_USAGE);
  // Slack reads `<a|b>` as a link even inside code: the syntax's angle brackets are escaped.
  const lines = list.map((u) => `Usage: \`${escapeMrkdwn(u.syntax)}\` — ${u.summary}`);
  return [...lines, SHARE_NOTE].join('\n');
}
