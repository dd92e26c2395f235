import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManifestError, renderManifest, writeManifest } from '../../scripts/slack-manifest';

const TEMPLATE = path.resolve('slack/manifest.template.yml');
const FUNCTION_URL = 'https://abcdefghijklmnop.lambda-url.eu-west-1.on.aws/';

describe('slack-manifest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gumshoe-manifest-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('asks for the scope of every Web API method the bot calls, history included for the uncertain-post lookup', async () => {
    const template = await readFile(TEMPLATE, 'utf8');
    const scopes = [...template.matchAll(/^\s+- ([a-z.:]+)$/gm)].map((m) => m[1]);

    expect(scopes).toEqual(
      expect.arrayContaining(['commands', 'chat:write', 'files:write', 'channels:history', 'groups:history']),
    );
  });

  it('fills every request URL of the template from a cdk outputs file', async () => {
    const outputs = path.join(dir, 'cdk-outputs.json');
    await writeFile(
      outputs,
      JSON.stringify({
        ConferenceSession: { ApiUrl: 'https://x.execute-api.eu-west-1.amazonaws.com/' },
        Gumshoe: { FunctionUrl: FUNCTION_URL, SlackRequestUrl: `${FUNCTION_URL}slack/events` },
      }),
    );
    const out = path.join(dir, 'manifest.yml');

    const url = await writeManifest({ outputs, template: TEMPLATE, out });

    const manifest = await readFile(out, 'utf8');
    expect(url).toBe(`${FUNCTION_URL}slack/events`);
    // Four slash commands plus interactivity, all on the one request URL.
    expect(manifest.split(`${FUNCTION_URL}slack/events`).length - 1).toBe(5);
    expect(manifest).not.toContain('${');
    for (const command of ['/trace', '/leadtime', '/cost', '/gumshoe'])
      expect(manifest).toContain(`command: ${command}`);
  });

  it('refuses an outputs file without the bot stack, naming the missing key', async () => {
    const outputs = path.join(dir, 'partial.json');
    await writeFile(outputs, JSON.stringify({ ConferenceSession: {} }));

    await expect(
      writeManifest({ outputs, template: TEMPLATE, out: path.join(dir, 'x.yml') }),
    ).rejects.toThrow(/Gumshoe/);
  });

  it('refuses a plain-http Function URL, because Slack only calls https', async () => {
    const outputs = path.join(dir, 'http.json');
    await writeFile(outputs, JSON.stringify({ Gumshoe: { FunctionUrl: 'http://127.0.0.1:3200/' } }));

    await expect(
      writeManifest({ outputs, template: TEMPLATE, out: path.join(dir, 'y.yml') }),
    ).rejects.toThrow(ManifestError);
  });

  it('reports a placeholder the template has no value for', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: literal template placeholders under test.
    expect(() => renderManifest('url: ${SLACK_REQUEST_URL}\nother: ${OTHER}', 'https://a/')).toThrow(
      /\$\{OTHER\}/,
    );
  });
});
