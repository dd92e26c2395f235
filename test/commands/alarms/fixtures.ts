import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads a JSON fixture from test/fixtures/<dir>/<name>. */
export function fixture(dir: 'alarms' | 'xray', name: string): unknown {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', dir, name), 'utf8'));
}
