import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FunctionNames, Milestone } from '../../src/conference-app/contract';
import { createCreateSessionHandler } from '../../src/conference-app/handlers/create-session';
import type { SessionHandOff } from '../../src/conference-app/sessions/ports';
import type { Session } from '../../src/conference-app/sessions/session';
import { apiEvent, capturingLogger, contractLines, lambdaContext, newSessionBody } from './helpers';

const json = { 'content-type': 'application/json' };

function setup(handOff?: SessionHandOff) {
  const handedOff: Session[] = [];
  const { logger, lines } = capturingLogger();
  const handler = createCreateSessionHandler({
    handOff: handOff ?? { handOff: async (s) => void handedOff.push(s) },
    logger,
  });
  const call = (options: Parameters<typeof apiEvent>[0]) =>
    handler(apiEvent(options), lambdaContext(FunctionNames.createSession, 'req-1'));
  return { call, handedOff, lines };
}

function post(body: unknown, headers: Record<string, string> = json) {
  return { method: 'POST', path: '/sessions', body: JSON.stringify(body), headers };
}

function withPath(path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(newSessionBody);
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

describe('create-session handler', () => {
  it('accepts the seed body, hands it off with its traceId and answers 202', async () => {
    const { call, handedOff, lines } = setup();

    const result = await call(post(newSessionBody));

    expect(result.statusCode).toBe(202);
    const body = JSON.parse(result.body ?? '');
    expect(body.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(handedOff).toHaveLength(1);
    expect(handedOff[0]).toMatchObject({
      sessionId: body.sessionId,
      traceId: body.traceId,
      timestamp: 1570202335000,
      duration: 20,
      subject: newSessionBody.subject,
    });
    const milestone = contractLines(lines).find((l) => l.milestone === Milestone.createRequestReceived);
    expect(milestone).toMatchObject({
      functionName: FunctionNames.createSession,
      AWSRequestId: 'req-1',
      traceId: body.traceId,
      sessionId: body.sessionId,
    });
  });

  it('keeps a caller x-trace-id that is a UUID', async () => {
    const { call, handedOff } = setup();
    const traceId = randomUUID();

    const result = await call(post(newSessionBody, { ...json, 'X-Trace-Id': traceId }));

    expect(JSON.parse(result.body ?? '').traceId).toBe(traceId);
    expect(handedOff[0]?.traceId).toBe(traceId);
  });

  it.each(['not-a-uuid', '1; drop table', ''])('ignores a non-UUID x-trace-id (%j)', async (supplied) => {
    const { call } = setup();

    const result = await call(post(newSessionBody, { ...json, 'x-trace-id': supplied }));

    const { traceId } = JSON.parse(result.body ?? '');
    expect(traceId).not.toBe(supplied);
    expect(traceId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    { case: 'subject missing', body: withPath(['subject'], undefined), paths: ['subject'] },
    { case: 'subject blank', body: withPath(['subject'], '  '), paths: ['subject'] },
    { case: 'duration as string', body: withPath(['duration'], '20'), paths: ['duration'] },
    { case: 'duration negative', body: withPath(['duration'], -5), paths: ['duration'] },
    { case: 'timestamp not numeric', body: withPath(['timestamp'], 'yesterday'), paths: ['timestamp'] },
    { case: 'timestamp missing', body: withPath(['timestamp'], undefined), paths: ['timestamp'] },
    { case: 'speaker missing', body: withPath(['speaker'], undefined), paths: ['speaker'] },
    { case: 'firstName a number', body: withPath(['speaker', 'firstName'], 7), paths: ['speaker.firstName'] },
    {
      case: 'companyCity missing',
      body: withPath(['speaker', 'company', 'companyCity'], undefined),
      paths: ['speaker.company.companyCity'],
    },
    { case: 'body is an array', body: [], paths: ['(body)'] },
    {
      case: 'several fields at once',
      body: { subject: 1, duration: 'x', timestamp: null, speaker: { company: {} } },
      paths: [
        'subject',
        'duration',
        'timestamp',
        'speaker.firstName',
        'speaker.lastName',
        'speaker.company.companyName',
        'speaker.company.companyCity',
        'speaker.questionPhrase',
      ],
    },
  ])('answers 400 naming every bad field: $case', async ({ body, paths }) => {
    const { call, handedOff, lines } = setup();

    const result = await call(post(body));

    expect(result.statusCode).toBe(400);
    const answer = JSON.parse(result.body ?? '');
    expect(answer.errors.map((e: { path: string }) => e.path).sort()).toEqual([...paths].sort());
    for (const issue of answer.errors) expect(issue.message).toEqual(expect.any(String));
    expect(handedOff).toHaveLength(0);
    expect(contractLines(lines).some((l) => l.milestone !== undefined)).toBe(false);
  });

  it.each<{ case: string; headers: Record<string, string> }>([
    { case: 'no content type', headers: {} },
    { case: 'form encoded', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { case: 'plain text', headers: { 'Content-Type': 'text/plain' } },
  ])('answers 415 for a non-JSON content type: $case', async ({ headers }) => {
    const { call, handedOff } = setup();

    const result = await call(post(newSessionBody, headers));

    expect(result.statusCode).toBe(415);
    expect(handedOff).toHaveLength(0);
  });

  it('accepts application/json with a charset parameter', async () => {
    const { call } = setup();

    const result = await call(post(newSessionBody, { 'content-type': 'application/json; charset=utf-8' }));

    expect(result.statusCode).toBe(202);
  });

  it.each([
    { case: 'plain', isBase64Encoded: false },
    { case: 'base64-encoded', isBase64Encoded: true },
  ])('answers 413 for a body over 64 KiB ($case)', async ({ isBase64Encoded }) => {
    const { call, handedOff } = setup();
    const raw = JSON.stringify(withPath(['speaker', 'questionPhrase'], 'x'.repeat(70_000)));

    const result = await call({
      method: 'POST',
      path: '/sessions',
      headers: json,
      body: isBase64Encoded ? Buffer.from(raw).toString('base64') : raw,
      isBase64Encoded,
    });

    expect(result.statusCode).toBe(413);
    expect(handedOff).toHaveLength(0);
  });

  it('decodes a base64-encoded body under the limit (its encoded form is larger than the decoded one)', async () => {
    const { call, handedOff } = setup();
    // ~60 KiB decoded is ~80 KiB as base64: the limit applies to the decoded bytes.
    const raw = JSON.stringify(withPath(['subject'], 'Long talk'));
    const padded = raw.replace('"questionPhrase":"', `"questionPhrase":"${'q'.repeat(60_000)}`);

    const result = await call({
      method: 'POST',
      path: '/sessions',
      headers: json,
      body: Buffer.from(padded).toString('base64'),
      isBase64Encoded: true,
    });

    expect(result.statusCode).toBe(400); // questionPhrase is capped at 2000 characters by the schema
    expect(JSON.parse(result.body ?? '').errors[0].path).toBe('speaker.questionPhrase');
    expect(handedOff).toHaveLength(0);
  });

  it.each(['{"subject":', 'not json', ''])('answers 400 for malformed JSON %j', async (body) => {
    const { call } = setup();

    const result = await call({ method: 'POST', path: '/sessions', headers: json, body });

    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body ?? '').message).toBe('Body is not valid JSON');
  });

  it('answers 500 with a safe message and logs the exception when the hand-off fails', async () => {
    const { call, lines } = setup({
      handOff: async () => {
        throw new Error('queue down: arn:aws:sqs:secret');
      },
    });

    const result = await call(post(newSessionBody));

    expect(result.statusCode).toBe(500);
    expect(result.body).not.toContain('secret');
    const failure = contractLines(lines).find((l) => l.exception !== undefined);
    expect(failure?.exception?.name).toBe('DownstreamError');
  });

  it('writes only contract log lines', async () => {
    const { call, lines } = setup();

    await call(post(newSessionBody));
    await call(post({}, json));

    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of contractLines(lines)) expect(line.functionName).toBe(FunctionNames.createSession);
    for (const line of lines) {
      expect(Object.keys(line)).not.toEqual(expect.arrayContaining(['function_name']));
      expect(line).not.toHaveProperty('cold_start');
    }
  });
});
