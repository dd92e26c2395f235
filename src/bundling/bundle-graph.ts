import type { Metafile } from 'esbuild';

/**
 * The inputs an entry reaches through static imports and requires only: what runs when the bundle
 * is imported. Modules reached only through `await import()` are parsed but evaluated on first use.
 */
export function staticallyReachable(metafile: Metafile, entrySuffix: string): string[] {
  const start = Object.keys(metafile.inputs).find((path) => path.endsWith(entrySuffix));
  if (start === undefined) return [];
  const seen = new Set([start]);
  const queue = [start];
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    for (const imported of metafile.inputs[path]?.imports ?? []) {
      if (imported.kind === 'dynamic-import' || imported.external || seen.has(imported.path)) continue;
      seen.add(imported.path);
      queue.push(imported.path);
    }
  }
  return [...seen];
}
