import { describe, expect, it } from 'vitest';
import { JsonLine, NEEDS_PARSE } from '../../../src/local/logs-insights/json-scan';
import { valuesEqual } from '../../../src/local/logs-insights/values';

/** Scans `text` placed between other bytes, as a line sits inside a batch buffer. */
function scan(text: string): JsonLine | null {
  const before = Buffer.from('xx\n');
  const buffer = Buffer.concat([before, Buffer.from(text), Buffer.from('\n{"other":1}')]);
  const line = new JsonLine();
  const end = before.length + Buffer.byteLength(text);
  return line.scan(buffer, before.length, end) ? line : null;
}

/** What `JSON.parse` and an own-key lookup give, as the engine's fallback reads it. */
function parsed(text: string, name: string): unknown {
  const object = JSON.parse(text) as Record<string, unknown>;
  const value = Object.hasOwn(object, name) ? object[name] : undefined;
  if (value === undefined || value === null) return null;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return value;
}

describe('JsonLine', () => {
  it.each([
    ['{"a":"x","b":12,"c":-1.5e3,"d":true,"e":false,"f":null}', ['a', 'b', 'c', 'd', 'e', 'f', 'g']],
    ['{"q":"say \\"hi\\"\\n","u":"\\u00e9\\ud83d\\ude00","s":"a\\/b\\\\"}', ['q', 'u', 's']],
    ['{"note":"naïve café ☕","clé":"v","n":0}', ['note', 'clé', 'n', 'cle']],
    ['  { "a" : "x" ,\t"b"\r\n:\n2 }  ', ['a', 'b']],
    ['{"k":"first","k":"second"}', ['k']],
    ['{"n":0.25,"big":1e400,"neg":-0,"exp":2E-3}', ['n', 'big', 'neg', 'exp']],
    ['{"a.b":"dotted key"}', ['a.b']],
    ['{"__proto__":"p","constructor":"c"}', ['__proto__', 'constructor', 'toString']],
    ['{}', ['a']],
  ])('reads the same values as JSON.parse: %s', (text, names) => {
    // Arrange
    const line = scan(text);

    // Act / Assert
    expect(line).not.toBeNull();
    for (const name of names) expect(line?.get(name)).toEqual(parsed(text, name));
  });

  it.each([
    ['nested object', '{"a":{"b":1}}'],
    ['array', '{"a":[1,2]}'],
    ['not an object', '"just a string"'],
    ['text before the JSON', 'INFO {"a":1}'],
    ['trailing comma', '{"a":1,}'],
    ['trailing text', '{"a":1} x'],
    ['raw tab in a string', '{"a":"x\ty"}'],
    ['invalid escape', '{"a":"\\x41"}'],
    ['short unicode escape', '{"a":"\\u12"}'],
    ['leading zero', '{"a":01}'],
    ['bare minus', '{"a":-}'],
    ['dot without digits', '{"a":1.}'],
    ['unquoted key', '{a:1}'],
    ['escaped key', '{"\\u0061":1}'],
    ['unterminated string', '{"a":"x'],
    ['misspelt literal', '{"a":tru}'],
    ['missing colon', '{"a" 1}'],
  ])('gives up on a line it cannot read exactly like JSON.parse (%s)', (_label, text) => {
    expect(scan(text)).toBeNull();
  });

  it('asks for a full parse for a dotted name that is not a key, and answers null for a missing plain name', () => {
    // Arrange
    const line = scan('{"a":"x"}');

    // Act / Assert
    expect(line?.get('a.b')).toBe(NEEDS_PARSE);
    expect(line?.get('missing')).toBeNull();
  });

  it('reads keys past the first 32 (its position table grows)', () => {
    // Arrange
    const object = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const text = JSON.stringify(object);

    // Act
    const line = scan(text);

    // Assert
    expect(line?.get('k0')).toBe(0);
    expect(line?.get('k99')).toBe(99);
  });

  it('compares a value with plain text as `=` does, without decoding it', () => {
    // Arrange
    const text = '{"s":"abc","e":"\\u0061bc","u":"abç","n":12,"t":true,"f":false,"z":null,"d":"abc","d":"x"}';
    const line = scan(text);
    const cases: [string, string][] = [
      ['s', 'abc'],
      ['s', 'ab'],
      ['e', 'abc'],
      ['u', 'abc'],
      ['n', 'twelve'],
      ['t', 'true'],
      ['f', 'false'],
      ['f', 'true'],
      ['z', 'null'],
      ['d', 'abc'],
      ['d', 'x'],
      ['missing', 'abc'],
    ];

    // Act / Assert
    for (const [name, literal] of cases) {
      const expected = valuesEqual(parsed(text, name) as string | number | null, literal);
      expect(line?.equals(name, literal), `${name} = "${literal}"`).toBe(expected);
    }
    expect(line?.equals('a.b', 'x')).toBe(NEEDS_PARSE);
  });

  it('agrees with JSON.parse on generated lines at every alignment, with special bytes anywhere', () => {
    // Arrange: a fixed-seed generator, so a failure repeats.
    let seed = 12345;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pieces = [
      'a',
      'bcdefgh',
      '0123456789',
      ' ',
      '"',
      '\\',
      '/',
      '\n',
      '\t',
      'é',
      '☕',
      '😀',
      '\u0001',
      '\u007f',
    ];
    const value = () => Array.from({ length: random(40) }, () => pieces[random(pieces.length)]).join('');

    for (let n = 0; n < 300; n++) {
      const object = { level: value(), message: value(), traceId: value(), n: random(1000) };
      let text = JSON.stringify(object);
      // One line in five gets a raw control byte inside a string, which JSON.parse refuses.
      const broken = random(5) === 0;
      if (broken) text = text.replace('"message":"', '"message":"\u0001');
      const padding = Buffer.alloc(random(8), 32);
      const buffer = Buffer.concat([padding, Buffer.from(text), Buffer.from('\n')]);
      const line = new JsonLine();

      // Act
      const ok = line.scan(buffer, padding.length, buffer.length - 1);

      // Assert
      let expected: Record<string, unknown> | null = null;
      try {
        expected = JSON.parse(text) as Record<string, unknown>;
      } catch {
        expected = null;
      }
      expect(ok, text).toBe(expected !== null);
      if (expected === null) continue;
      for (const name of ['level', 'message', 'traceId', 'n'])
        expect(line.get(name), text).toEqual(expected[name]);
    }
  });
});
