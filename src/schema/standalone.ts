import type { Options } from 'ajv';
import { createRequire } from 'node:module';
import { schemaFingerprint } from './precompiled.js';

const require = createRequire(import.meta.url);

/**
 * The source of an ES module exporting `validate`, the validator ajv compiles from `schema` with `options`, as standalone
 * code, and `fingerprint`, what it was compiled from (see precompiledOrCompile). Build-time only: it loads ajv's compiler.
 */
export function standaloneModule(schema: object, options: Options): string {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = (require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js')).default;
  const fingerprint = schemaFingerprint(schema, options);
  // ajv rewrites the schema it compiles (`nullable: true` adds "null" to `type`), and a validator compiled at load hands
  // out errors holding that rewritten copy (`schema`, `parentSchema`); the generated code embeds its schema as it was
  // when compiling began. Compiled once before, the copy embedded is the rewritten one: the errors are the same objects.
  const copy = structuredClone(schema);
  new Ajv(options).compile(copy);
  const ajv = new Ajv({ ...options, code: { source: true, esm: true } });
  const code = standaloneCode(ajv, ajv.compile(copy)).replace(/^"use strict";/, '');
  // ajv's ESM output still calls require() for its runtime helpers (ucs2length, equal, …); an ES module has none of its own.
  return [
    '// Generated at build time by scripts/generate-validators.mjs: do not edit.',
    "import { createRequire } from 'node:module';",
    'const require = createRequire(import.meta.url);',
    `export const fingerprint = ${JSON.stringify(fingerprint)};`,
    code,
    '',
  ].join('\n');
}
