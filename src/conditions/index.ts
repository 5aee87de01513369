import type { ConditionModule } from './types.js';
import * as active from './active.js';
import * as age from './age.js';
import * as burn from './burn.js';
import * as cost from './cost.js';
import * as idle from './idle.js';
import * as idleHuman from './idle-human.js';
import * as ratioInputOutput from './ratio-input-output.js';
import * as runtime from './runtime.js';
import * as state from './state.js';
import * as tokensCache from './tokens-cache.js';
import * as tokensInput from './tokens-input.js';
import * as tokensOutput from './tokens-output.js';
import * as tokensTotal from './tokens-total.js';

/** Every condition, alphabetised by YAML name. Combinators (`all`, `any`, `not`) live in when.ts. */
export const conditionModules: readonly ConditionModule[] = [active, age, burn, cost, idle, idleHuman, ratioInputOutput, runtime, state, tokensCache, tokensInput, tokensOutput, tokensTotal];

export { COMBINATORS, compileWhen, whenSchema } from './when.js';
export { sessionState, SESSION_STATES, type SessionState } from './state.js';
export type { CompiledCondition, ConditionContext, ConditionModule, ConditionResult } from './types.js';
