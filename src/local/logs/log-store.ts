import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredLogEvent } from './log-event';

/** One event as a writer hands it over (times in epoch ms). */
export interface InputLogEvent {
  readonly timestamp: number;
  readonly message: string;
}

/** A log group's description, as DescribeLogGroups needs it. */
export interface LogGroupInfo {
  readonly name: string;
  readonly creationTime: number;
  readonly storedBytes: number;
}

/** A log stream's description, as DescribeLogStreams needs it. */
export interface LogStreamInfo {
  readonly name: string;
  readonly creationTime: number;
  readonly firstEventTimestamp: number | undefined;
  readonly lastEventTimestamp: number | undefined;
  readonly lastIngestionTime: number | undefined;
  readonly storedBytes: number;
}

interface Stream {
  readonly name: string;
  readonly creationTime: number;
  /** Kept sorted by timestamp (then arrival), so reads are binary searches and merges. */
  readonly events: StoredLogEvent[];
  storedBytes: number;
  lastIngestionTime: number | undefined;
}

interface Group {
  readonly name: string;
  readonly creationTime: number;
  readonly streams: Map<string, Stream>;
  storedBytes: number;
}

/** One NDJSON line of a group's file: the group, a stream, or an event. */
type Line =
  | { readonly k: 'g'; readonly c: number }
  | { readonly k: 's'; readonly s: string; readonly c: number }
  | {
      readonly k: 'e';
      readonly s: string;
      readonly t: number;
      readonly i: number;
      readonly m: string;
      readonly id: string;
    };

/**
 * The local CloudWatch Logs store: groups → streams → events, each group persisted as an
 * append-only NDJSON file under `<dataDir>/logs/` (loaded on open) or kept in memory only.
 */
export class LogStore {
  private readonly groupsByName = new Map<string, Group>();
  private sequence = 0;

  private constructor(private readonly directory: string | undefined) {}

  /** Opens the store, loading every group file under `<dataDir>/logs/` when a data folder is given. */
  static open(dataDir?: string): LogStore {
    const directory = dataDir === undefined ? undefined : join(dataDir, 'logs');
    const store = new LogStore(directory);
    if (directory) {
      mkdirSync(directory, { recursive: true });
      for (const file of readdirSync(directory)
        .filter((f) => f.endsWith('.ndjson'))
        .sort()) {
        const text = readFileSync(join(directory, file), 'utf8');
        // Terminate a torn last line (crash mid-write) so the next append starts a clean line.
        if (text.length > 0 && !text.endsWith('\n')) appendFileSync(join(directory, file), '\n');
        store.load(decodeURIComponent(file.slice(0, -'.ndjson'.length)), text);
      }
    }
    return store;
  }

  /** Creates a group; false when it already exists. */
  createGroup(name: string, now = Date.now()): boolean {
    if (this.groupsByName.has(name)) return false;
    this.groupsByName.set(name, { name, creationTime: now, streams: new Map(), storedBytes: 0 });
    this.persist(name, [{ k: 'g', c: now }]);
    return true;
  }

  /** Creates a stream in an existing group; false when the stream already exists. */
  createStream(groupName: string, streamName: string, now = Date.now()): boolean {
    const group = this.requireGroup(groupName);
    if (group.streams.has(streamName)) return false;
    group.streams.set(streamName, newStream(streamName, now));
    this.persist(groupName, [{ k: 's', s: streamName, c: now }]);
    return true;
  }

  /** True when the group exists. */
  hasGroup(name: string): boolean {
    return this.groupsByName.has(name);
  }

  /** True when the stream exists in the group. */
  hasStream(groupName: string, streamName: string): boolean {
    return this.groupsByName.get(groupName)?.streams.has(streamName) ?? false;
  }

  /** Every group, sorted by name as DescribeLogGroups lists them. */
  listGroups(): LogGroupInfo[] {
    return [...this.groupsByName.values()]
      .map((g) => ({ name: g.name, creationTime: g.creationTime, storedBytes: g.storedBytes }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** The streams of a group, sorted by name. */
  listStreams(groupName: string): LogStreamInfo[] {
    return [...this.requireGroup(groupName).streams.values()]
      .map((s) => ({
        name: s.name,
        creationTime: s.creationTime,
        firstEventTimestamp: s.events[0]?.timestamp,
        lastEventTimestamp: s.events.at(-1)?.timestamp,
        lastIngestionTime: s.lastIngestionTime,
        storedBytes: s.storedBytes,
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /**
   * Appends events in-process (the fast path for local writers); creates the group and stream
   * when missing, since a Lambda's log group appears on its first write in AWS too.
   */
  append(
    groupName: string,
    streamName: string,
    events: readonly InputLogEvent[],
    now = Date.now(),
  ): StoredLogEvent[] {
    if (!this.groupsByName.has(groupName)) this.createGroup(groupName, now);
    if (!this.hasStream(groupName, streamName)) this.createStream(groupName, streamName, now);
    const stored = events.map((e) => ({
      logGroupName: groupName,
      logStreamName: streamName,
      timestamp: e.timestamp,
      ingestionTime: now,
      message: e.message,
      eventId: this.nextEventId(e.timestamp),
    }));
    for (const event of stored) this.insert(event);
    this.persist(
      groupName,
      stored.map((e) => ({
        k: 'e',
        s: streamName,
        t: e.timestamp,
        i: e.ingestionTime,
        m: e.message,
        id: e.eventId,
      })),
    );
    return stored;
  }

  /** The events of one stream within [startMs, endMs), in timestamp order. */
  streamEvents(
    groupName: string,
    streamName: string,
    startMs = -Infinity,
    endMs = Infinity,
  ): StoredLogEvent[] {
    const stream = this.requireGroup(groupName).streams.get(streamName);
    if (!stream) throw new LogStoreError(`The specified log stream does not exist: ${streamName}`);
    return stream.events.slice(lowerBound(stream.events, startMs), lowerBound(stream.events, endMs));
  }

  /**
   * The events of the given groups (and optionally only some streams) within [startMs, endMs]
   * inclusive, merged across streams in timestamp order; lazily, so a `limit` stops early.
   */
  *scan(
    groupNames: readonly string[],
    startMs: number,
    endMs: number,
    streamNames?: ReadonlySet<string>,
  ): Iterable<StoredLogEvent> {
    const cursors: Cursor[] = [];
    for (const groupName of groupNames) {
      for (const stream of this.groupsByName.get(groupName)?.streams.values() ?? []) {
        if (streamNames && !streamNames.has(stream.name)) continue;
        const start = lowerBound(stream.events, startMs);
        if (start < stream.events.length) cursors.push({ events: stream.events, index: start });
      }
    }
    // A binary heap on the head timestamps: events arrive nearly sorted per stream, so a
    // k-way merge costs O(n log k) with k = number of streams.
    const heap = new CursorHeap(cursors);
    for (;;) {
      const top = heap.peek();
      if (!top) return;
      const event = top.events[top.index] as StoredLogEvent;
      if (event.timestamp > endMs) return;
      yield event;
      top.index++;
      if (top.index < top.events.length) heap.siftDownTop();
      else heap.pop();
    }
  }

  private requireGroup(name: string): Group {
    const group = this.groupsByName.get(name);
    if (!group) throw new LogStoreError(`The specified log group does not exist: ${name}`);
    return group;
  }

  private insert(event: StoredLogEvent): void {
    const group = this.groupsByName.get(event.logGroupName) as Group;
    let stream = group.streams.get(event.logStreamName);
    if (!stream) {
      stream = newStream(event.logStreamName, event.ingestionTime);
      group.streams.set(stream.name, stream);
    }
    const events = stream.events;
    const last = events.at(-1);
    if (!last || last.timestamp <= event.timestamp) events.push(event);
    else events.splice(upperBound(events, event.timestamp), 0, event);
    const size = Buffer.byteLength(event.message) + 26;
    stream.storedBytes += size;
    group.storedBytes += size;
    stream.lastIngestionTime = event.ingestionTime;
  }

  private nextEventId(timestamp: number): string {
    // AWS event ids are long digit strings; ours are unique and sort by time then arrival.
    this.sequence++;
    return `${String(Math.max(0, Math.trunc(timestamp))).padStart(16, '0')}${String(this.sequence).padStart(12, '0')}`;
  }

  private persist(groupName: string, lines: readonly Line[]): void {
    if (!this.directory || lines.length === 0) return;
    const text = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
    // Synchronous append: one syscall per batch, and nothing is lost if the process dies after a 200.
    appendFileSync(join(this.directory, `${encodeURIComponent(groupName)}.ndjson`), text);
  }

  private load(groupName: string, text: string): void {
    for (const raw of text.split('\n')) {
      if (raw.trim() === '') continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch {
        // A torn last line after a crash: skip it rather than refuse to start.
        continue;
      }
      if (line.k === 'g') {
        if (!this.groupsByName.has(groupName))
          this.groupsByName.set(groupName, {
            name: groupName,
            creationTime: line.c,
            streams: new Map(),
            storedBytes: 0,
          });
        continue;
      }
      if (!this.groupsByName.has(groupName))
        this.groupsByName.set(groupName, {
          name: groupName,
          creationTime: 0,
          streams: new Map(),
          storedBytes: 0,
        });
      const group = this.groupsByName.get(groupName) as Group;
      if (line.k === 's') {
        if (!group.streams.has(line.s)) group.streams.set(line.s, newStream(line.s, line.c));
        continue;
      }
      this.insert({
        logGroupName: groupName,
        logStreamName: line.s,
        timestamp: line.t,
        ingestionTime: line.i,
        message: line.m,
        eventId: line.id,
      });
      this.sequence++;
    }
  }
}

/** Raised for a missing group or stream; the endpoint maps it to ResourceNotFoundException. */
export class LogStoreError extends Error {
  override readonly name = 'LogStoreError';
}

function newStream(name: string, creationTime: number): Stream {
  return { name, creationTime, events: [], storedBytes: 0, lastIngestionTime: undefined };
}

/** First index whose timestamp is >= t. */
function lowerBound(events: readonly StoredLogEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as StoredLogEvent).timestamp < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose timestamp is > t (keeps arrival order among equal timestamps). */
function upperBound(events: readonly StoredLogEvent[], t: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((events[mid] as StoredLogEvent).timestamp <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Cursor {
  readonly events: readonly StoredLogEvent[];
  index: number;
}

class CursorHeap {
  constructor(private readonly items: Cursor[]) {
    for (let i = (items.length >> 1) - 1; i >= 0; i--) this.siftDown(i);
  }

  peek(): Cursor | undefined {
    return this.items[0];
  }

  pop(): void {
    const last = this.items.pop();
    if (last && this.items.length > 0) {
      this.items[0] = last;
      this.siftDown(0);
    }
  }

  siftDownTop(): void {
    this.siftDown(0);
  }

  private key(i: number): number {
    const c = this.items[i] as Cursor;
    return (c.events[c.index] as StoredLogEvent).timestamp;
  }

  private siftDown(start: number): void {
    const n = this.items.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = i;
      if (l < n && this.key(l) < this.key(smallest)) smallest = l;
      if (r < n && this.key(r) < this.key(smallest)) smallest = r;
      if (smallest === i) return;
      const tmp = this.items[i] as Cursor;
      this.items[i] = this.items[smallest] as Cursor;
      this.items[smallest] = tmp;
      i = smallest;
    }
  }
}
