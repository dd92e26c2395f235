import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';

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
  return { conference: Template.fromStack(stacks.conference), bot: Template.fromStack(stacks.bot) };
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Every resource of a template by logical id. */
export function resourcesOf(template: Template): Record<string, Resource> {
  return (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
}
