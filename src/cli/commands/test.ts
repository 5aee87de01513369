import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatConfigError } from '../../config/errors.js';
import { findTestFiles, runFile, type FileResult } from '../../policytest/suite.js';
import { parseCommandArgs } from '../args.js';
import { palette } from '../color.js';
import { UsageError, type Command, type CommandIO } from '../command.js';
import { renderTable } from '../table.js';

const help = `Usage: clawwarden test [PATH...] [--json] [--wide]
       clawwarden test --init --config FILE [--out FILE]

Runs policy test files: each names the policies (or config) under test, a fixture fleet (sessions with usage,
per-call history, agents, a clock) and the decisions expected per case — which policy acts on which session with
which actions, or nothing. Every case runs on the daemon's own engine and enforcer (ladders, cooldowns, blast
radius, protection, fail-safe on unknown usage, observe mode), so a passing test is what the daemon will do.

A PATH is a test file or a directory searched for *.test.yaml (default: ./policies, else .).

Options:
  --json         print { ok, files[] } with every case, decision and difference
  --wide         every column in full
  --init         write a starter test for --config FILE (its expectations are what the policies decide now:
                 read them before you trust them)
  -c, --config FILE  with --init: the config to write a test for
  --out FILE     with --init: where to write it (default: beside the config, <name>.test.yaml)

Exit status: 0 every case passed, 1 a case failed, 2 a malformed test file (file:line:column) or bad usage.
`;

/** `clawwarden test`: policy tests, kyverno-test style. */
export const command: Command = {
  name: 'test',
  summary: 'Run policy test files: expected decisions per case against a fixture fleet',
  help,
  async run(argv: readonly string[], io: CommandIO): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, {
      json: { type: 'boolean', default: false },
      wide: { type: 'boolean', default: false },
      init: { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      out: { type: 'string' },
    });
    if (values.init === true) {
      if (typeof values.config !== 'string') throw new UsageError('--init needs --config FILE: the config to write a starter test for');
      if (positionals.length > 0) throw new UsageError('--init takes no PATH; use --out FILE to choose where the test goes');
      const { writeStarter } = await import('../../policytest/init.js');
      return writeStarter({ config: values.config, ...(typeof values.out === 'string' ? { out: values.out } : {}) }, io);
    }
    if (typeof values.config === 'string' || typeof values.out === 'string') throw new UsageError('--config and --out go with --init; a test file names its own config or policies');
    const paths = positionals.length > 0 ? positionals : [existsSync(resolve(io.cwd, 'policies')) ? 'policies' : '.'];
    const { files, missing } = findTestFiles(paths, io.cwd);
    if (missing.length > 0) {
      io.stderr(`clawwarden test: ${missing.map((m) => `${m}: no such file or directory`).join('; ')}\n`);
      return 2;
    }
    if (files.length === 0) {
      io.stderr(`clawwarden test: no *.test.yaml files under ${paths.join(', ')}\n`);
      return 2;
    }
    const results: FileResult[] = [];
    for (const file of files) results.push(await runFile(file, { cwd: io.cwd, env: io.env }));
    const malformed = results.some((r) => r.errors.length > 0);
    const failed = results.some((r) => r.cases.some((c) => !c.ok));
    const code = malformed ? 2 : failed ? 1 : 0;
    if (values.json === true) {
      io.stdout(`${JSON.stringify({ ok: code === 0, files: results.map(jsonOf) }, null, 2)}\n`);
      return code;
    }
    print(results, io, values.wide === true);
    return code;
  },
};

function jsonOf(r: FileResult): object {
  return {
    file: r.file,
    ok: r.errors.length === 0 && r.cases.every((c) => c.ok),
    ...(r.errors.length > 0 ? { errors: r.errors.map((e) => ({ ...e, text: formatConfigError(e) })) } : {}),
    cases: r.cases.map((c) => ({
      name: c.name,
      line: c.line,
      ok: c.ok,
      steps: c.steps.map((s) => ({
        at: new Date(s.at).toISOString(),
        line: s.line,
        decisions: s.decisions,
        problems: s.problems.map((p) => ({
          kind: p.kind,
          policy: p.policy,
          subject: p.subject,
          text: p.text,
          ...(p.expected ? { expected: p.expected } : {}),
          ...(p.actual ? { actual: p.actual } : {}),
        })),
      })),
    })),
  };
}

function print(results: readonly FileResult[], io: CommandIO, wide: boolean): void {
  const paint = palette(io.color === true);
  const rows: string[][] = [];
  for (const r of results) {
    if (r.errors.length > 0) rows.push(['ERROR', r.file, `${r.errors.length} ${r.errors.length === 1 ? 'problem' : 'problems'} in the file (below)`]);
    for (const c of r.cases) rows.push([c.ok ? 'pass' : 'FAIL', `${r.file}:${c.line}`, c.name]);
  }
  io.stdout(
    renderTable(['RESULT', 'TEST', 'CASE'], rows, [], {
      width: wide ? undefined : io.columns,
      shrink: [2],
      paint: (text, _row, column) => (column !== 0 ? text : text.startsWith('pass') ? paint.green(text) : paint.red(text)),
    }),
  );
  for (const r of results) {
    for (const e of r.errors) io.stderr(`${formatConfigError(e)}\n`);
    for (const c of r.cases) {
      if (c.ok) continue;
      io.stdout(`\n${paint.red('FAIL')} ${r.file}:${c.line} ${c.name}\n`);
      for (const s of c.steps) {
        for (const p of s.problems) {
          io.stdout(`  at ${new Date(s.at).toISOString()} (step at line ${s.line})\n`);
          io.stdout(`    expected: ${p.expected ? `${p.policy} on ${p.subject}: ${expectedText(p.expected)}` : `nothing from ${p.policy} on ${p.subject}`}\n`);
          io.stdout(`    actual:   ${p.actual ? `${p.policy} on ${p.subject}: ${actualText(p.actual)}` : 'nothing decided'}\n`);
          if (p.kind === 'differs') io.stdout(`    ${paint.dim(`differs in ${p.text}`)}\n`);
        }
      }
    }
  }
  const cases = results.flatMap((r) => r.cases);
  const failed = cases.filter((c) => !c.ok).length;
  const broken = results.filter((r) => r.errors.length > 0).length;
  const summary = [`${cases.length - failed} passed`, ...(failed > 0 ? [`${failed} failed`] : []), ...(broken > 0 ? [`${broken} ${broken === 1 ? 'file' : 'files'} could not run`] : [])].join(', ');
  io.stdout(`\n${results.length} test ${results.length === 1 ? 'file' : 'files'}, ${cases.length} ${cases.length === 1 ? 'case' : 'cases'}: ${summary}.\n`);
}

function expectedText(e: { actions: readonly string[]; held: readonly string[]; kind?: string; mode?: string }): string {
  return [`[${e.actions.join(', ')}]`, ...(e.held.length > 0 ? [`held back [${e.held.join(', ')}]`] : []), ...(e.kind ? [`kind ${e.kind}`] : []), ...(e.mode ? [`mode ${e.mode}`] : [])].join(', ');
}

function actualText(a: { actions: readonly string[]; held: readonly { action: string; why: string }[]; kind: string; mode: string; reason: string }): string {
  const held = a.held.length > 0 ? `, held back [${a.held.map((h) => h.action).join(', ')}] (${a.held.map((h) => h.why).join('; ')})` : '';
  return `[${a.actions.join(', ')}]${held}, kind ${a.kind}, mode ${a.mode} — ${a.reason}`;
}
