import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { lambdaEsbuildOptions } from '../../bundling/lambda-esbuild';

/** Where and what the runner bundles. */
export interface HandlerBundlerOptions {
  /** Every handler module the runner may load; they are built together, sharing chunks. */
  entries: string[];
  /** Parent of the build folder; `<os tmpdir>/gumshoe-build` when undefined. */
  outDir?: string;
  /** Told (with esbuild's first error) when a module cannot be bundled and falls back to tsx. */
  onFallback?: (entry: string, reason: string) => void;
}

/** A module an environment can load: plain node for a bundle, the tsx loader for TypeScript sources. */
export interface LoadableModule {
  path: string;
  bundled: boolean;
}

/** Bundles handler modules with esbuild once, as Lambda runs a bundle rather than TypeScript. */
export interface HandlerBundler {
  /** The bundle of `entry`, or the entry itself (bundled: false) when bundling failed. */
  bundle(entry: string): Promise<LoadableModule>;
  /** The bootstrap the environments run, bundled likewise. */
  bootstrap(): Promise<LoadableModule>;
  /** Deletes the build folder. */
  dispose(): Promise<void>;
}

const bootstrapSource = fileURLToPath(new URL('./bootstrap.ts', import.meta.url));

// ESM output has no `require`, `__filename` or `__dirname`; CommonJS dependencies bundled into it
// (parts of Bolt and the AWS SDK) still call them.
const banner = [
  "import { createRequire as __gumshoeCreateRequire } from 'node:module';",
  "import { fileURLToPath as __gumshoeFileURLToPath } from 'node:url';",
  "import { dirname as __gumshoeDirname } from 'node:path';",
  'const require = __gumshoeCreateRequire(import.meta.url);',
  'const __filename = __gumshoeFileURLToPath(import.meta.url);',
  'const __dirname = __gumshoeDirname(__filename);',
].join('\n');

/** Creates a bundler that builds every entry (and the bootstrap) in one esbuild run, on first use. */
export function createHandlerBundler(options: HandlerBundlerOptions): HandlerBundler {
  const parent = options.outDir ?? join(tmpdir(), 'gumshoe-build');
  let folder: Promise<string> | undefined;
  let built: Promise<Map<string, LoadableModule>> | undefined;
  const sources = [...new Set([bootstrapSource, ...options.entries].map((entry) => resolve(entry)))];

  // One folder per bundler: stacks in parallel test workers never overwrite each other's files.
  const outFolder = (): Promise<string> => {
    folder ??= mkdir(parent, { recursive: true }).then(() => mkdtemp(join(parent, 'run-')));
    return folder;
  };

  async function buildInto(outdir: string, entries: string[]): Promise<Map<string, LoadableModule>> {
    const settings: BuildOptions = {
      entryPoints: entries,
      bundle: true,
      // Shared chunks: the AWS SDK and zod are parsed once for all the functions, not eight times.
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outdir,
      outExtension: { '.js': '.mjs' },
      entryNames: '[name]-[hash]',
      banner: { js: banner },
      // The same Bolt trim as the deployed functions, so local cold starts match theirs.
      ...lambdaEsbuildOptions(),
      // A linked map costs nothing at load; NODE_OPTIONS=--enable-source-maps in the function's
      // env uses it, as in Lambda.
      sourcemap: 'linked',
      metafile: true,
      minifyWhitespace: true,
      minifySyntax: true,
      logLevel: 'silent',
    };
    const result = await build(settings);
    const modules = new Map<string, LoadableModule>();
    for (const [output, meta] of Object.entries(result.metafile?.outputs ?? {})) {
      if (meta.entryPoint !== undefined)
        modules.set(resolve(meta.entryPoint), { path: resolve(output), bundled: true });
    }
    return modules;
  }

  async function buildAll(): Promise<Map<string, LoadableModule>> {
    const outdir = await outFolder();
    try {
      return await buildInto(outdir, sources);
    } catch {
      // One broken module must not cost the others their bundle: build each alone.
      const modules = new Map<string, LoadableModule>();
      for (const [index, entry] of sources.entries()) {
        try {
          const single = await buildInto(join(outdir, String(index)), [entry]);
          for (const [key, value] of single) modules.set(key, value);
        } catch (error) {
          options.onFallback?.(entry, firstError(error));
        }
      }
      return modules;
    }
  }

  async function find(entry: string): Promise<LoadableModule> {
    built ??= buildAll();
    return (await built).get(resolve(entry)) ?? { path: entry, bundled: false };
  }

  return {
    bundle: find,
    bootstrap: () => find(bootstrapSource),
    async dispose() {
      if (folder === undefined) return;
      await built?.catch(() => undefined);
      await rm(await folder, { recursive: true, force: true });
    },
  };
}

// esbuild's own message is only "Build failed with 1 error"; the useful text is in `errors`.
function firstError(error: unknown): string {
  const first = (
    error as { errors?: { text?: string; location?: { file?: string; line?: number } | null }[] }
  ).errors?.[0];
  if (first?.text) {
    const where = first.location?.file ? ` at ${first.location.file}:${first.location.line ?? 0}` : '';
    return `${first.text}${where}`;
  }
  return error instanceof Error ? error.message : String(error);
}
