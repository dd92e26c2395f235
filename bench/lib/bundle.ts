import { statSync } from 'node:fs';
import { build, type Metafile, type Plugin } from 'esbuild';

// ESM output still holds CJS packages (Bolt, axios) that call require(); give them one.
const CREATE_REQUIRE_BANNER =
  "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);";

// Bolt modules a Lambda receiver never runs, and what stands in for each: a class (receivers
// imported as default exports) or a function (raw-body), both throwing if ever used.
const BOLT_UNUSED_ON_LAMBDA = /^(\.\/receivers\/|\.\/)(ExpressReceiver|SocketModeReceiver)$|^raw-body$/;

/**
 * Stubs Bolt's Express and Socket Mode receivers and raw-body. Bolt's CommonJS index requires every
 * receiver, so esbuild cannot drop them, and they pull in express, body-parser, iconv-lite,
 * mime-db, @slack/socket-mode, undici and ws; AwsLambdaReceiver uses none of them.
 */
export const trimBoltReceiversPlugin: Plugin = {
  name: 'trim-bolt-receivers',
  setup(plugin) {
    plugin.onResolve({ filter: BOLT_UNUSED_ON_LAMBDA }, (args) =>
      args.importer.includes('node_modules/@slack/bolt/')
        ? { path: args.path, namespace: 'bolt-unused-on-lambda' }
        : undefined,
    );
    plugin.onLoad({ filter: /.*/, namespace: 'bolt-unused-on-lambda' }, (args) => {
      const message = JSON.stringify(`${args.path} is not bundled for Lambda`);
      const contents =
        args.path === 'raw-body'
          ? `module.exports = function rawBodyUnbundled() { throw new Error(${message}); };`
          : `class Unbundled { constructor() { throw new Error(${message}); } }
module.exports = { __esModule: true, default: Unbundled };`;
      return { contents, loader: 'js' };
    });
  },
};

/** Options of {@link bundleLambda}. */
export interface BundleOptions {
  /** Apply {@link trimBoltReceiversPlugin}. */
  trimBoltReceivers?: boolean;
}

/** A bundle written to disk and what went into it. */
export interface BundleResult {
  outfile: string;
  bytes: number;
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
    plugins: options.trimBoltReceivers ? [trimBoltReceiversPlugin] : [],
  });
  return { outfile, bytes: statSync(outfile).size, metafile: result.metafile };
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
