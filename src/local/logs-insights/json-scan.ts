import type { Value } from './values';

/**
 * Reads fields of a flat JSON object line straight from its bytes, so a query that needs two
 * keys of a matched line does not build the line's string, object and every value.
 *
 * The scan answers only when it is sure to agree with `JSON.parse`: an object of string, number,
 * `true`/`false`/`null` values, keys without escapes. Anything else (nested values, malformed or
 * unusual text) makes it give up, and the caller parses the line the ordinary way.
 */

// Per top-level key, five ints: key start, key end, value start, value end, value kind.
const STRIDE = 5;
const PLAIN = 0; // a string value without escapes, ASCII only
const PLAIN_UTF8 = 1; // a string value without escapes, with multi-byte characters
const ESCAPED = 2; // a string value with escapes
const NUMBER = 3;
const TRUE = 4;
const FALSE = 5;
const NULL = 6;
// A key with bytes above 0x7f: compared after decoding (kind + KEY_UTF8).
const KEY_UTF8 = 8;

/** Returned by {@link JsonLine.get} when only a full parse can answer (a dotted path not present as a key). */
export const NEEDS_PARSE: unique symbol = Symbol('needs-parse');

/**
 * One scanned line: the positions of its top-level keys and values in the buffer. The buffer
 * must not change while the line is read; the scan allocates nothing but its reused position table.
 */
export class JsonLine {
  private spans = new Int32Array(32 * STRIDE);
  private count = 0;
  private buffer: Buffer = Buffer.alloc(0);
  // The buffer's memory as 32-bit words, to skip ordinary string bytes four at a time.
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordBase = 0;
  private wordsOf: ArrayBufferLike | undefined;

  /** Scans `[start, end)` of `buffer`; false when the line is not a flat object this scan handles. */
  scan(buffer: Buffer, start: number, end: number): boolean {
    this.buffer = buffer;
    this.count = 0;
    if (this.wordsOf !== buffer.buffer) {
      this.wordsOf = buffer.buffer;
      this.words = new Int32Array(buffer.buffer, 0, buffer.buffer.byteLength >> 2);
    }
    this.wordBase = buffer.byteOffset;
    const words = this.words;
    const base = this.wordBase;
    const b = buffer;
    let i = skipSpace(b, start, end);
    if (b[i] !== 123) return false; // {
    i = skipSpace(b, i + 1, end);
    if (b[i] === 125) return skipSpace(b, i + 1, end) === end; // {}
    for (;;) {
      // Key: a string without escapes.
      if (b[i] !== 34) return false;
      const keyStart = i + 1;
      let high = 0;
      let c = 0;
      for (i = keyStart; i < end; i++) {
        c = b[i] as number;
        if (STRING_STOP[c] !== 0 && (c === 34 || c === 92 || c < 32)) break;
        high |= c;
      }
      if (i >= end || c !== 34) return false;
      const keyEnd = i;
      i = skipSpace(b, i + 1, end);
      if (b[i] !== 58) return false; // :
      i = skipSpace(b, i + 1, end);
      // Value.
      const valueStart = i;
      let kind: number;
      c = b[i] as number;
      if (c === 34) {
        kind = PLAIN;
        i++;
        for (;;) {
          // Runs of ordinary bytes: four at a time where aligned, then one table read each.
          while (((base + i) & 3) !== 0 && i < end && STRING_STOP[b[i] as number] === 0) i++;
          if (((base + i) & 3) === 0) {
            while (i + 4 <= end && !hasStopByte(words[(base + i) >> 2] as number)) i += 4;
          }
          while (i < end && STRING_STOP[b[i] as number] === 0) i++;
          if (i >= end) return false;
          c = b[i] as number;
          if (c === 34) break;
          if (c < 32) return false;
          if (c === 92) {
            kind = ESCAPED;
            i = skipEscape(b, i, end);
            if (i < 0) return false;
          } else if (kind === PLAIN) kind = PLAIN_UTF8;
          i++;
        }
        i++; // past the closing quote
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        kind = NUMBER;
        i = skipNumber(b, i, end);
        if (i < 0) return false;
      } else if (c === 116 && isWord(b, i, end, TRUE_BYTES)) {
        kind = TRUE;
        i += 4;
      } else if (c === 102 && isWord(b, i, end, FALSE_BYTES)) {
        kind = FALSE;
        i += 5;
      } else if (c === 110 && isWord(b, i, end, NULL_BYTES)) {
        kind = NULL;
        i += 4;
      } else {
        return false; // nested object or array, or not JSON
      }
      this.push(keyStart, keyEnd, valueStart, i, high > 127 ? kind + KEY_UTF8 : kind);
      i = skipSpace(b, i, end);
      if (b[i] === 44) {
        i = skipSpace(b, i + 1, end);
        continue;
      }
      if (b[i] !== 125) return false;
      return skipSpace(b, i + 1, end) === end;
    }
  }

  /**
   * The value `JSON.parse` + a lookup by `name` would give: null when the key is absent,
   * {@link NEEDS_PARSE} for a dotted name that is not itself a key. The last duplicate key wins.
   */
  get(name: string): Value | typeof NEEDS_PARSE {
    const at = this.find(name);
    if (at < 0) return name.indexOf('.') < 0 ? null : NEEDS_PARSE;
    const s = this.spans;
    return decode(this.buffer, s[at + 2] as number, s[at + 3] as number, (s[at + 4] as number) % KEY_UTF8);
  }

  /**
   * Whether the value of `name` equals `text`, plain ASCII that does not read as a number, as `=`
   * compares them (a number or null never equals such text); {@link NEEDS_PARSE} as for `get`.
   */
  equals(name: string, text: string): boolean | typeof NEEDS_PARSE {
    const at = this.find(name);
    if (at < 0) return name.indexOf('.') < 0 ? false : NEEDS_PARSE;
    const s = this.spans;
    const start = s[at + 2] as number;
    const end = s[at + 3] as number;
    switch ((s[at + 4] as number) % KEY_UTF8) {
      case PLAIN:
        return sameAscii(this.buffer, start + 1, end - 1, text);
      case ESCAPED:
        return decode(this.buffer, start, end, ESCAPED) === text;
      case TRUE:
        return text === 'true';
      case FALSE:
        return text === 'false';
      default:
        return false; // multi-byte text, a number or null
    }
  }

  /** The table position of the last key named `name`, or -1. */
  private find(name: string): number {
    const s = this.spans;
    const b = this.buffer;
    for (let k = this.count - 1; k >= 0; k--) {
      const at = k * STRIDE;
      const keyStart = s[at] as number;
      const keyEnd = s[at + 1] as number;
      if ((s[at + 4] as number) >= KEY_UTF8) {
        if (b.toString('utf8', keyStart, keyEnd) === name) return at;
      } else if (sameAscii(b, keyStart, keyEnd, name)) return at;
    }
    return -1;
  }

  private push(keyStart: number, keyEnd: number, valueStart: number, valueEnd: number, kind: number) {
    let at = this.count * STRIDE;
    if (at + STRIDE > this.spans.length) {
      const bigger = new Int32Array(this.spans.length * 2);
      bigger.set(this.spans);
      this.spans = bigger;
    }
    const s = this.spans;
    s[at++] = keyStart;
    s[at++] = keyEnd;
    s[at++] = valueStart;
    s[at++] = valueEnd;
    s[at] = kind;
    this.count++;
  }
}

// Bytes that end a run of plain string content: controls, `"`, `\` and the start of a multi-byte character.
const STRING_STOP = new Uint8Array(256);
for (let c = 0; c < 256; c++) STRING_STOP[c] = c < 32 || c === 34 || c === 92 || c > 127 ? 1 : 0;

/**
 * Whether any of a word's four bytes ends a run of plain string content (see STRING_STOP), by the
 * classic bit tricks: a byte above 0x7f, below 0x20, or equal to `"` or `\`. Byte order does not matter.
 */
function hasStopByte(w: number): boolean {
  const quote = w ^ 0x22222222;
  const slash = w ^ 0x5c5c5c5c;
  return (
    ((w | ((w - 0x20202020) & ~w) | ((quote - 0x01010101) & ~quote) | ((slash - 0x01010101) & ~slash)) &
      0x80808080) !==
    0
  );
}

const TRUE_BYTES = Buffer.from('true');
const FALSE_BYTES = Buffer.from('false');
const NULL_BYTES = Buffer.from('null');

function decode(b: Buffer, start: number, end: number, kind: number): Value {
  switch (kind) {
    case PLAIN:
      return b.toString('latin1', start + 1, end - 1);
    case PLAIN_UTF8:
      return b.toString('utf8', start + 1, end - 1);
    case ESCAPED:
      return JSON.parse(b.toString('utf8', start, end)) as string;
    case NUMBER:
      return Number(b.toString('latin1', start, end));
    case TRUE:
      return 'true';
    case FALSE:
      return 'false';
    default:
      return null;
  }
}

function sameAscii(b: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (b[start + i] !== name.charCodeAt(i)) return false;
  return true;
}

/** JSON whitespace: space, tab, LF, CR. Returns the first other position (or end). */
function skipSpace(b: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = b[i];
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** Checks the escape at `i` (a backslash); returns its last byte's position, or -1 if JSON.parse would refuse it. */
function skipEscape(b: Buffer, i: number, end: number): number {
  const c = b[i + 1];
  if (c === 117) {
    // \uXXXX
    if (i + 5 >= end) return -1;
    for (let k = i + 2; k < i + 6; k++) if (!isHex(b[k] as number)) return -1;
    return i + 5;
  }
  // " \ / b f n r t
  if (c === 34 || c === 92 || c === 47 || c === 98 || c === 102 || c === 110 || c === 114 || c === 116)
    return i + 1;
  return -1;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** JSON's number grammar, `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`; the end position or -1. */
function skipNumber(b: Buffer, i: number, end: number): number {
  if (b[i] === 45) i++;
  if (i >= end) return -1;
  if (b[i] === 48) i++;
  else if (isDigit(b[i])) while (i < end && isDigit(b[i])) i++;
  else return -1;
  if (i < end && b[i] === 46) {
    i++;
    if (!(i < end && isDigit(b[i]))) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  if (i < end && (b[i] === 101 || b[i] === 69)) {
    i++;
    if (i < end && (b[i] === 43 || b[i] === 45)) i++;
    if (!(i < end && isDigit(b[i]))) return -1;
    while (i < end && isDigit(b[i])) i++;
  }
  return i;
}

function isWord(b: Buffer, i: number, end: number, word: Buffer): boolean {
  if (i + word.length > end) return false;
  for (let k = 0; k < word.length; k++) if (b[i + k] !== word[k]) return false;
  return true;
}
