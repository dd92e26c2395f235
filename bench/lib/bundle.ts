import { statSync } from 'node:fs';
import { build, type Metafile } from 'esbuild';
import { lambdaEsbuildOptions } from '../../src/bundling/lambda-esbuild';

// ESM output still holds CJS packages (Bolt, axios) that call require(); give them one.
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

/** Options of {@link bundleLambda}. */
export interface BundleOptions {
  /**
   * Apply the shared Lambda options our deployed functions and local runner use
   * (`lambdaEsbuildOptions`: express, raw-body, @slack/socket-mode and @slack/oauth replaced by a
   * throwing stub; ESM-first main fields). Without it the bundle is built the standard way.
   */
  lambdaOptions?: boolean;
  /** Write a linked source map without sources, as CDK's `sourceMap: true, sourcesContent: false` does. */
  sourceMap?: boolean;
}

/** A bundle written to disk and what went into it. */
export interface BundleResult {
  outfile: string;
  bytes: number;
  /** The source map's size (0 without one). */
  mapBytes: number;
  metafile: Metafile;
}

/** Where {@link bundleLambda} reads from: a file, or source text resolved from a directory. */
export type BundleEntry = { file: string } | { contents: string; resolveDir: string };

/**
 * Bundles a Lambda entry the way our deploy does (esbuild, ESM for Node 22, minified, with a
 * createRequire banner), so both benchmark variants pay the same bundling rules.
 */
export async function bundleLambda(
  entry: BundleEntry,
  outfile: string,
  options: BundleOptions = {},
): Promise<BundleResult> {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, loader: 'ts' as const } }),
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    metafile: true,
    logLevel: 'error',
    banner: { js: CREATE_REQUIRE_BANNER },
    ...(options.lambdaOptions ? lambdaEsbuildOptions() : {}),
    ...(options.sourceMap ? { sourcemap: 'linked' as const, sourcesContent: false } : {}),
  });
  const mapBytes = options.sourceMap ? statSync(`${outfile}.map`).size : 0;
  return { outfile, bytes: statSync(outfile).size, mapBytes, metafile: result.metafile };
}

/** The npm package (or `(our code)`) a bundled input path belongs to. */
export function packageOf(inputPath: string): string {
  const at = inputPath.lastIndexOf('node_modules/');
  if (at < 0) return '(our code)';
  const rest = inputPath.slice(at + 'node_modules/'.length).split('/');
  return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? '?');
}

/** Bytes each package contributes to the bundle's output, largest first. */
export function bytesByPackage(metafile: Metafile): Array<{ name: string; bytes: number }> {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

export { staticallyReachable } from '../../src/bundling/bundle-graph';
