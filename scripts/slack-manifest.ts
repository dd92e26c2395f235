import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** The placeholder in slack/manifest.template.yml that receives the bot's request URL. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a literal placeholder in the YAML template, not JS interpolation.
export const REQUEST_URL_PLACEHOLDER = '${SLACK_REQUEST_URL}';

/** The bot stack's part of `cdk deploy --outputs-file` (stack id `Gumshoe`). */
export const CdkOutputs = z.object({
  Gumshoe: z.object({
    FunctionUrl: z.url().refine((u) => u.startsWith('https://'), 'must be an https URL'),
  }),
});

/** A manifest could not be produced; the message says which input was wrong. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError';
}

/** The Slack request URL (Function URL + `slack/events`) from the parsed outputs file. */
export function requestUrlFrom(outputs: unknown): string {
  const parsed = CdkOutputs.safeParse(outputs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(
      `cdk outputs: ${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? 'invalid'} (deploy with --outputs-file cdk-outputs.json)`,
    );
  }
  return new URL('slack/events', parsed.data.Gumshoe.FunctionUrl).toString();
}

/** Fills the manifest template with the request URL and checks nothing is left unfilled. */
export function renderManifest(template: string, requestUrl: string): string {
  if (!template.includes(REQUEST_URL_PLACEHOLDER)) {
    throw new ManifestError(`template has no ${REQUEST_URL_PLACEHOLDER} placeholder`);
  }
  const manifest = template.replaceAll(REQUEST_URL_PLACEHOLDER, requestUrl);
  const leftover = /\$\{[A-Z_]+\}/.exec(manifest);
  if (leftover) throw new ManifestError(`template placeholder ${leftover[0]} has no value`);
  return manifest;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Reads the outputs file and the template, writes the manifest; returns the request URL used. */
export async function writeManifest(options: {
  outputs: string;
  template: string;
  out: string;
}): Promise<string> {
  let outputs: unknown;
  try {
    outputs = JSON.parse(await readFile(options.outputs, 'utf8'));
  } catch (cause) {
    throw new ManifestError(`cannot read ${options.outputs} as JSON`, { cause });
  }
  const requestUrl = requestUrlFrom(outputs);
  const template = await readFile(options.template, 'utf8');
  await writeFile(options.out, renderManifest(template, requestUrl));
  return requestUrl;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      outputs: { type: 'string', default: path.join(root, 'cdk-outputs.json') },
      template: { type: 'string', default: path.join(root, 'slack/manifest.template.yml') },
      out: { type: 'string', default: path.join(root, 'slack/manifest.yml') },
    },
  });
  const requestUrl = await writeManifest(values);
  console.log(`Wrote ${values.out} with request URL ${requestUrl}`);
  console.log('Paste it into https://api.slack.com/apps → Create New App → From a manifest.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error instanceof ManifestError ? `slack-manifest: ${error.message}` : error);
    process.exitCode = 1;
  });
}
