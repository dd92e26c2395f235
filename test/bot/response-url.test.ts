import { describe, expect, it } from 'vitest';
import { isAllowedResponseUrl, type ResponseUrlPolicy, responseUrlsOf } from '../../src/bot/response-url';

const aws: ResponseUrlPolicy = { kind: 'slack', hosts: ['hooks.slack.com'] };
const govSlack: ResponseUrlPolicy = { kind: 'slack', hosts: ['hooks.slack.com', 'hooks.slack-gov.com'] };
const local: ResponseUrlPolicy = { kind: 'base', base: 'http://127.0.0.1:3100/response/' };

describe('isAllowedResponseUrl', () => {
  it.each([
    'https://hooks.slack.com/commands/T0001/123456/abcDEF',
    'https://hooks.slack.com/actions/T0001/123456/abcDEF',
    'https://hooks.slack.com/app/T0001/123456/abcDEF',
    'https://hooks.slack.com:443/commands/T0001/1/a',
  ])('allows Slack’s response_url %s in AWS', (url) => {
    expect(isAllowedResponseUrl(url, aws)).toBe(true);
  });

  it.each([
    ['an incoming webhook', 'https://hooks.slack.com/services/T0001/B0001/secret'],
    ['plain http', 'http://hooks.slack.com/commands/T0001/1/a'],
    ['another port', 'https://hooks.slack.com:8443/commands/T0001/1/a'],
    ['a look-alike host', 'https://hooks.slack.com.example.com/commands/T0001/1/a'],
    ['credentials hiding the host', 'https://hooks.slack.com@example.com/commands/T0001/1/a'],
    ['credentials', 'https://user:pw@hooks.slack.com/commands/T0001/1/a'],
    ['a dot-dot path', 'https://hooks.slack.com/commands/%2e%2e/services/T/B/X'],
    ['a query', 'https://hooks.slack.com/commands/T0001/1/a?x=1'],
    ['loopback', 'http://127.0.0.1/commands/T0001/1/a'],
    ['loopback by name', 'http://localhost:3100/response/abc'],
    ['loopback in hex', 'http://0x7f000001:3100/response/abc'],
    ['loopback as an integer', 'http://2130706433:3100/response/abc'],
    ['loopback, short form', 'http://127.1:3100/response/abc'],
    ['IPv6 loopback', 'http://[::1]:3100/response/abc'],
    ['the local AWS endpoint', 'http://127.0.0.1:4566/'],
    ['the metadata service', 'http://169.254.169.254/latest/meta-data/'],
    ['GovSlack, not configured', 'https://hooks.slack-gov.com/commands/T0001/1/a'],
    ['not a URL', 'hooks.slack.com/commands/T0001/1/a'],
  ])('refuses %s in AWS', (_name, url) => {
    expect(isAllowedResponseUrl(url, aws)).toBe(false);
  });

  it('allows a configured extra host (GovSlack)', () => {
    expect(isAllowedResponseUrl('https://hooks.slack-gov.com/commands/T0001/1/a', govSlack)).toBe(true);
  });

  it.each([
    ['a response id', 'http://127.0.0.1:3100/response/0b6e0a1c-1d2e-4f00-9a1b-2c3d4e5f6a7b', true],
    ['the same host spelled short', 'http://127.1:3100/response/abc', true],
    ['the reset endpoint', 'http://127.0.0.1:3100/_local/reset', false],
    ['a dot-dot escape', 'http://127.0.0.1:3100/response/%2e%2e/_local/reset', false],
    ['an encoded slash', 'http://127.0.0.1:3100/response/..%2f_local%2freset', false],
    ['the Web API', 'http://127.0.0.1:3100/api/chat.postMessage', false],
    ['another port', 'http://127.0.0.1:4566/response/abc', false],
    ['localhost by name', 'http://localhost:3100/response/abc', false],
    ['Slack itself', 'https://hooks.slack.com/commands/T0001/1/a', false],
  ])('locally, judges %s', (_name, url, allowed) => {
    expect(isAllowedResponseUrl(url, local)).toBe(allowed);
  });
});

describe('responseUrlsOf', () => {
  it('finds a command’s, a payload’s, a view submission’s and a repeated field', () => {
    expect(responseUrlsOf({ response_url: 'a' })).toEqual(['a']);
    expect(responseUrlsOf({ response_urls: [{ response_url: 'b' }, 'c'] })).toEqual(['b', 'c']);
    expect(responseUrlsOf({ response_url: ['a', 'b'] })).toEqual([['a', 'b']]);
    expect(responseUrlsOf({ text: 'x' })).toEqual([]);
  });
});
