import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { ConferenceStack } from '../../infra/lib/conference-stack';
import { buildGumshoeApp, type GumshoeStacks, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';

/** The two synthesized templates of one Gumshoe app. */
export interface GumshoeTemplates {
  readonly conference: Template;
  readonly bot: Template;
}

/** Synthesizes both stacks without bundling the Lambda assets (the templates are the same). */
export function synthGumshoe(context: Record<string, unknown> = {}): GumshoeTemplates {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], channelId: 'C0123ABCD', ...context },
  });
  const stacks = buildGumshoeApp(app, PROJECT_ROOT);
  return { conference: Template.fromStack(conferenceOf(stacks)), bot: Template.fromStack(stacks.bot) };
}

/** The conference stack of an app built with the example's default wiring. */
export function conferenceOf(stacks: GumshoeStacks): ConferenceStack {
  if (!stacks.conference) throw new Error('the app has no conference stack (the bot stands alone)');
  return stacks.conference;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Every resource of a template by logical id. */
export function resourcesOf(template: Template): Record<string, Resource> {
  return (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
}

/** The bot stack of an app built from `context`, with cdk-nag run over it; `nag` is what synthesis threw. */
export function synthBot(
  context: Record<string, unknown>,
  options: { bundle?: boolean; outdir?: string } = {},
): { stacks: GumshoeStacks; bot: Template; nag: string } {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      'aws:cdk:bundling-stacks': options.bundle ? ['Gumshoe'] : [],
      channelId: 'C0123ABCD',
      ...context,
    },
  });
  const stacks = buildGumshoeApp(app, PROJECT_ROOT);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let nag = 'none';
  try {
    app.synth();
  } catch (error) {
    nag = String(error);
  }
  return { stacks, bot: Template.fromStack(stacks.bot), nag };
}
