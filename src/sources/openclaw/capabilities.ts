import type { ActionName } from '../../domain/action.js';

/** Every action OpenClaw can carry out: what the source module declares and the live source checks. */
export const CAPABILITIES: readonly ActionName[] = ['stop', 'kill', 'pause', 'resume', 'cleanup', 'compact'];
