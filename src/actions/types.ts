import type { PolicyAction } from '../domain/decision.js';
import type { ActionName } from '../domain/action.js';
import type { PluginModule } from '../plugin.js';

/** An action plugin (`stop`, `notify`, …): its YAML forms, the source capability it needs, and a parser. */
export interface ActionModule extends PluginModule {
  /** The source capability required to perform it; undefined for notify (handled by clawwarden itself). */
  readonly capability?: ActionName;
  /** Whether the bare word (`- stop`) is a valid form. */
  readonly bare: boolean;
  /** Schema of the value in the one-key object form (`- { cleanup: archive }`), when that form exists. */
  readonly valueSchema?: object;
  /** Parses one `do` item of this action (the bare word or the one-key object); throws PolicyValueError. */
  parse(value: unknown): PolicyAction;
}
