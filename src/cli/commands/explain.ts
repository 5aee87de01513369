import { formatConfigError } from '../../config/errors.js';
import { loadConfig } from '../../config/index.js';
import { explainSession, type SessionExplanation } from '../../explain/explain.js';
import { takeSnapshot } from '../../explain/snapshot.js';
import { explanationText } from '../../explain/text.js';
import { parseCommandArgs, didYouMean } from '../args.js';
import { palette } from '../color.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { daemonRunning } from '../sessions/daemon-client.js';

const help = `Usage: clawwarden explain SESSION [--policy P] [--json] [--config FILE | --demo]

Explains, policy by policy, what clawwarden decides about one session and why: whether the policy matches it (each
match field), each condition's measured value against its threshold, the window and aggregate measured (the
session's totals, or the agent's or fleet's sum in the budget window), why it acts or does not (the condition,
unknown usage, a ladder under way, a cooldown), what the safety rules would hold back, and what the ladder does next
and when. A session marked after a notice shows each mark: the policy and step, the action, when it falls due, what
happens then (it acts only if the policy still matches; otherwise the mark is dropped) and how to unmark it.

With a daemon running on the config's http.listen it asks the daemon (its live ledger and ladders); otherwise it reads
the sources once and the daemon's saved state from stateDir, and changes nothing.

Options:
  --policy P         only this policy
  --json             print the explanation as JSON
  -c, --config FILE  the config file (default ./clawwarden.yaml, then /etc/clawwarden/config.yaml)
  --demo             the built-in demo fleet and its config

Exit status: 0 explained, 2 unknown session or policy, config errors, or a source that could not be read.
`;

/** `clawwarden explain SESSION`: opa --explain for budgets. */
export const command: Command = {
  name: 'explain',
  summary: 'Explain why each policy does or does not act on a session, with its numbers',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      demo: { type: 'boolean', default: false },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? 'name the session to explain, e.g. clawwarden explain agent:backend:fix-tests' : `explain takes one session key, got ${positionals.length}`);
    if (typeof values.config === 'string' && values.demo === true) throw new UsageError('--config and --demo exclude each other: --demo uses the embedded demo config');
    const key = positionals[0]!;
    const policy = typeof values.policy === 'string' ? values.policy : undefined;
    const loaded = loadConfig({ ...(typeof values.config === 'string' ? { file: values.config } : {}), demo: values.demo === true, cwd: io.cwd, env: io.env });
    if (!loaded.config) {
      for (const e of loaded.errors) io.stderr(`${formatConfigError(e)}\n`);
      return 2;
    }
    const config = loaded.config;
    if (policy !== undefined && !config.policies.some((p) => p.name === policy)) {
      io.stderr(
        `clawwarden explain: no policy "${policy}"${didYouMean(
          policy,
          config.policies.map((p) => p.name),
        )}; loaded: ${config.policies.map((p) => p.name).join(', ')}\n`,
      );
      return 2;
    }
    let explanation = await fromDaemon(config.http.listen, key, policy);
    let note: string | undefined;
    if (typeof explanation === 'object' && 'refused' in explanation) {
      io.stderr(`clawwarden explain: the daemon at ${config.http.listen}: ${explanation.refused}\n`);
      return 2;
    }
    if (explanation === undefined) {
      let snapshot;
      try {
        snapshot = await takeSnapshot(config);
      } catch (error) {
        io.stderr(`clawwarden explain: ${(error as Error).message}\n`);
        return 2;
      }
      const matches = snapshot.sessions.filter((s) => s.key === key);
      if (matches.length !== 1) {
        io.stderr(
          matches.length === 0
            ? `clawwarden explain: no session "${key}"${didYouMean(
                key,
                snapshot.sessions.map((s) => s.key),
              )}; "clawwarden sessions list" shows the keys\n`
            : `clawwarden explain: ${key} exists in several sources (${matches.map((m) => m.source).join(', ')}); refusing to guess\n`,
        );
        return 2;
      }
      // The demo fleet is made afresh for this command: a demo daemon's saved ladders are about another run of it.
      const state = values.demo === true ? { episodes: new Map(), warned: new Set<string>(), holds: new Map() } : snapshot.state;
      explanation = explainSession({
        session: matches[0]!,
        sessions: snapshot.sessions,
        ledger: snapshot.ledger,
        fleet: snapshot.fleet,
        config,
        state,
        now: Date.now(),
        ...(policy !== undefined ? { policy } : {}),
      });
      if (values.demo !== true) note = snapshot.stateNote;
    }
    if (values.json === true) {
      io.stdout(`${JSON.stringify(explanation, null, 2)}\n`);
      return 0;
    }
    const paint = palette(io.color === true);
    io.stdout(explanationText(explanation, paint));
    if (note) io.stderr(`note: ${note}\n`);
    return 0;
  },
};

/**
 * The daemon's own explanation (live ledger and ladders); `refused` with its reason when it has no such session or
 * policy (its loaded config may differ from the file read here); undefined when no daemon answers or it cannot explain.
 */
async function fromDaemon(listen: string, key: string, policy: string | undefined): Promise<SessionExplanation | { refused: string } | undefined> {
  // A refused connection answers at once; a daemon that is up but busy is given a few seconds, not mistaken for none.
  if (!(await daemonRunning(listen, 3_000))) return undefined;
  try {
    const query = policy !== undefined ? `?policy=${encodeURIComponent(policy)}` : '';
    const response = await fetch(`http://${listen}/api/v1/sessions/${encodeURIComponent(key)}/explain${query}`, { signal: AbortSignal.timeout(10_000) });
    if (response.status === 404) {
      const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      if (body.error?.code === 'UNKNOWN_SESSION') return { refused: `no session "${key}"; "clawwarden sessions list" shows the keys` };
      if (body.error?.code === 'UNKNOWN_POLICY') return { refused: body.error.message ?? `no policy "${policy ?? ''}"` };
      return undefined;
    }
    if (!response.ok) return undefined;
    return ((await response.json()) as { explanation: SessionExplanation }).explanation;
  } catch {
    return undefined;
  }
}
