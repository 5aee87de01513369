import { isKnownZone } from '../../policy/window.js';
import { badRequest, HttpError } from '../errors.js';
import { parseChoice, parseInteger, queryParams } from '../params.js';
import type { Route } from '../route.js';
import type { SpendRange } from '../view.js';

const RANGES: readonly SpendRange[] = ['1h', '24h', '7d'];

/** The console's data: the spend chart's series and the header with its budget rows (a view without them answers 501). */
export const consoleApiRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/spend',
    async handle({ url, view }) {
      const q = queryParams(url.searchParams, ['range', 'top']);
      const range = q.has('range') ? parseChoice('range', q.get('range'), RANGES) : '1h';
      const top = q.has('top') ? parseInteger('top', q.get('top')!, 1, 100) : 8;
      if (!view.spend) throw new HttpError(501, 'NOT_IMPLEMENTED', 'this clawwarden daemon does not serve spend series');
      return { status: 200, json: await view.spend({ range, top }) };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/overview',
    async handle({ url, view }) {
      const q = queryParams(url.searchParams, ['tz']);
      const tz = q.get('tz') ?? 'UTC';
      if (!isKnownZone(tz)) throw badRequest(`tz "${tz}" is not a time zone this clawwarden knows; use an IANA name like Europe/Berlin or UTC`);
      if (!view.overview) throw new HttpError(501, 'NOT_IMPLEMENTED', 'this clawwarden daemon does not serve the console overview');
      return { status: 200, json: await view.overview({ tz }) };
    },
  },
];
