import { describe, expect, it } from 'vitest';
import {
  quote,
  SessionId,
  TraceId,
  UnquotableValueError,
  XRayTraceId,
} from '../../../src/commands/query/quote';

describe('quote', () => {
  it('wraps a value in double quotes', () => {
    expect(quote('abc-123')).toBe('"abc-123"');
  });

  it('escapes backslashes before double quotes so no quote can close the literal', () => {
    expect(quote('a"b')).toBe('"a\\"b"');
    expect(quote('a\\"b')).toBe('"a\\\\\\"b"');
    expect(quote('x" or 1=1 | fields @message')).toBe('"x\\" or 1=1 | fields @message"');
  });

  it.each(['a\nb', 'a\rb', 'a\u0000b', 'tab\there', 'a\u2028b', 'del\u007f'])(
    'refuses control characters in %j',
    (v) => {
      expect(() => quote(v)).toThrow(UnquotableValueError);
    },
  );

  it('refuses absurdly long values', () => {
    expect(() => quote('a'.repeat(1001))).toThrow(UnquotableValueError);
  });
});

describe('id schemas', () => {
  it('accept a UUID and lower-case it', () => {
    expect(SessionId.parse('865CCAAD-CED0-4DE5-AEC3-B3692B2E06A0')).toBe(
      '865ccaad-ced0-4de5-aec3-b3692b2e06a0',
    );
    expect(TraceId.parse('bf769e94-4d48-4994-8c04-ebd00b51ecbd')).toBe(
      'bf769e94-4d48-4994-8c04-ebd00b51ecbd',
    );
  });

  it('accept an X-Ray trace id only in its exact shape', () => {
    expect(XRayTraceId.parse('1-6A99C470-A01EF2A0F003DA37183F4FCC')).toBe(
      '1-6a99c470-a01ef2a0f003da37183f4fcc',
    );
    expect(XRayTraceId.safeParse('1-6a99c470-a01ef2a0f003da37183f4fc').success).toBe(false);
  });

  it.each([
    '',
    'not-a-uuid',
    '865ccaad-ced0-4de5-aec3-b3692b2e06a0"',
    '865ccaad-ced0-4de5-aec3-b3692b2e06a0\n| fields @message',
  ])('reject %j', (v) => {
    expect(SessionId.safeParse(v).success).toBe(false);
    expect(TraceId.safeParse(v).success).toBe(false);
  });
});
