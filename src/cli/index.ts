import type { Command } from './command.js';

/** A command as the overview lists it; its module (and everything it needs) is imported only when it runs. */
export interface CommandEntry {
  readonly name: string;
  /** The same words as the module's `command.summary` (a test keeps them equal). */
  readonly summary: string;
  load(): Promise<Command>;
}

/** Every command, alphabetised. Each command module is listed here explicitly; no discovery. */
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'check', summary: 'Evaluate the policies once and print what would be done and why', load: async () => (await import('./commands/check.js')).command },
  { name: 'explain', summary: 'Explain why each policy does or does not act on a session, with its numbers', load: async () => (await import('./commands/explain.js')).command },
  { name: 'journal', summary: 'read the audit journal of decisions, actions and results', load: async () => (await import('./commands/journal.js')).command },
  { name: 'notify', summary: 'notify test <notifier>: send a test message through a configured notifier', load: async () => (await import('./commands/notify.js')).command },
  { name: 'openclaw', summary: 'install-guard, uninstall-guard: add or remove the in-gateway guard in an OpenClaw config', load: async () => (await import('./commands/openclaw.js')).command },
  { name: 'policies', summary: 'List and explain the loaded policies', load: async () => (await import('./commands/policies.js')).command },
  { name: 'replay', summary: 'Run the policies over past usage as if they had been on: would-be actions and savings', load: async () => (await import('./commands/replay.js')).command },
  { name: 'run', summary: 'run the watchdog daemon (--demo: on the built-in simulated fleet)', load: async () => (await import('./commands/run.js')).command },
  { name: 'sessions', summary: 'list, stop, kill, pause, resume and clean up OpenClaw sessions', load: async () => (await import('./commands/sessions.js')).command },
  { name: 'test', summary: 'Run policy test files: expected decisions per case against a fixture fleet', load: async () => (await import('./commands/test.js')).command },
  { name: 'validate', summary: 'Check the config and policy files; print every error with file:line:column', load: async () => (await import('./commands/validate.js')).command },
];

/** Every command module, loaded (for tests; the CLI loads only the one it runs). */
export async function loadCommands(): Promise<readonly Command[]> {
  return Promise.all(COMMANDS.map((entry) => entry.load()));
}
