import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ConfigError } from '../config/errors.js';
import { displayName } from '../config/policy-files.js';
import { parseTestFile } from './format.js';
import { runTestFile, type CaseResult } from './run.js';
import { expand, loadTarget } from './target.js';

/** What running one test file gave: its cases, or why it could not run (a malformed file or config). */
export interface FileResult {
  readonly file: string;
  readonly errors: readonly ConfigError[];
  readonly cases: readonly CaseResult[];
}

/** A test file's name ends so. */
export const TEST_SUFFIX = '.test.yaml';

/** The test files named by `paths` (files as given; directories searched for `*.test.yaml`), sorted, each once. */
export function findTestFiles(paths: readonly string[], cwd: string): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const full = resolve(cwd, p);
    let kind: 'file' | 'dir' | undefined;
    try {
      const stat = statSync(full);
      kind = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : undefined;
    } catch {
      kind = undefined;
    }
    if (kind === 'file') files.add(full);
    else if (kind === 'dir') for (const f of expand(`**/*${TEST_SUFFIX}`, full)) files.add(f);
    else missing.push(p);
  }
  return { files: [...files].sort(), missing };
}

/** Reads, loads and runs one test file. Never throws for what the file says: problems come back as errors. */
export async function runFile(path: string, context: { cwd: string; env: NodeJS.ProcessEnv }): Promise<FileResult> {
  const shown = displayName(path, context.cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return {
      file: shown,
      cases: [],
      errors: [{ code: 'FILE_UNREADABLE', file: shown, line: 0, column: 0, path: '', message: `cannot read test file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }],
    };
  }
  const parsed = parseTestFile(shown, path, text);
  if (!parsed.file) return { file: shown, cases: [], errors: parsed.errors };
  const target = loadTarget(parsed.file, context);
  if (!target.config) return { file: shown, cases: [], errors: target.errors.filter((e) => (e as { severity?: string }).severity !== 'warning') };
  const known = new Set(target.config.policies.map((p) => p.name));
  const unknown: ConfigError[] = [];
  for (const c of parsed.file.cases) {
    for (const step of c.steps) {
      for (const e of step.expect) {
        if (!known.has(e.policy))
          unknown.push({
            code: 'SCHEMA',
            file: shown,
            line: e.line,
            column: 1,
            path: '',
            message: `case "${c.name}" expects policy "${e.policy}", which the config under test does not have; it has: ${[...known].join(', ')}`,
          });
      }
    }
  }
  if (unknown.length > 0) return { file: shown, cases: [], errors: unknown };
  return { file: shown, errors: [], cases: await runTestFile(parsed.file, target.config) };
}
