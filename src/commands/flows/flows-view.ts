import {
  type Block,
  codeBlock,
  context,
  escapeMrkdwn,
  formatScan,
  header,
  type SlackMessage,
  section,
} from '../slack/block-kit';
import { validateMessage } from '../slack/validate-message';
import { LEARN_IN_FLIGHT_MS, type LearnReport, type NamedLearnedFlow } from './learn-flows';
import { PARTIAL_BELOW } from './learn-graph';
import { LOG_FIELD_PRESETS, type LogFields } from './log-fields';

const pct = (share: number) => `${Math.round(share * 100)} %`;

/** One learned flow as monospace lines: milestone, function, what it follows, how often. */
export function formatLearnedFlow(flow: NamedLearnedFlow): string {
  const width = Math.max(...flow.milestones.map((m) => m.name.length));
  return flow.milestones
    .map((m) => {
      const flags = [
        m.frequency < PARTIAL_BELOW ? `partial: ${pct(m.frequency)} of traces` : '',
        m.retried > 0 ? `retried in ${pct(m.retried)}` : '',
      ].filter(Boolean);
      const after = m.after.length > 0 ? `after ${m.after.join(', ')}` : 'first';
      return `${m.name.padEnd(width)}  ${m.functionName ?? '?'}  ${after}${flags.length > 0 ? `  ⚠ ${flags.join(', ')}` : ''}`;
    })
    .join('\n');
}

// A flow name, milestone or field is already restricted to id characters; anything else is quoted.
const scalar = (v: string) => (/^[A-Za-z0-9_./@-]+$/.test(v) && !/^[0-9]/.test(v) ? v : JSON.stringify(v));

function fieldOverrides(fields: LogFields): string[] {
  const base = LOG_FIELD_PRESETS.gumshoe;
  const lines: string[] = [];
  for (const key of Object.keys(base) as (keyof LogFields)[]) {
    if (key === 'prelude') continue;
    const value = fields[key];
    if (typeof value === 'string' && value !== base[key]) lines.push(`      ${key}: ${scalar(value)}`);
  }
  return lines.length > 0 ? ['    fields:', ...lines] : [];
}

/**
 * The learned flows as a config file, ready for GUMSHOE_CONFIG. Written by hand rather than with
 * a YAML library: src/commands imports nothing but zod, and the shape is fixed and small.
 */
export function learnedConfigYaml(flows: readonly NamedLearnedFlow[]): string {
  const lines = [
    '# Learned by Gumshoe from the logs; check the business ids and the partial milestones.',
    'version: 1',
    'flows:',
  ];
  for (const flow of flows) {
    lines.push(`  - name: ${scalar(flow.name)}`);
    lines.push(
      `    businessIds: [${(flow.businessIds.length > 0 ? flow.businessIds : ['CHANGE_ME_businessId']).map(scalar).join(', ')}]`,
    );
    if (flow.logFormat) lines.push(`    logFormat: ${flow.logFormat}`);
    else lines.push(...fieldOverrides(flow.fields));
    lines.push('    milestones:');
    for (const m of flow.milestones) {
      lines.push(`      - name: ${scalar(m.name)}`);
      if (m.functionName && /^[A-Za-z0-9_-]{1,64}$/.test(m.functionName))
        lines.push(`        function: ${scalar(m.functionName)}`);
      if (m.after.length === 1) lines.push(`        after: ${scalar(m.after[0] ?? '')}`);
      else if (m.after.length > 1) lines.push(`        after: [${m.after.map(scalar).join(', ')}]`);
      if (m.frequency < PARTIAL_BELOW)
        lines.push(`        optional: true  # in ${pct(m.frequency)} of traces`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The `/gumshoe flows` answer: each learned flow's graph, the partial milestones flagged, and the config. */
export function flowsMessage(report: LearnReport): SlackMessage {
  const blocks: Block[] = [header(`Flows learned from the last ${report.window.label}`)];
  if (report.flows.length === 0) {
    blocks.push(
      section(
        `No complete trace with milestones in this window. Traces that began in the last ${LEARN_IN_FLIGHT_MS / 60_000} minutes are left out, as they may still be in flight. Log a \`milestone\` field beside the correlation id (README: "Point Gumshoe at your service"), or try a longer window.`,
      ),
    );
  }
  for (const flow of report.flows) {
    const configured = report.configured.includes(flow.name) ? ' (configured)' : '';
    blocks.push(
      section(
        `*${escapeMrkdwn(flow.name)}*${configured} · ${flow.traces} complete trace(s) · correlation \`${flow.fields.correlation}\`${flow.businessIds.length > 0 ? ` · ids ${flow.businessIds.map((b) => `\`${b}\``).join(', ')}` : ''}`,
      ),
      codeBlock(formatLearnedFlow(flow)),
    );
  }
  if (report.flows.length > 0) {
    blocks.push(
      section('*Ready config* (save as a file and set `GUMSHOE_CONFIG` to it):'),
      codeBlock(learnedConfigYaml(report.flows)),
    );
  }
  if (report.capped)
    blocks.push(context('The logs held more traces than one query returns: learned from the newest.'));
  blocks.push(context(formatScan(report.scan)));
  const text = `Flows learned from the last ${report.window.label}: ${report.flows.map((f) => `${f.name} (${f.milestones.length} milestones)`).join(', ') || 'none'}`;
  return validateMessage(blocks, text);
}
