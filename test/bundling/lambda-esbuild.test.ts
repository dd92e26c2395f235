import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  LAMBDA_MAIN_FIELDS,
  LAMBDA_TRIMMED_PACKAGES,
  lambdaEsbuildAlias,
  lambdaEsbuildArgs,
  lambdaEsbuildOptions,
  UNBUNDLED_ON_LAMBDA_STUB,
} from '../../src/bundling/lambda-esbuild';

type BoltExports = {
  AwsLambdaReceiver: new (options: { signingSecret: string }) => { toHandler(): unknown };
  HTTPReceiver: new (options: {
    signingSecret: string;
    clientId?: string;
    clientSecret?: string;
    stateSecret?: string;
  }) => unknown;
  ExpressReceiver: new (options: { signingSecret: string }) => unknown;
  SocketModeReceiver: new (options: { appToken: string }) => unknown;
};

describe('the shared Lambda Bolt trim', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gumshoe-trim-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders one --alias entry per trimmed package for CDK esbuildArgs', () => {
    expect(lambdaEsbuildArgs()['--alias']).toEqual(
      LAMBDA_TRIMMED_PACKAGES.map((name) => `${name}=${UNBUNDLED_ON_LAMBDA_STUB}`),
    );
  });

  it('shares the alias and ESM-first main fields with the local runner and the bench', () => {
    expect(lambdaEsbuildOptions()).toEqual({
      alias: lambdaEsbuildAlias(),
      mainFields: ['module', 'main'],
      keepNames: true,
    });
    expect(LAMBDA_MAIN_FIELDS).toEqual(['module', 'main']);
  });

  it('bundles Bolt without express, ws, raw-body or OAuth; AwsLambdaReceiver works and the other receivers throw', async () => {
    const outfile = join(dir, 'bolt.mjs');
    const result = await build({
      stdin: {
        contents:
          "export { AwsLambdaReceiver, ExpressReceiver, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';",
        resolveDir: process.cwd(),
        loader: 'ts',
      },
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      metafile: true,
      logLevel: 'silent',
      alias: lambdaEsbuildAlias(),
      banner: {
        js: "import { createRequire as __c } from 'node:module'; const require = __c(import.meta.url);",
      },
    });
    const inputs = Object.keys(result.metafile.inputs);
    for (const dropped of [
      'node_modules/express/',
      'node_modules/ws/',
      'node_modules/raw-body/',
      'node_modules/undici/',
      'node_modules/@slack/oauth/',
      'node_modules/jsonwebtoken/',
      'node_modules/semver/',
    ]) {
      expect(inputs.filter((path) => path.includes(dropped))).toEqual([]);
    }
    expect(inputs.some((path) => path.includes('@slack/bolt/dist/receivers/AwsLambdaReceiver'))).toBe(true);

    const bolt = (await import(pathToFileURL(outfile).href)) as BoltExports;
    expect(typeof new bolt.AwsLambdaReceiver({ signingSecret: 'secret' }).toHandler()).toBe('function');
    expect(() => new bolt.ExpressReceiver({ signingSecret: 'secret' })).toThrow(/not bundled for Lambda/);
    expect(() => new bolt.SocketModeReceiver({ appToken: 'xapp-1' })).toThrow(/not bundled for Lambda/);
    // An OAuth install flow needs @slack/oauth's InstallProvider: it fails at construction, not later.
    expect(
      () =>
        new bolt.HTTPReceiver({
          signingSecret: 'secret',
          clientId: 'c',
          clientSecret: 's',
          stateSecret: 'x',
        }),
    ).toThrow(/not bundled for Lambda/);
  });
});
