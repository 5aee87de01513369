import type { Route } from '../route.js';
import { parseInstant, parseInteger, queryParams } from '../params.js';

const JOURNAL_KEYS = ['limit', 'before', 'since', 'session'] as const;

/** Read-only views of the loaded policies and the audit journal (paged newest first via `before`). */
export const auditRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/policies',
    handle({ url, view }) {
      queryParams(url.searchParams, []);
      return { status: 200, json: { mode: view.mode(), policies: view.policies() } };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/journal',
    async handle({ url, view }) {
      const q = queryParams(url.searchParams, JOURNAL_KEYS);
      const limit = q.has('limit') ? parseInteger('limit', q.get('limit')!, 1, 1000) : 100;
      const before = q.has('before') ? parseInteger('before', q.get('before')!, 1, Number.MAX_SAFE_INTEGER) : undefined;
      const since = q.has('since') ? parseInstant('since', q.get('since')!) : undefined;
      const session = q.get('session');
      const entries = await view.journal({ limit, ...(before !== undefined ? { before } : {}), ...(since !== undefined ? { since } : {}), ...(session !== undefined ? { session } : {}) });
      // `next` is the cursor for the following (older) page: pass it back as `before`.
      const oldest = entries.reduce<number | undefined>((min, e) => (min === undefined || e.seq < min ? e.seq : min), undefined);
      return { status: 200, json: { entries, ...(entries.length >= limit && oldest !== undefined ? { next: oldest } : {}) } };
    },
  },
];
