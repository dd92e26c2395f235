import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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
