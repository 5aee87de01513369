import { registerGuard } from './plugin.js';
import type { GuardPluginApi } from './sdk.js';

/**
 * The OpenClaw plugin entry (`openclaw.extensions` in package.json). OpenClaw loads a plugin's default export, which
 * is why this module has one.
 */
const entry = {
  id: 'clawwarden-guard',
  name: 'clawwarden guard',
  description: "Enforces clawwarden's budget verdicts inside the gateway and reports every model call's usage to it.",
  register(api: GuardPluginApi): void {
    registerGuard(api);
  },
};

export default entry;
