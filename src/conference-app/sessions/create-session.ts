import { Milestone } from '../contract';
import { DownstreamError } from './errors';
import type { Clock, SessionHandOff, SessionLog } from './ports';
import { NewSessionRequest, parseOrThrow, type Session } from './session';

/** What accepting a new session needs. */
export interface CreateSessionDeps {
  handOff: SessionHandOff;
  clock: Clock;
  newId: () => string;
}

/**
 * Accepts a submitted session: validates the body (ValidationError names every bad field), gives it
 * an id, logs CREATE_REQUEST_RECEIVED and hands it to the saving function.
 */
export async function createSession(
  body: unknown,
  traceId: string,
  log: SessionLog,
  deps: CreateSessionDeps,
): Promise<Session> {
  const request = parseOrThrow(NewSessionRequest, body);
  const session: Session = {
    sessionId: deps.newId(),
    traceId,
    createdAt: deps.clock.now().toISOString(),
    ...request,
  };
  const sessionLog = log.with({ sessionId: session.sessionId });
  sessionLog.info('Create session request received', { milestone: Milestone.createRequestReceived });
  try {
    await deps.handOff.handOff(session);
  } catch (error) {
    throw new DownstreamError('Could not hand the session off for saving', {
      cause: error,
      userMessage: 'The session could not be accepted, please retry',
    });
  }
  return session;
}
