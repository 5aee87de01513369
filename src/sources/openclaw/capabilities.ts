import type { ActionName } from '../../domain/action.js';

/**
 * Every action OpenClaw can carry out: what the source module declares and the live source checks. actions.ts keys its
 * implementations by this list, so an action listed here without an implementation (or implemented but not listed)
 * does not compile. It stays apart from actions.ts so the source registry can read it without loading the gateway code.
 */
export const CAPABILITIES = ['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'] as const satisfies readonly ActionName[];

/** An action OpenClaw can carry out. */
export type Capability = (typeof CAPABILITIES)[number];
