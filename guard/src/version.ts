/** This guard's version: clawwarden's own (a test keeps it equal to both package.json files). */
export const GUARD_VERSION = '0.1.0';

/** OpenClaw versions this guard was tested against (hook names, contexts and the run abort it relies on). */
export const TESTED_GATEWAY = /^2026\.9\.\d+$/;
