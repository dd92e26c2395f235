import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TIME_ZONE, InfraConfigError, readConfig } from '../../infra/lib/config';
import { buildGumshoeApp, PROJECT_ROOT } from '../../infra/lib/gumshoe-app';

const cdkJson = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
  context: Record<string, unknown>;
};
const deployDoc = readFileSync(path.join(PROJECT_ROOT, 'docs/deploy.md'), 'utf8');

/** The default column of a key's row in docs/deploy.md's configuration table. */
function documentedDefault(key: string): string {
  const row = deployDoc.split('\n').find((line) => line.startsWith(`| \`${key}\` |`));
  if (!row) throw new Error(`docs/deploy.md has no row for ${key}`);
  return row.split('|')[3]?.trim() ?? '';
}

describe('deploy configuration', () => {
  it('refuses to build the app without a channel, saying how to pass one', () => {
    const app = new App({ context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });

    const build = () => buildGumshoeApp(app, PROJECT_ROOT);

    expect(build).toThrow(InfraConfigError);
    expect(build).toThrow(/channelId is required: deploy with `-c channelId=C/);
  });

  it('has no channel in cdk.json, so a forgotten -c channelId cannot deploy to a made-up one', () => {
    expect(cdkJson.context).not.toHaveProperty('channelId');
    expect(() => readConfig((key) => cdkJson.context[key])).toThrow(/channelId is required/);
  });

  it('refuses a channel name where a channel id is expected', () => {
    expect(() => readConfig((key) => ({ channelId: '#incidents' })[key])).toThrow(
      /channelId: a Slack channel id such as C0123ABCD/,
    );
  });

  it('documents the schedule time zone a deploy from this repository really gets', () => {
    const effective = readConfig((key) => ({ ...cdkJson.context, channelId: 'C0123ABCD' })[key]).timeZone;

    expect(effective).toBe(cdkJson.context.timeZone ?? DEFAULT_TIME_ZONE);
    expect(documentedDefault('timeZone')).toMatch(new RegExp(`^\`${effective}\``));
  });

  it('documents channelId as required with no default', () => {
    expect(deployDoc).toMatch(/\| `channelId` \| yes \| none/);
  });
});
