import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Keeps the local SQS queues, messages and their receive state in one JSON file under the data
 * folder, so a restarted `npm start` still has every alarm that was queued. The file is replaced
 * atomically (write, then rename) after the operations that change it, coalesced per tick.
 */
export interface SqsSnapshotFile<Q> {
  load(): Q[];
  /** Asks for a save after the current tick; many changes in one tick make one write. */
  schedule(snapshot: () => Q[]): void;
  /** Writes at once (on close). */
  flush(snapshot: () => Q[]): void;
}

/** A snapshot file at `path`, or one that keeps nothing when `path` is undefined. */
export function sqsSnapshotFile<Q>(path: string | undefined): SqsSnapshotFile<Q> {
  if (path === undefined) return { load: () => [], schedule: () => undefined, flush: () => undefined };
  let pending = false;
  const write = (queues: Q[]): void => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(`${path}.tmp`, JSON.stringify({ version: 1, queues }));
    renameSync(`${path}.tmp`, path);
  };
  return {
    load() {
      try {
        const parsed = JSON.parse(readFileSync(path, 'utf8')) as { version?: number; queues?: Q[] };
        return parsed.version === 1 && Array.isArray(parsed.queues) ? parsed.queues : [];
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        // A torn or foreign file must not stop the stack: say so and start empty.
        process.stderr.write(`local-aws: could not read the SQS snapshot ${path}: ${String(error)}\n`);
        return [];
      }
    },
    schedule(snapshot) {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        try {
          write(snapshot());
        } catch (error) {
          process.stderr.write(`local-aws: could not save the SQS snapshot ${path}: ${String(error)}\n`);
        }
      });
    },
    flush(snapshot) {
      write(snapshot());
    },
  };
}
