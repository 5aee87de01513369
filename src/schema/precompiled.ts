import type { Options, ValidateFunction } from 'ajv';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { debuglog } from 'node:util';

// Sync loading (loadConfig is synchronous): the generated modules are ESM without top-level await, which require() loads.
const require = createRequire(import.meta.url);
/** `NODE_DEBUG=clawwarden`: says which validators were generated at build time and which were compiled, and why. */
const nodeDebug = debuglog('clawwarden');

/** Where precompiledOrCompile says what it did (util.format arguments). */
export type DebugLog = (message: string, ...args: unknown[]) => void;

/** What a module written by standaloneModule exports. */
interface GeneratedValidator {
  readonly fingerprint: string;
  readonly validate: ValidateFunction;
}

/**
 * What a validator is compiled from: ajv's version, the options and the schema's JSON. A generated validator whose
 * fingerprint differs from the schema's now was built from another schema (or ajv), and is never used.
 */
export function schemaFingerprint(schema: object, options: Options): string {
  const { version } = require('ajv/package.json') as { version: string };
  return createHash('sha256')
    .update(JSON.stringify({ ajv: version, options, schema }))
    .digest('hex');
}

/**
 * The validator of `schema` with `options`: the module generated at build time at `generated` when it was generated from
 * this very schema, options and ajv; else (no such module, a stale one, one that does not load) compiled now, which
 * costs ~10 MB of heap that is never given back and ~100 ms. Either way the errors are ajv's for these options.
 */
export function precompiledOrCompile(name: string, schema: object, options: Options, generated: URL, debug: DebugLog = nodeDebug): ValidateFunction {
  const loaded = loadGenerated(name, generated, debug);
  if (loaded) {
    if (loaded.fingerprint === schemaFingerprint(schema, options)) {
      debug('%s validator: generated at build time (%s)', name, fileURLToPath(generated));
      return loaded.validate;
    }
    debug('%s validator: %s is stale (generated from another schema, options or ajv); compiling at load', name, fileURLToPath(generated));
  }
  return compileNow(schema, options);
}

/**
 * Compiles `schema` with ajv now. ajv itself is only loaded here: a process that uses generated validators never loads its
 * compiler. ajv is given a copy because it rewrites the schema it compiles (`nullable: true` adds "null" to `type`), and
 * the plugins' schemas are shared objects: they, and so the fingerprint, stay what the code says.
 */
export function compileNow(schema: object, options: Options): ValidateFunction {
  const { Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(options).compile(structuredClone(schema));
}

function loadGenerated(name: string, generated: URL, debug: DebugLog): GeneratedValidator | undefined {
  const path = fileURLToPath(generated);
  try {
    const module = require(path) as Partial<GeneratedValidator>;
    if (typeof module.fingerprint === 'string' && typeof module.validate === 'function') return module as GeneratedValidator;
    debug('%s validator: %s is not a generated validator; compiling at load', name, path);
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (error as Error).message.includes(path);
    // Running from src (tsx, vitest) there is none: the build generates them into dist.
    debug('%s validator: %s; compiling at load', name, missing ? `no generated module at ${path}` : `${path} does not load: ${(error as Error).message}`);
  }
  return undefined;
}
