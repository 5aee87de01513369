import type { ActionOutcome, ReadinessReport, SessionView as DaemonSessionView, UnmarkOutcome } from '../../http/view.js';
import { traitsOf, type ManualAction } from '../../actions/index.js';
import { formatConfigError, loadConfig } from '../../config/index.js';
import { ConnectError, connectDirect, type ConnectionFlags } from './connect.js';
import type { CleanupOptions, KeyResult, SessionControl, SessionView } from './control.js';

const DEFAULT_LISTEN = '127.0.0.1:9464';

/** Where a running daemon would listen and how to authenticate to it. */
export interface DaemonEndpoint {
  /** `host:port` from the config's http.listen, default 127.0.0.1:9464. */
  readonly listen: string;
  readonly token?: string;
}

/** True when a clawwarden daemon answers /healthz at `listen` within `timeoutMs`. */
export async function daemonRunning(listen: string, timeoutMs = 500): Promise<boolean> {
  try {
    const response = await fetch(`http://${listen}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return false;
    const body = (await response.json()) as { status?: unknown };
    return body.status === 'ok';
  } catch {
    return false;
  }
}

/**
 * Session control through the running daemon's API, so its journal and holds stay true (a pause of a main session
 * is a hold only the daemon can keep). One request per key, results in key order.
 */
export class DaemonControl implements SessionControl {
  readonly target: string;

  constructor(private readonly endpoint: DaemonEndpoint) {
    this.target = `clawwarden daemon http://${endpoint.listen}`;
  }

  async sourceNotes(): Promise<string[]> {
    // /readyz answers 503 while a source is down; its body is the same report.
    const res = await fetch(`http://${this.endpoint.listen}/readyz`).catch(() => undefined);
    const body = res ? ((await res.json().catch(() => undefined)) as ReadinessReport | undefined) : undefined;
    return (body?.sources ?? []).flatMap((s) =>
      s.guard ? [`guard on ${s.name}: ${s.guard.up ? 'up' : 'down'}${s.guard.gatewayVersion ? ` (gateway ${s.guard.gatewayVersion})` : ''}${s.guard.problem ? ` — ${s.guard.problem}` : ''}`] : [],
    );
  }

  async list(): Promise<SessionView[]> {
    const body = (await this.#request('GET', '/api/v1/sessions')) as { sessions: DaemonSessionView[] };
    // The daemon knows what the platform cannot show: a paused session is archived by clawwarden, a held one is not archived at all.
    return body.sessions.map((v) => ({ ...v.session, state: v.state, ...(v.usage.known ? { usage: v.usage } : {}), ...(v.marks ? { marks: v.marks } : {}) }));
  }

  async unmark(key: string): Promise<UnmarkOutcome | undefined> {
    try {
      return (await this.#request('POST', `/api/v1/sessions/${encodeURIComponent(key)}/unmark`, { origin: 'cli' }, true)) as UnmarkOutcome;
    } catch (error) {
      if (error instanceof ConnectError && error.code === 'UNKNOWN_SESSION') return undefined;
      throw error;
    }
  }

  async act(action: ManualAction, keys: readonly string[], dryRun: boolean, force = false): Promise<KeyResult[]> {
    const results: KeyResult[] = [];
    for (const key of keys) {
      const held = traitsOf(action).hold === 'places' ? await this.#heldAlready(key) : undefined;
      if (held) {
        results.push({ key, action, status: 'noop', detail: held });
        continue;
      }
      const body = (await this.#request('POST', `/api/v1/sessions/${encodeURIComponent(key)}/${action}`, { dryRun, origin: 'cli', ...(force ? { force } : {}) }, true)) as {
        outcomes?: ActionOutcome[];
      };
      const outcome = body.outcomes?.[0];
      results.push(outcome ? toKeyResult(outcome) : { key, action, status: 'failed', detail: 'the daemon returned no outcome' });
    }
    return results;
  }

  async cleanup(options: CleanupOptions): Promise<KeyResult[]> {
    const body = (await this.#request(
      'POST',
      '/api/v1/cleanup',
      {
        age: `${Math.round(options.ageMs / 1000)}s`,
        ...(options.idleMs !== undefined ? { idle: `${Math.round(options.idleMs / 1000)}s` } : {}),
        ...(options.agent !== undefined ? { agent: options.agent } : {}),
        mode: options.mode,
        dryRun: options.dryRun,
        origin: 'cli',
        ...(options.force ? { force: true } : {}),
      },
      true,
    )) as { outcomes: ActionOutcome[] };
    return body.outcomes.map(toKeyResult);
  }

  async close(): Promise<void> {}

  /** `held since …: reason` when the daemon already holds this main session (pausing it again would change nothing). */
  async #heldAlready(key: string): Promise<string | undefined> {
    try {
      const body = (await this.#request('GET', `/api/v1/sessions/${encodeURIComponent(key)}`)) as { session?: DaemonSessionView };
      const hold = body.session?.state === 'held' ? body.session.hold : undefined;
      return hold ? `already held since ${new Date(hold.at).toISOString().slice(0, 19).replace('T', ' ')} by ${hold.policy ?? hold.by}: ${hold.reason}` : undefined;
    } catch {
      // Unknown key or a transient error: the action's own answer says what is wrong.
      return undefined;
    }
  }

  /** Sends one request; per-key refusals come back as outcomes, auth and transport problems as ConnectError. */
  async #request(method: 'GET' | 'POST', path: string, body?: object, write = false): Promise<unknown> {
    if (write && this.endpoint.token === undefined) {
      throw new ConnectError(
        'DAEMON_TOKEN',
        `a clawwarden daemon is running at http://${this.endpoint.listen}, so actions go through it (its journal and holds stay true); ` +
          'give its API token with CLAWWARDEN_API_TOKEN or --config (http.token), or pass --direct to go straight to the gateway',
      );
    }
    let response: Response;
    try {
      response = await fetch(`http://${this.endpoint.listen}${path}`, {
        method,
        headers: {
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...(this.endpoint.token !== undefined ? { authorization: `Bearer ${this.endpoint.token}` } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new ConnectError('DAEMON_UNREACHABLE', `cannot reach the clawwarden daemon at http://${this.endpoint.listen}: ${(error as Error).message}`);
    }
    const payload = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string; outcomes?: ActionOutcome[] } };
    if (response.ok) return payload;
    if (payload.error?.outcomes) return { outcomes: payload.error.outcomes };
    throw new ConnectError(payload.error?.code ?? `HTTP_${response.status}`, `clawwarden daemon: ${payload.error?.message ?? `HTTP ${response.status}`}`);
  }
}

function toKeyResult(outcome: ActionOutcome): KeyResult {
  const status = outcome.status === 'unknown-key' ? 'unknown' : outcome.status === 'would' ? 'planned' : outcome.status;
  return { key: outcome.key, action: outcome.action, status, detail: outcome.detail };
}

/** Where the daemon of `--config` (or the default one) listens, and its API token (config http.token, else CLAWWARDEN_API_TOKEN). */
export function daemonEndpoint(flags: ConnectionFlags, env: NodeJS.ProcessEnv, cwd: string): DaemonEndpoint {
  let listen = env.CLAWWARDEN_LISTEN ?? DEFAULT_LISTEN;
  let token = env.CLAWWARDEN_API_TOKEN;
  if (flags.config !== undefined) {
    const loaded = loadConfig({ file: flags.config, cwd, env });
    if (!loaded.config) throw new ConnectError('CONFIG', loaded.errors.map(formatConfigError).join('\n'));
    listen = loaded.config.http.listen;
    token = loaded.config.http.token?.reveal() ?? token;
  }
  return { listen, ...(token !== undefined && token !== '' ? { token } : {}) };
}

/**
 * The session commands' control: through the running daemon when one answers on its listen address (so its journal
 * and holds stay true), else straight to the gateway; `direct` forces the gateway.
 */
export async function connectSessions(flags: ConnectionFlags & { readonly direct?: boolean }, env: NodeJS.ProcessEnv, cwd: string): Promise<SessionControl> {
  if (!flags.direct) {
    const endpoint = daemonEndpoint(flags, env, cwd);
    if (await daemonRunning(endpoint.listen)) return new DaemonControl(endpoint);
  }
  return connectDirect(flags, env, cwd);
}
