import { describe, expect, test } from 'vitest';
import { at, cases } from './code-cases.js';
import { load } from './fixture.js';

describe('every problem code: its file:line:column, path and message', () => {
  test.each(Object.entries(cases))('%s', (code, c) => {
    const result = load(c.files, { env: c.env ?? {}, ...(c.load !== undefined ? { file: c.load } : {}) });
    const list = c.warning ? (result.warnings ?? []) : result.errors;
    if (!c.warning) expect(result.config).toBeUndefined();
    if (!c.last) expect(list.map((e) => e.code)).toEqual([code]);
    const problem = list.at(c.last ? -1 : 0)!;
    const file = c.file ?? 'clawwarden.yaml';
    const pos = c.marker !== undefined ? at(c.files[file]!, c.marker, c.nth) : { line: 0, column: 0 };
    const message = c.message.replace('<dir>', result.dir);
    expect({ code: problem.code, file: problem.file, line: problem.line, column: problem.column, path: problem.path, message: problem.message }).toEqual({ code, file, ...pos, path: c.path, message });
    expect(problem.severity).toBe(c.warning ? 'warning' : undefined);
  });
});
