import type { Command } from './command.js';

/** Every command, alphabetised. Each command module is listed here explicitly; no discovery. */
export async function loadCommands(): Promise<readonly Command[]> {
  const modules: { command: Command }[] = await Promise.all([
    // (commands are added here, one import each, alphabetically)
    import('./commands/check.js'),
    import('./commands/journal.js'),
    import('./commands/notify.js'),
    import('./commands/policies.js'),
    import('./commands/run.js'),
    import('./commands/sessions.js'),
    import('./commands/validate.js'),
  ]);
  return modules.map((m) => m.command);
}
