import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLambdaRunner, type LambdaRunner, MemoryLogSink } from '../../src/local/runner';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

interface Where {
  moduleUrl: string;
  execArgv?: string[];
}

describe('createLambdaRunner bundling', () => {
  let buildDir: string;
  let bundled: LambdaRunner;
  let plain: LambdaRunner;
  const stderr = vi.spyOn(process.stderr, 'write');

  beforeAll(async () => {
    buildDir = await mkdtemp(join(tmpdir(), 'gumshoe-bundle-test-'));
    const common = {
      awsEndpointUrl: 'http://127.0.0.1:9',
      region: 'eu-west-1',
      logSink: new MemoryLogSink(),
    };
    bundled = createLambdaRunner({
      ...common,
      buildDir,
      functions: [
        { name: 'where', entry: fixture('where') },
        { name: 'unbundlable', entry: fixture('unbundlable') },
      ],
    });
    plain = createLambdaRunner({
      ...common,
      bundle: false,
      functions: [{ name: 'where', entry: fixture('where') }],
    });
    await bundled.ready();
  });

  afterAll(async () => {
    await plain?.close();
    await rm(buildDir, { recursive: true, force: true });
    stderr.mockRestore();
  });

  it('loads an esbuild bundle with plain node, without the tsx loader', async () => {
    const result = await bundled.invoke('where', {});
    const where = result.payload as Where;

    expect(where.moduleUrl).toMatch(
      new RegExp(`^file://${buildDir}/run-[^/]+/(\\d+/)?where-[A-Z0-9]+\\.mjs$`),
    );
    expect(where.execArgv).toEqual([]);
  });

  it('loads the TypeScript entry through tsx when bundling is off', async () => {
    const result = await plain.invoke('where', {});
    const where = result.payload as Where;

    expect(where.moduleUrl).toBe(`file://${fixture('where')}`);
    expect(where.execArgv?.join(' ')).toContain('tsx');
  });

  it('falls back to tsx for a module esbuild cannot bundle, and says so', async () => {
    const result = await bundled.invoke('unbundlable', {});

    expect((result.payload as Where).moduleUrl).toBe(`file://${fixture('unbundlable')}`);
    const said = stderr.mock.calls.map(([chunk]) => String(chunk)).join('');
    expect(said).toContain(`local runner: could not bundle ${fixture('unbundlable')}`);
    expect(said).toContain('Could not resolve "./no-such-module"');
    expect(said).toContain('loading it with tsx');
  });

  it('deletes its build folder on close', async () => {
    expect((await readdir(buildDir)).length).toBe(1);

    await bundled.close();

    expect(await readdir(buildDir)).toEqual([]);
  });
});
