// zod/mini: this runs on the Slack handler's ack path, where zod classic's load time counted.
import * as z from 'zod/mini';
import { InvalidInputError } from './errors';
import { COMMAND_USAGE, usageText } from './help/usage';
import { BUSINESS_ID, FLOW_NAME, MILESTONE_TOKEN, SessionId, XRayTraceId } from './query/quote';
import { parseTimeWindow, type TimeWindowSpec, TimeWindowSpec as TimeWindowSpecSchema } from './time-window';

/** The period of a /cost answer: a window length, `week` by default. */
export const CostPeriodSpec = TimeWindowSpecSchema;
export type CostPeriodSpec = TimeWindowSpec;

/** A slash command, understood: what to investigate and whether to post it for everyone. */
export type ParsedCommand =
  | { readonly kind: 'trace'; readonly id: string; readonly share: boolean }
  | {
      readonly kind: 'leadtime';
      readonly window: TimeWindowSpec;
      readonly share: boolean;
      /** Only when typed: the flow (else the first) and the pair (else the flow's default). */
      readonly flow?: string;
      readonly from?: string;
      readonly to?: string;
    }
  | { readonly kind: 'cost'; readonly period: CostPeriodSpec; readonly share: boolean }
  | { readonly kind: 'flows'; readonly window: TimeWindowSpec; readonly share: boolean }
  | { readonly kind: 'help' };

// Slash-command text is short; anything longer is a paste accident or an attack.
const MAX_TEXT = 200;
// Every token we accept is made of these; quotes, pipes, backticks and newlines never are.
const Token = z.string().check(z.regex(/^[A-Za-z0-9._:-]{1,80}$/));
const CommandName = z.enum(['/trace', '/leadtime', '/cost', '/gumshoe']);

const usageFor = (command: z.infer<typeof CommandName>) =>
  command === '/gumshoe'
    ? usageText()
    : usageText(command === '/trace' ? 'trace' : (command.slice(1) as 'leadtime' | 'cost'));

function invalid(reason: string, command: z.infer<typeof CommandName>, cause?: unknown): InvalidInputError {
  return new InvalidInputError(
    `invalid ${command} text: ${reason}`,
    `${reason}\n${usageFor(command)}`,
    cause === undefined ? undefined : { cause },
  );
}

/** Parses a slash command's text (tokens, `--share`, the id or window); hostile text throws InvalidInputError. */
export function parseCommandText(command: string, text: string): ParsedCommand {
  const name = CommandName.safeParse(command.trim().toLowerCase());
  if (!name.success) {
    throw new InvalidInputError(
      `unknown command ${command.slice(0, 40)}`,
      `Unknown command.\n${usageText()}`,
    );
  }
  const cmd = name.data;
  if (text.length > MAX_TEXT) throw invalid(`That text is too long (${text.length} characters).`, cmd);
  const tokens = text
    .trim()
    .split(/ +/)
    .filter((t) => t.length > 0);
  for (const token of tokens) {
    if (!Token.safeParse(token).success) {
      throw invalid('That text holds characters no id or window has.', cmd);
    }
  }
  const share = tokens.includes('--share');
  const args = tokens.filter((t) => t !== '--share');
  const most = cmd === '/leadtime' ? 3 : cmd === '/gumshoe' ? 2 : 1;
  if (args.length > most)
    throw invalid(
      `Expected at most ${most === 1 ? 'one argument' : `${most} arguments`}, got ${args.length}.`,
      cmd,
    );
  const arg = args[0];

  switch (cmd) {
    case '/gumshoe':
      if (arg === undefined || (arg.toLowerCase() === 'help' && args.length === 1)) return { kind: 'help' };
      if (arg.toLowerCase() === 'flows') {
        try {
          return { kind: 'flows', window: parseTimeWindow(args[1] ?? '24h'), share };
        } catch (error) {
          throw wrap(error, cmd);
        }
      }
      throw invalid(`Unknown subcommand \`${arg}\`.`, cmd);
    case '/trace': {
      if (arg === undefined) return { kind: 'help' };
      const id = SessionId.safeParse(arg);
      if (id.success) return { kind: 'trace', id: id.data, share };
      const xray = XRayTraceId.safeParse(arg);
      if (xray.success) return { kind: 'trace', id: xray.data, share };
      if (BUSINESS_ID.test(arg)) return { kind: 'trace', id: arg, share };
      throw invalid(
        'Expected an id: a business id (orderId, sessionId …), a correlation id or an X-Ray trace id.',
        cmd,
      );
    }
    case '/leadtime':
      try {
        return parseLeadTimeArgs(args, share);
      } catch (error) {
        throw wrap(error, cmd);
      }
    case '/cost':
      try {
        return { kind: 'cost', period: parseTimeWindow(arg ?? 'week'), share };
      } catch (error) {
        throw wrap(error, cmd);
      }
  }
}

// Names of Object.prototype never name a flow: a plain object used as a lookup table once found them.
const RESERVED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** `/leadtime [flow] [FROM..TO] [window]`, in any order: a window starts with a digit or is a named one. */
function parseLeadTimeArgs(args: readonly string[], share: boolean): ParsedCommand {
  let window: TimeWindowSpec | undefined;
  let flow: string | undefined;
  let pair: { from: string; to: string } | undefined;
  for (const arg of args) {
    const ends = arg.split('..');
    if (ends.length === 2) {
      const [from = '', to = ''] = ends;
      if (pair || !MILESTONE_TOKEN.test(from) || !MILESTONE_TOKEN.test(to))
        throw new InvalidInputError(`bad pair ${arg}`, 'Expected two milestones as `FROM..TO`.');
      pair = { from, to };
    } else if (!window && (/^\d/.test(arg) || !FLOW_NAME.test(arg) || RESERVED.has(arg))) {
      window = parseTimeWindow(arg);
    } else if (!flow && FLOW_NAME.test(arg) && !RESERVED.has(arg)) {
      flow = arg;
    } else {
      throw new InvalidInputError(
        `bad argument ${arg}`,
        `\`${arg}\` is neither a flow, a \`FROM..TO\` pair nor a window.`,
      );
    }
  }
  return {
    kind: 'leadtime',
    window: window ?? parseTimeWindow('1h'),
    share,
    ...(flow ? { flow } : {}),
    ...(pair ? pair : {}),
  };
}

function wrap(error: unknown, cmd: z.infer<typeof CommandName>): Error {
  if (error instanceof InvalidInputError) return invalid(error.userMessage, cmd, error);
  return error instanceof Error ? error : new Error(String(error));
}

/** The usage every command shares, for callers that need it without parsing. */
export { COMMAND_USAGE };
