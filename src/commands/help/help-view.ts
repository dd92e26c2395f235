import { context, divider, escapeMrkdwn, header, type SlackMessage, section } from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import { COMMAND_USAGE, SHARE_NOTE, usageText } from './usage';

/** What help says about one configured flow. */
export interface FlowSummary {
  readonly name: string;
  readonly description?: string | undefined;
  readonly businessIds: readonly string[];
  readonly milestones: readonly string[];
}

/** The flows part of help: each flow's ids and milestones, or how to get flows. */
export function flowsHelpText(flows: readonly FlowSummary[] | undefined): string {
  if (!flows)
    return '*Flows:* none configured (`GUMSHOE_CONFIG`); `/trace` searches ids anywhere and `/gumshoe flows` learns them.';
  return [
    '*Flows*',
    ...flows.map(
      (f) =>
        `• \`${f.name}\`${f.description ? ` ${escapeMrkdwn(f.description)}` : ''} · ids ${f.businessIds.map((b) => `\`${b}\``).join(', ')} · ${f.milestones.map((m) => `\`${m}\``).join(' → ')}`,
    ),
  ].join('\n');
}

/** The help answer: every command's syntax, what it shows and examples, and the flows when known. */
export function helpMessage(flows?: readonly FlowSummary[] | null): SlackMessage {
  const blocks = [
    header('Gumshoe: incident investigation'),
    ...Object.values(COMMAND_USAGE).flatMap((u) => [
      section(
        `*\`${escapeMrkdwn(u.syntax)}\`*\n${u.summary}\n${u.examples.map((e) => `\`${e}\``).join('  ')}`,
      ),
    ]),
    ...(flows === undefined ? [] : [divider(), section(flowsHelpText(flows ?? undefined))]),
    divider(),
    context(SHARE_NOTE),
  ];
  return validateMessage(blocks, usageText());
}
