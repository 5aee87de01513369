#!/usr/bin/env node
import { closest } from '../config/errors.js';
import { colorWanted } from './color.js';
import { UsageError, type CommandIO } from './command.js';
import { COMMANDS, type CommandEntry } from './index.js';
import { VERSION } from './version.js';

/** Entry point: `clawwarden <command> [options]`. Returns the exit code. */
export async function main(argv: readonly string[], io: CommandIO): Promise<number> {
  const commands = COMMANDS;
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V') {
    io.stdout(`clawwarden ${VERSION}\n`);
    return 0;
  }
  if (name === undefined || name === '--help' || name === '-h') {
    io.stdout(topHelp(commands));
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const [topic] = rest;
    if (topic === undefined) {
      io.stdout(topHelp(commands));
      return 0;
    }
    const entry = commands.find((c) => c.name === topic);
    if (!entry) return unknownCommand(topic, commands, io);
    const about = await entry.load();
    io.stdout(about.help.endsWith('\n') ? about.help : `${about.help}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) return unknownCommand(name, commands, io);
  // Only the command that runs is imported: `run` starts without loading what `sessions` or `notify` need.
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(command.help.endsWith('\n') ? command.help : `${command.help}\n`);
    return 0;
  }
  if (rest.includes('--version')) {
    io.stdout(`clawwarden ${VERSION}\n`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`clawwarden ${command.name}: ${error.message}\nRun "clawwarden ${command.name} --help" for usage.\n`);
      return 2;
    }
    throw error;
  }
}

function unknownCommand(name: string, commands: readonly CommandEntry[], io: CommandIO): number {
  const hint = closest(
    name,
    commands.map((c) => c.name),
  );
  io.stderr(
    `clawwarden: unknown command "${name}"${hint ? `; did you mean "${hint}"?` : ''}\n` +
      `Commands: ${commands.map((c) => c.name).join(', ')}. Run "clawwarden help <command>" for one command's options.\n`,
  );
  return 2;
}

function topHelp(commands: readonly { name: string; summary: string }[]): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `clawwarden ${VERSION} — budget watchdog for AI-agent fleets`,
    '',
    'Usage: clawwarden <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Every command takes --help, --version and --json where it prints data; tables fit the terminal (--wide: all of it).',
    'Run "clawwarden help <command>" for its options. From a clone, prefix commands with npx: npx clawwarden check --demo.',
    '',
  ].join('\n');
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === (await import('node:url')).pathToFileURL((await import('node:fs')).realpathSync(process.argv[1])).href;
if (invokedDirectly) {
  const code = await main(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
    color: colorWanted(process.stdout.isTTY, process.env),
  });
  // Long-running commands (run) resolve only when they are done; then exit with their code.
  process.exitCode = code;
}
