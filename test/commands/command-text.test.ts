import { describe, expect, it } from 'vitest';
import { parseCommandText } from '../../src/commands/command-text';
import { InvalidInputError } from '../../src/commands/errors';

const SESSION = '865ccaad-ced0-4de5-aec3-b3692b2e06a0';

function failure(command: string, text: string): InvalidInputError {
  try {
    parseCommandText(command, text);
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error('expected InvalidInputError');
}

describe('parseCommandText', () => {
  it('parses /trace with an id and --share in any position', () => {
    expect(parseCommandText('/trace', `  ${SESSION.toUpperCase()} `)).toEqual({
      kind: 'trace',
      id: SESSION,
      share: false,
    });
    expect(parseCommandText('/trace', `--share ${SESSION}`)).toEqual({
      kind: 'trace',
      id: SESSION,
      share: true,
    });
    expect(parseCommandText('/trace', '1-6a99c470-a01ef2a0f003da37183f4fcc')).toMatchObject({
      kind: 'trace',
    });
  });

  it('answers /trace without an argument and /gumshoe help with help', () => {
    expect(parseCommandText('/trace', '')).toEqual({ kind: 'help' });
    expect(parseCommandText('/gumshoe', 'help')).toEqual({ kind: 'help' });
    expect(parseCommandText('/gumshoe', '')).toEqual({ kind: 'help' });
  });

  it('defaults /leadtime to 1h and /cost to a week', () => {
    expect(parseCommandText('/leadtime', '')).toEqual({
      kind: 'leadtime',
      window: { label: '1h', durationMs: 3_600_000 },
      share: false,
    });
    expect(parseCommandText('/cost', '--share')).toEqual({
      kind: 'cost',
      period: { label: '7d', durationMs: 604_800_000 },
      share: true,
    });
    expect(parseCommandText('/cost', '30d')).toMatchObject({ period: { label: '30d' } });
    expect(parseCommandText('/leadtime', '24h --share')).toMatchObject({
      window: { label: '24h' },
      share: true,
    });
  });

  it.each([
    ['/trace', `${SESSION}" or 1=1`],
    ['/trace', `${SESSION} | fields @message`],
    ['/trace', `${SESSION}\n| display @message`],
    ['/trace', '`rm -rf`'],
    ['/trace', 'a'.repeat(10_000)],
    ['/trace', 'not-an-id'],
    ['/trace', `${SESSION} ${SESSION}`],
    ['/leadtime', '31d'],
    ['/leadtime', '1h | stats count(*)'],
    ['/cost', 'forever'],
    ['/gumshoe', 'deploy'],
    // Names of Object.prototype: a plain object used as a lookup table once found them.
    ['/leadtime', '__proto__'],
    ['/leadtime', 'constructor'],
    ['/leadtime', 'toString'],
    ['/cost', '__proto__'],
    ['/cost', 'hasOwnProperty'],
    ['/gumshoe', '__proto__'],
  ])('refuses %s %j with the usage text', (command, text) => {
    const error = failure(command, text);
    expect(error.userMessage).toContain('Usage:');
    expect(error.userMessage).toContain(command === '/gumshoe' ? '/trace' : command);
    expect(error.userMessage.length).toBeLessThan(2000);
  });

  it('refuses an unknown command', () => {
    expect(failure('/deploy', 'now').userMessage).toContain('Unknown command');
  });
});
