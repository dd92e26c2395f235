import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { staticallyReachable } from '../../src/bundling/bundle-graph';
import { lambdaEsbuildOptions } from '../../src/bundling/lambda-esbuild';

// zod's share of the unminified bundle: about 225 KiB with namespace imports, about 800 KiB with one `{ z }` import.
const ZOD_BYTES_LIMIT = 300 * 1024;

describe('the Slack handler bundle (cold start)', () => {
  it('evaluates no zod classic, no investigation and no SDK client but Lambda’s and DynamoDB’s at load; they wait behind await import()', async () => {
    const entry = 'src/bot/handlers/slack-events.ts';
    const { metafile } = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      outdir: 'unused',
      platform: 'node',
      format: 'esm',
      target: 'node22',
      metafile: true,
      logLevel: 'silent',
      ...lambdaEsbuildOptions(),
    });
    const atLoad = staticallyReachable(metafile, entry);

    expect(atLoad.some((path) => path.includes('@aws-sdk/client-lambda/'))).toBe(true);
    // Every request's replay claim is one conditional PutItem: the plain DynamoDB client is on the ack
    // path (about 40 KiB beside the Lambda client), the document client is not.
    expect(atLoad.some((path) => path.includes('@aws-sdk/client-dynamodb/'))).toBe(true);
    expect(atLoad.some((path) => path.includes('node_modules/zod/v4/mini/'))).toBe(true);
    for (const deferred of [
      'node_modules/zod/v4/classic/',
      '@aws-sdk/lib-dynamodb/',
      '@aws-sdk/client-cloudwatch/',
      '@aws-sdk/client-secrets-manager/',
      'src/commands/jobs.ts',
      'src/commands/alarms/',
      'src/bot/listeners/alarm-actions.ts',
      'src/commands/help/help-view.ts',
    ]) {
      expect(atLoad.filter((path) => path.includes(deferred))).toEqual([]);
    }
    // Still in the bundle, for the first alarm click or help.
    expect(Object.keys(metafile.inputs).some((path) => path.includes('node_modules/zod/v4/classic/'))).toBe(
      true,
    );
    // Even unevaluated, bundled code is parsed at every cold start. `import { z } from 'zod'` keeps
    // all of zod (every locale); `import * as z` lets esbuild drop what is unused.
    const zodBytes = Object.entries(Object.values(metafile.outputs)[0]?.inputs ?? {})
      .filter(([path]) => path.includes('node_modules/zod/'))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0);
    expect(zodBytes).toBeLessThan(ZOD_BYTES_LIMIT);
  });
});
