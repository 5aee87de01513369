import { notifierModules } from '../notifiers/index.js';
import { policyLanguage } from '../policy/index.js';
import { sourceModules } from '../sources/index.js';
import type { Registries } from './schema.js';

/**
 * The built-in plugin registries: every source, notifier and the policy language. One object for the process, so the
 * validators compiled for it (or generated for it at build time) are kept across reloads.
 */
export const BUILTIN_REGISTRIES: Registries = Object.freeze({
  sources: sourceModules,
  notifiers: Object.values(notifierModules),
  policy: policyLanguage(),
});
