import { SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { Milestone } from '../contract';
import { type FaultSettings, maybeInjectError, type Random, sleep } from './fault-injection';
import type { SaveOutcome, SessionCache, SessionLog, SessionStore } from './ports';
import type { Session } from './session';

/** The span around the database write; the name and attribute are what the bot's X-Ray views look for. */
export const SAVE_SPAN_NAME = 'Sessions.saveSessionDynamoDB';

/** What saving a session needs. */
export interface SaveSessionDeps {
  cache: SessionCache;
  store: SessionStore;
  tracer: Tracer;
  faults: Pick<FaultSettings, 'saveDelayMs' | 'saveErrorRate'>;
  random: Random;
}

/**
 * Saves a session once: cache first, then the sessions table inside the save span. A redelivered
 * message finds the session already stored; that is a success, logged without a second milestone.
 */
export async function saveSession(
  session: Session,
  log: SessionLog,
  deps: SaveSessionDeps,
): Promise<SaveOutcome> {
  await deps.cache.put(session);
  const outcome = await deps.tracer.startActiveSpan(
    SAVE_SPAN_NAME,
    { attributes: { storeInDatabase: 'DynamoDB', sessionId: session.sessionId, traceId: session.traceId } },
    async (span) => {
      try {
        // The faults sit inside the span so a trace shows the slow or failing save where it happens.
        await sleep(deps.faults.saveDelayMs);
        maybeInjectError(deps.faults.saveErrorRate, deps.random);
        return await deps.store.save(session);
      } catch (error) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({
          code: SpanStatusCode.ERROR,
          message: error instanceof Error ? error.message : String(error),
        });
        throw error;
      } finally {
        span.end();
      }
    },
  );
  if (outcome === 'created') {
    log.info('Session saved in database', { milestone: Milestone.savedInDatabase });
  } else {
    log.info('Session already saved; redelivered message ignored', { redelivery: true });
  }
  return outcome;
}
