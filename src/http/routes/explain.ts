import { HttpError } from '../errors.js';
import { optionalString, queryParams } from '../params.js';
import type { Route } from '../route.js';

/** `GET /api/v1/sessions/{key}/explain[?policy=P]`: what `clawwarden explain` prints, from the daemon's live state. */
export const explainRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/sessions/:key/explain',
    handle({ url, view, params }) {
      const q = queryParams(url.searchParams, ['policy']);
      const policy = q.has('policy') ? optionalString('policy', q.get('policy')) : undefined;
      if (!view.explain) throw new HttpError(501, 'NOT_IMPLEMENTED', 'this clawwarden daemon cannot explain sessions; run `clawwarden explain KEY --config FILE` instead');
      if (policy !== undefined && !view.policies().some((p) => p.name === policy)) {
        throw new HttpError(
          404,
          'UNKNOWN_POLICY',
          `no policy "${policy}"; loaded: ${view
            .policies()
            .map((p) => p.name)
            .join(', ')}`,
        );
      }
      const explanation = view.explain(params.key!, policy);
      if (explanation === undefined) throw new HttpError(404, 'UNKNOWN_SESSION', `no session with key "${params.key}"`);
      return { status: 200, json: { mode: view.mode(), explanation } };
    },
  },
];
