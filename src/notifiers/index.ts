import type { NotifierConfig } from './types.js';
import { emailNotifier } from './email.js';
import { NotifierError } from './errors.js';
import { parseRateLimit, type RateLimit } from './rate-limit.js';
import type { Notifier, NotifierModule } from './types.js';
import { webhookNotifier } from './webhook.js';

/** Every notifier type, alphabetised; the config schema is assembled from these. */
export const notifierModules: Readonly<Record<string, NotifierModule>> = {
  email: emailNotifier,
  webhook: webhookNotifier,
};

/** A created notifier with its delivery budget, as the queue takes it. */
export interface NotifierEntry {
  readonly notifier: Notifier;
  readonly rateLimit: RateLimit;
}

/** Builds every configured notifier (options already validated against its module's schema). */
export function createNotifiers(configs: readonly NotifierConfig[]): NotifierEntry[] {
  return configs.map((config) => {
    const module = notifierModules[config.type];
    if (!module) {
      throw new NotifierError('NOTIFIER_CONFIG', `notifier "${config.name}": unknown type "${config.type}"; expected one of: ${Object.keys(notifierModules).join(', ')}`);
    }
    return { notifier: module.create(config.name, { ...config.options }), rateLimit: parseRateLimit(config.options['rateLimit']) };
  });
}
