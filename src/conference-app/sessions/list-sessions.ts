import { z } from 'zod';
import type { SessionPage, SessionStore } from './ports';
import { parseOrThrow } from './session';

/** The query of `GET /sessions`: a page size of 1..100 (default 20) and an optional cursor. */
export const ListSessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API')
    .max(2048)
    .optional(),
});
export type ListSessionsQuery = z.infer<typeof ListSessionsQuery>;

/** Lists sessions newest first; a malformed query or cursor raises a ValidationError / InvalidCursorError. */
export function listSessions(query: unknown, store: SessionStore): Promise<SessionPage> {
  const { limit, cursor } = parseOrThrow(ListSessionsQuery, query);
  return store.list(cursor === undefined ? { limit } : { limit, cursor });
}
