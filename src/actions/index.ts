import type { ActionName } from '../domain/action.js';
import { ACTION_NAMES } from '../domain/action.js';
import type { SessionDisplayState } from '../domain/session-view.js';
import type { ActionModule, ActionTraits, PlatformActionModule } from './types.js';
import * as cleanup from './cleanup.js';
import { compact } from './compact.js';
import { kill } from './kill.js';
import * as notify from './notify.js';
import { pause } from './pause.js';
import { resume } from './resume.js';
import { stop } from './stop.js';

/**
 * Every action a source performs, by name. The type holds it equal to ActionName: a name without a module, a module
 * under another name, or one without traits does not compile.
 */
const platformActions = { stop, kill, pause, resume, cleanup, compact } as const satisfies { readonly [A in ActionName]: PlatformActionModule<A> };

/** Every action, alphabetised by YAML name (notify included: clawwarden performs it itself). */
export const actionModules: readonly ActionModule[] = [cleanup, compact, kill, notify, pause, resume, stop];

/** Each platform action's traits, from its module. */
export const actionTraits: { readonly [A in ActionName]: (typeof platformActions)[A]['traits'] } = Object.fromEntries(ACTION_NAMES.map((name) => [name, platformActions[name].traits])) as {
  readonly [A in ActionName]: (typeof platformActions)[A]['traits'];
};

/** The actions an operator can request by key (API, CLI, console): those whose traits say `manual`. */
export type ManualAction = { [A in ActionName]: (typeof platformActions)[A]['traits']['manual'] extends false ? never : A }[ActionName];

/** Whether an operator can request `action` by key. */
export function isManualAction(action: string): action is ManualAction {
  return (ACTION_NAMES as readonly string[]).includes(action) && actionTraits[action as ActionName].manual !== false;
}

/** The manual actions, in display order. */
export const MANUAL_ACTIONS: readonly ManualAction[] = ACTION_NAMES.filter(isManualAction);

/** The traits of one action (widened, for code that branches on them). */
export function traitsOf(action: ActionName): ActionTraits {
  return actionTraits[action];
}

/** Whether taking `action` counts toward safety.maxActionsPerSweep. */
export function countsTowardBlastRadius(action: ActionName): boolean {
  return traitsOf(action).countsTowardBlastRadius;
}

/** Whether a policy takes `action` only on fresh, known usage. */
export function needsKnownUsage(action: ActionName): boolean {
  return traitsOf(action).disruptive;
}

/** The manual actions that make sense for a session in `state` (the source must also be able to do them): served to the console. */
export function manualActionsIn(state: SessionDisplayState, active: boolean): ManualAction[] {
  return MANUAL_ACTIONS.filter((action) => {
    const use = traitsOf(action).manual;
    return use !== false && use.states.includes(state) && (!use.whileRunning || active);
  });
}

export { ACTION_NAMES };
export type { ActionName };
export { compileAction } from './compile.js';
export type { ActionModule, ActionTraits, ManualUse, PlatformActionModule } from './types.js';
