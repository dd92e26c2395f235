import { listSessionIds, postSession } from './conference-client';
import { pollUntil } from './poll';
import { type SessionBody, sampleSession } from './sample-sessions';

/** The steps of a smoke test, in order; the failing one is named in the result. */
export const SMOKE_STEPS = ['CREATED', 'SAVED', 'NOTIFIED', 'FORWARDED'] as const;
export type SmokeStep = (typeof SMOKE_STEPS)[number];

/** The created session the later steps look for. */
export interface CreatedSession {
  sessionId: string;
  traceId: string;
}

/** Where the smoke test sees that a session went on: Logs Insights milestones, or the local stand-ins. */
export interface DeliveryCheck {
  /** A short label for the report (`logs`, `stand-ins`). */
  readonly kind: string;
  notified(session: CreatedSession): Promise<boolean>;
  forwarded(session: CreatedSession): Promise<boolean>;
}

/** Options of {@link runSmoke}. */
export interface SmokeOptions {
  api: string;
  delivery: DeliveryCheck;
  /** Time allowed for each step after creation, in ms. */
  stepTimeoutMs: number;
  pollIntervalMs: number;
  body?: SessionBody;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
}

/** The outcome of one smoke run. */
export type SmokeResult =
  | { ok: true; session: CreatedSession; stepMs: Record<SmokeStep, number> }
  | { ok: false; failedStep: SmokeStep; reason: string; session?: CreatedSession };

/** Creates one session and follows it through save, notification and forwarding, each with a deadline. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const log = options.log ?? (() => {});
  const started = Date.now();
  const stepMs = {} as Record<SmokeStep, number>;

  const created = await postSession(options.api, options.body ?? sampleSession(0), {
    timeoutMs: options.stepTimeoutMs,
  });
  if (!created.ok) {
    const answer = created.status === 0 ? 'got no answer' : `answered ${created.status}`;
    return { ok: false, failedStep: 'CREATED', reason: `POST /sessions ${answer}: ${created.error}` };
  }
  const session = { sessionId: created.sessionId, traceId: created.traceId };
  stepMs.CREATED = Date.now() - started;
  log(`CREATED    sessionId=${session.sessionId} traceId=${session.traceId} (${created.status})`);

  const checks: [SmokeStep, () => Promise<boolean>][] = [
    ['SAVED', async () => (await listSessionIds(options.api)).includes(session.sessionId)],
    ['NOTIFIED', () => options.delivery.notified(session)],
    ['FORWARDED', () => options.delivery.forwarded(session)],
  ];
  for (const [step, check] of checks) {
    const done = await pollUntil(check, {
      deadline: Date.now() + options.stepTimeoutMs,
      intervalMs: options.pollIntervalMs,
    });
    if (!done) {
      const where = step === 'SAVED' ? 'GET /sessions' : options.delivery.kind;
      return {
        ok: false,
        failedStep: step,
        reason: `not seen in ${where} within ${options.stepTimeoutMs} ms`,
        session,
      };
    }
    stepMs[step] = Date.now() - started;
    log(`${step.padEnd(10)} after ${stepMs[step]} ms`);
  }
  return { ok: true, session, stepMs };
}
