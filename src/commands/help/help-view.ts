import { context, divider, escapeMrkdwn, header, type SlackMessage, section } from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import { COMMAND_USAGE, SHARE_NOTE, usageText } from './usage';

/** The help answer: every command's syntax, what it shows and examples. */
export function helpMessage(): SlackMessage {
  const blocks = [
    header('Gumshoe: incident investigation'),
    ...Object.values(COMMAND_USAGE).flatMap((u) => [
      section(
        `*\`${escapeMrkdwn(u.syntax)}\`*\n${u.summary}\n${u.examples.map((e) => `\`${e}\``).join('  ')}`,
      ),
    ]),
    divider(),
    context(SHARE_NOTE),
  ];
  return validateMessage(blocks, usageText());
}
