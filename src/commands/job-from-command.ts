import type { ParsedCommand } from './command-text';
import { GumshoeError } from './errors';
import { usageText } from './help/usage';
import type { TimeWindowSpec } from './time-window';

/** The jobs a slash command can ask for: a subset of InvestigationJob (jobs.ts), which re-exports this. */
export type CommandJob =
  | { kind: 'trace'; id: string }
  | { kind: 'leadtime'; window: TimeWindowSpec; flow?: string; from?: string; to?: string }
  | { kind: 'cost'; period: TimeWindowSpec }
  | { kind: 'flows'; window: TimeWindowSpec };

/**
 * The job a parsed command asks for. Help needs no job: answer it with helpMessage() before calling
 * this; a help command here is a bug in the edge and throws.
 */
export function jobFromCommand(parsed: ParsedCommand): CommandJob {
  switch (parsed.kind) {
    case 'trace':
      return { kind: 'trace', id: parsed.id };
    case 'leadtime':
      return {
        kind: 'leadtime',
        window: parsed.window,
        ...(parsed.flow ? { flow: parsed.flow } : {}),
        ...(parsed.from && parsed.to ? { from: parsed.from, to: parsed.to } : {}),
      };
    case 'flows':
      return { kind: 'flows', window: parsed.window };
    case 'cost':
      return { kind: 'cost', period: parsed.period };
    case 'help':
      throw new GumshoeError('help has no investigation job', usageText());
  }
}
