import type { StoredLogEvent } from '../logs/log-event';
import { JsonLine, NEEDS_PARSE } from './json-scan';
import { type Value, valuesEqual } from './values';

/** The account id local `@log` values carry (`<account-id>:<log-group-name>`). */
export const LOCAL_ACCOUNT_ID = '000000000000';

/** The fields Logs Insights discovers in Lambda platform lines (START, END, REPORT). */
const PLATFORM_FIELDS = new Set([
  '@type',
  '@requestId',
  '@duration',
  '@billedDuration',
  '@memorySize',
  '@maxMemoryUsed',
  '@initDuration',
  '@xrayTraceId',
  '@xraySegmentId',
]);

/** Whether a name is one of the Lambda platform-line fields. */
export function isPlatformField(name: string): boolean {
  return PLATFORM_FIELDS.has(name);
}

const NO_JSON = Symbol('no-json');

/** Where a row's event lies in a batch of raw lines (see `RawEventBatch`), before it is built. */
export interface RawLines {
  readonly buffer: Buffer;
  readonly starts: ArrayLike<number>;
  readonly ends: ArrayLike<number>;
  event(index: number): StoredLogEvent;
}

// One position table for every row: rows from a batch are read one at a time, as they stream.
const scanned = new JsonLine();
let scannedRow: Row | undefined;

/**
 * One row flowing through the pipeline: an event (before `stats`) or an aggregated group (after),
 * plus the fields that `fields`, `parse` and `stats` computed. JSON and platform fields are
 * parsed only when a query first asks for them.
 */
export class Row {
  // Computed fields as two short parallel arrays: cheaper to build than a Map for the few names a
  // row carries, and the names are the query's own strings, so lookups mostly compare by identity.
  private varNames: string[] | undefined = undefined;
  private varValues: Value[] | undefined = undefined;
  private parsedJson: unknown = undefined;
  private platform: Map<string, Value> | null | undefined = undefined;
  private built: StoredLogEvent | undefined;
  private lines: RawLines | undefined;
  private index: number;
  /** The event's timestamp (epoch ms), or null for an aggregated row. */
  time: number | null;

  /**
   * A row for `event`, or for line `index` of `lines` with its `time`: then the event object is
   * built only if a stage needs more than the time and top-level JSON fields, which are read from
   * the batch's buffer. Such a row must not outlive its batch (a `stats` reads each row as it streams).
   */
  constructor(
    event: StoredLogEvent | undefined,
    /** Arrival order, the last tie-breaker of every sort so results are stable. */
    public seq: number,
    lines?: RawLines,
    index = 0,
    time: number | null = event === undefined ? null : event.timestamp,
  ) {
    this.built = event;
    this.lines = lines;
    this.index = index;
    this.time = time;
  }

  /**
   * Points this row at another batch line, forgetting all it read and computed, so one object can
   * carry every line of a run whose rows do not outlive their line (a `stats` reads each as it streams).
   */
  moveTo(lines: RawLines, index: number, time: number, seq: number): void {
    this.varNames = undefined;
    this.varValues = undefined;
    this.parsedJson = undefined;
    this.platform = undefined;
    this.built = undefined;
    this.lines = lines;
    this.index = index;
    this.time = time;
    this.seq = seq;
    if (scannedRow === this) scannedRow = undefined;
  }

  /** The event, built from its batch line on first use. */
  get event(): StoredLogEvent | undefined {
    if (this.built === undefined && this.lines !== undefined) this.built = this.lines.event(this.index);
    return this.built;
  }

  getVar(name: string): Value {
    const i = this.varIndex(name);
    return i < 0 ? null : ((this.varValues as Value[])[i] ?? null);
  }

  setVar(name: string, value: Value): void {
    const i = this.varIndex(name);
    if (i >= 0) (this.varValues as Value[])[i] = value;
    else if (this.varNames === undefined) {
      this.varNames = [name];
      this.varValues = [value];
    } else {
      this.varNames.push(name);
      (this.varValues as Value[]).push(value);
    }
  }

  hasVar(name: string): boolean {
    return this.varIndex(name) >= 0;
  }

  private varIndex(name: string): number {
    const names = this.varNames;
    if (names === undefined) return -1;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return i;
    return -1;
  }

  /** A field discovered in the message's JSON (whole line, or the first `{` fragment of a Lambda line). */
  jsonField(name: string): Value {
    // A flat JSON line is read in place; any other line is parsed below.
    if (this.parsedJson === undefined && this.lines !== undefined && this.scan()) {
      const value = scanned.get(name);
      if (value !== NEEDS_PARSE) return value;
    }
    if (this.parsedJson === undefined) this.parsedJson = parseMessageJson(this.event?.message);
    if (this.parsedJson === NO_JSON) return null;
    return lookupPath(this.parsedJson, name);
  }

  /** Whether JSON field `name` equals `text` (plain ASCII that does not read as a number), as `=` decides. */
  jsonFieldEquals(name: string, text: string): boolean {
    if (this.parsedJson === undefined && this.lines !== undefined && this.scan()) {
      const same = scanned.equals(name, text);
      if (same !== NEEDS_PARSE) return same;
    }
    return valuesEqual(this.jsonField(name), text);
  }

  /** Scans this row's batch line into the shared position table, if not done; false if it is not a flat JSON line. */
  private scan(): boolean {
    if (scannedRow !== this) {
      const lines = this.lines as RawLines;
      const i = this.index;
      scannedRow = scanned.scan(lines.buffer, lines.starts[i] as number, lines.ends[i] as number)
        ? this
        : undefined;
    }
    return scannedRow === this;
  }

  /** A Lambda platform-line field such as `@duration` (memory in bytes-ish units, as AWS reports MB × 1,000,000). */
  platformField(name: string): Value {
    if (this.platform === undefined) this.platform = parsePlatformLine(this.event?.message);
    return this.platform?.get(name) ?? null;
  }
}

function parseMessageJson(message: string | undefined): unknown {
  if (message === undefined) return NO_JSON;
  let start = 0;
  if (message.charCodeAt(0) !== 123) {
    // Lambda's text format prefixes the JSON (`time\trequestId\tLEVEL\t{...}`); AWS parses the first fragment.
    start = message.indexOf('{');
    if (start < 0) return NO_JSON;
  }
  try {
    const value: unknown = JSON.parse(start === 0 ? message : message.slice(start));
    return typeof value === 'object' && value !== null ? value : NO_JSON;
  } catch {
    return NO_JSON;
  }
}

function leaf(v: unknown): Value {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // AWS exposes only leaves; we return the object's JSON so `fields exception` still shows something.
  return JSON.stringify(v);
}

function lookupPath(root: unknown, name: string): Value {
  const obj = root as Record<string, unknown>;
  // A key that itself contains dots wins over the path reading.
  if (Object.hasOwn(obj, name)) return leaf(obj[name]);
  if (name.indexOf('.') < 0) return null;
  return leaf(resolveParts(root, name.split('.'), 0));
}

// Keys may contain dots at any level (OpenTelemetry's `attributes: {"aws.remote.service": …}` in
// aws/spans): at each level the longest run of parts that is a key is tried first.
function resolveParts(current: unknown, parts: readonly string[], from: number): unknown {
  if (from === parts.length) return current;
  if (typeof current !== 'object' || current === null) return undefined;
  const obj = current as Record<string, unknown>;
  for (let to = parts.length; to > from; to--) {
    const key = to === from + 1 ? (parts[from] as string) : parts.slice(from, to).join('.');
    if (!Object.hasOwn(obj, key)) continue;
    const found = resolveParts(obj[key], parts, to);
    if (found !== undefined) return found;
  }
  return undefined;
}

const MB = 1_000_000;

function parsePlatformLine(message: string | undefined): Map<string, Value> | null {
  if (message === undefined) return null;
  const type = /^(START|END|REPORT) RequestId: ([^\s]+)/.exec(message);
  if (!type) return null;
  const fields = new Map<string, Value>([
    ['@type', type[1] as string],
    ['@requestId', type[2] as string],
  ]);
  if (type[1] !== 'REPORT') return fields;
  const number = (label: string): number | null => {
    const m = new RegExp(`${label}: ([0-9.]+)`).exec(message);
    return m ? Number(m[1]) : null;
  };
  const put = (key: string, v: number | null) => {
    if (v !== null) fields.set(key, v);
  };
  put('@duration', number('(?<!Billed |Init )Duration'));
  put('@billedDuration', number('Billed Duration'));
  const memory = number('Memory Size');
  put('@memorySize', memory === null ? null : memory * MB);
  const used = number('Max Memory Used');
  put('@maxMemoryUsed', used === null ? null : used * MB);
  put('@initDuration', number('Init Duration'));
  const xray = /XRAY TraceId: ([^\s]+)\s+SegmentId: ([^\s]+)/.exec(message);
  if (xray) {
    fields.set('@xrayTraceId', xray[1] as string);
    fields.set('@xraySegmentId', xray[2] as string);
  }
  return fields;
}
