import { SESSION_STATES } from '../../domain/session-view.js';
import { MANUAL_ACTIONS } from '../../actions/index.js';
import type { ActionOutcome, SessionDisplayState, SessionFilter } from '../view.js';
import { HttpError, badRequest } from '../errors.js';
import type { Reply, Route } from '../route.js';
import { jsonBody, optionalBoolean, optionalString, parseBoolean, parseChoice, parseCount, parseDuration, queryParams } from '../params.js';

const STATES: readonly SessionDisplayState[] = SESSION_STATES;
const CLEANUP_MODES = ['archive', 'delete'] as const;
/** Who asked, journaled with every manual action: the console and the CLI say so; anything else is `api`. */
const ORIGINS = ['api', 'cli', 'console'] as const;

/** `force` (past protection and the blast-radius limit) and `origin` from a write's body. */
function manualFields(body: Record<string, unknown>): { force: boolean; by: string } {
  const force = optionalBoolean('force', body.force) ?? false;
  const by = body.origin === undefined ? 'api' : parseChoice('origin', body.origin, ORIGINS);
  return { force, by };
}

/** One key's outcome as an answer: 200 when it went through (done, noop, would), else 404/409/502 with the reason. */
function outcomesReply(outcomes: readonly ActionOutcome[], dryRun: boolean): Reply {
  const worst = (['failed', 'refused', 'unknown-key'] as const).find((s) => outcomes.some((o) => o.status === s));
  if (worst === undefined) return { status: 200, json: { dryRun, outcomes } };
  const status = worst === 'unknown-key' ? 404 : worst === 'refused' ? 409 : 502;
  const first = outcomes.find((o) => o.status === worst)!;
  const message = worst === 'unknown-key' ? first.detail || `no session with key "${first.key}"` : `${first.action} ${first.key} ${worst}: ${first.detail}`;
  throw new HttpError(status, worst.toUpperCase().replace('-', '_'), message, { dryRun, outcomes });
}

/** Sessions: list with filters, one with its ledger, budgets, hold and decisions, manual actions, and cleanup. */
export const sessionRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/v1/sessions',
    handle({ url, view }) {
      const q = queryParams(url.searchParams, ['agent', 'state', 'active', 'tokens']);
      const filter: { -readonly [K in keyof SessionFilter]: SessionFilter[K] } = {};
      if (q.has('agent')) filter.agent = optionalString('agent', q.get('agent'));
      if (q.has('state')) filter.state = parseChoice('state', q.get('state'), STATES);
      if (q.has('active')) filter.active = parseBoolean('active', q.get('active')!);
      if (q.has('tokens')) filter.tokens = parseCount('tokens', q.get('tokens')!);
      return { status: 200, json: { mode: view.mode(), at: Date.now(), sessions: view.sessions(filter) } };
    },
  },
  {
    method: 'GET',
    path: '/api/v1/sessions/:key',
    handle({ url, view, params }) {
      queryParams(url.searchParams, []);
      const session = view.session(params.key!);
      if (session === undefined) throw new HttpError(404, 'UNKNOWN_SESSION', `no session with key "${params.key}"`);
      return { status: 200, json: { mode: view.mode(), at: Date.now(), session } };
    },
  },
  {
    method: 'POST',
    path: '/api/v1/sessions/:key/unmark',
    write: true,
    async handle({ req, url, view, params }) {
      queryParams(url.searchParams, []);
      const body = await jsonBody(req, ['origin']);
      const by = body.origin === undefined ? 'api' : parseChoice('origin', body.origin, ORIGINS);
      const outcome = await view.unmark(params.key!, by);
      if (outcome === undefined) throw new HttpError(404, 'UNKNOWN_SESSION', `no session or mark with key "${params.key}"`);
      return { status: 200, json: outcome };
    },
  },
  {
    method: 'POST',
    path: '/api/v1/sessions/:key/:action',
    write: true,
    async handle({ req, url, view, params }) {
      queryParams(url.searchParams, []);
      const action = MANUAL_ACTIONS.find((a) => a === params.action);
      if (action === undefined) {
        throw new HttpError(404, 'UNKNOWN_ACTION', `unknown action "${params.action}"; expected one of: ${MANUAL_ACTIONS.join(', ')}`, { allowedValues: MANUAL_ACTIONS });
      }
      const body = await jsonBody(req, ['dryRun', 'force', 'origin']);
      const dryRun = optionalBoolean('dryRun', body.dryRun) ?? false;
      return outcomesReply(await view.act(action, [params.key!], { ...manualFields(body), dryRun }), dryRun);
    },
  },
  {
    method: 'POST',
    path: '/api/v1/cleanup',
    write: true,
    async handle({ req, url, view }) {
      queryParams(url.searchParams, []);
      const body = await jsonBody(req, ['age', 'idle', 'agent', 'mode', 'dryRun', 'force', 'origin']);
      const ageMs = body.age === undefined ? undefined : parseDuration('age', body.age);
      const idleMs = body.idle === undefined ? undefined : parseDuration('idle', body.idle);
      // Without an age or idle bound a cleanup would sweep every session; make the operator say so.
      if (ageMs === undefined && idleMs === undefined) throw badRequest('cleanup needs age or idle (a duration like "1h"), or both');
      const mode = parseChoice('mode', body.mode, CLEANUP_MODES);
      const agent = optionalString('agent', body.agent);
      const dryRun = optionalBoolean('dryRun', body.dryRun) ?? false;
      const outcomes = await view.cleanup({
        mode,
        dryRun,
        ...manualFields(body),
        ...(ageMs !== undefined ? { ageMs } : {}),
        ...(idleMs !== undefined ? { idleMs } : {}),
        ...(agent !== undefined ? { agent } : {}),
      });
      // Many keys: per-key results with 200, like OpenClaw's CLI; the caller decides what a partial failure means.
      return { status: 200, json: { dryRun, outcomes } };
    },
  },
];
