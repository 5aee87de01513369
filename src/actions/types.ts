import type { PolicyAction } from '../domain/decision.js';
import type { ActionName } from '../domain/action.js';
import type { SessionDisplayState } from '../domain/session-view.js';
import type { PluginModule } from '../plugin.js';

/** An action plugin (`stop`, `notify`, …): its YAML forms, the source capability it needs, and a parser. */
export interface ActionModule extends PluginModule {
  /** The source capability required to perform it; undefined for notify (handled by clawwarden itself). */
  readonly capability?: ActionName;
  /** Whether the bare word (`- stop`) is a valid form. */
  readonly bare: boolean;
  /** Schema of the value in the one-key object form (`- { cleanup: archive }`), when that form exists. */
  readonly valueSchema?: object;
  /** Reads one `do` item of this action that its schema accepted (the bare word, or the one-key object); a module types `value` as its schema does. */
  parse(value: unknown): PolicyAction;
}

/** When an operator may request an action by key (API, CLI, console), and in which session states it applies. */
export interface ManualUse {
  /** The display states in which the action makes sense (the source must also be able to do it). */
  readonly states: readonly SessionDisplayState[];
  /** Applies only while a run is in progress. */
  readonly whileRunning?: boolean;
}

/** What the enforcer, explain, the API, the CLI and the console need to know about a platform action. */
export interface ActionTraits {
  /** Takes work away from the agent: a policy takes it only on fresh, known usage (the fail-safe; escalation steps past the first are exempt). */
  readonly disruptive: boolean;
  /** What it does to clawwarden's hold: `places` one that `resume` undoes (reversible), `releases` one (and acts on a session that is gone), or `none`. */
  readonly hold: 'places' | 'releases' | 'none';
  /** On an agent's main session, which cannot be archived: `yes`, `daemon` (only as a hold the running daemon keeps), `never`. */
  readonly onMain: 'yes' | 'daemon' | 'never';
  /** On a session in safety.protect: `always`, `if-allowed` (a policy with allowProtected), `never` (a policy never does; an operator only with force). */
  readonly onProtected: 'always' | 'if-allowed' | 'never';
  /** Reaches the sessions a target spawned (sub-agents), transitively: the same action follows on each of them. */
  readonly cascades: boolean;
  /** Counts toward safety.maxActionsPerSweep, for policies and for manual batches alike. */
  readonly countsTowardBlastRadius: boolean;
  /** An operator can request it by key, and where it applies; false when only policies (or the cleanup route) take it. */
  readonly manual: ManualUse | false;
  /** Words for what came of it: `stopped`, and the no-op `nothing to stop`. */
  readonly words: { readonly done: string; readonly noop: string };
}

/** An action a source performs: its module names it, declares its traits and the capability (its own name) it needs. */
export interface PlatformActionModule<N extends ActionName = ActionName> extends ActionModule {
  readonly name: N;
  readonly capability: N;
  readonly traits: ActionTraits;
}
