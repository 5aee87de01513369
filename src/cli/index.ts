import type { Command } from './command.js';

/** Every command, alphabetised. Each command module is listed here explicitly; no discovery. */
export async function loadCommands(): Promise<readonly Command[]> {
  const modules: { command: Command }[] = await Promise.all([
    // (commands are added here, one import each, alphabetically)
    import('./commands/journal.js'),
    import('./commands/run.js'),
    import('./commands/sessions.js'),
  ]);
  return modules.map((m) => m.command);
}
