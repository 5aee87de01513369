import { isAbsolute, resolve } from 'node:path';
import { Secret } from '../domain/secret.js';
import type { ConfigErrorCode } from './errors.js';
import { describeReadProblem, readText, type FileWork } from './file-io.js';
import { MAX_SECRET_BYTES } from './limits.js';
import type { Segment } from './yaml-file.js';

/** A secret reference that could not be resolved, at its path. */
export interface SecretProblem {
  readonly code: ConfigErrorCode;
  readonly path: readonly Segment[];
  readonly message: string;
}

/** Where secret references are read from. */
export interface SecretContext {
  readonly env: NodeJS.ProcessEnv;
  /** Relative `{ file: … }` paths resolve against this (the config file's directory). */
  readonly baseDir: string;
  /** `false` (`validate --no-secrets`): check each reference's shape, read nothing; the Secrets cannot be revealed. */
  readonly resolve?: boolean;
}

/** The outcome of resolving every reference below one value. */
export interface ResolvedSecrets {
  /** The value with each reference replaced by its plain text, for schema validation only. */
  readonly plain: unknown;
  /** Path (joined by NUL) → the Secret to put there once validated. */
  readonly secrets: ReadonlyMap<string, Secret>;
  /** Paths whose reference failed or was not read; schema errors there are noise. */
  readonly failed: ReadonlySet<string>;
  readonly problems: readonly SecretProblem[];
}

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;
const ENV_IN_PATH = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** A harmless stand-in for a secret's text, so validation of the rest can go on. */
const STAND_IN = 'unresolved-secret';

/** Key of a path in the maps above. */
export function pathKey(path: readonly Segment[]): string {
  return path.join('\u0000');
}

/** True for `${env:NAME}` and `{ file: path }`. */
export function isSecretRef(value: unknown): boolean {
  return (typeof value === 'string' && value.includes('${env:')) || isFileRef(value);
}

/**
 * Resolves `${env:NAME}` and `{ file: path }` references anywhere below `value` (rooted at `path`).
 * File paths may themselves use `${env:NAME}`, which is how systemd credentials are read:
 * `{ file: "${env:CREDENTIALS_DIRECTORY}/gateway-token" }`. A trailing newline of a file is dropped.
 * A secret file must be a regular file of at most MAX_SECRET_BYTES; a FIFO, device or directory is refused unread.
 */
export function* resolveSecrets(value: unknown, path: readonly Segment[], context: SecretContext): FileWork<ResolvedSecrets> {
  const secrets = new Map<string, Secret>();
  const failed = new Set<string>();
  const problems: SecretProblem[] = [];
  const reading = context.resolve !== false;
  const fail = (at: readonly Segment[], code: ConfigErrorCode, message: string): string => {
    problems.push({ code, path: at, message });
    failed.add(pathKey(at));
    return STAND_IN;
  };
  const unread = (at: readonly Segment[], origin: string): string => {
    secrets.set(pathKey(at), new Secret('', origin, false));
    failed.add(pathKey(at));
    return STAND_IN;
  };
  // Files are read after the walk, so walking a large value costs no generator per node.
  const pending: { at: readonly Segment[]; file: string; parent: Record<string | number, unknown>; key: string | number }[] = [];
  const walk = (node: unknown, at: readonly Segment[], parent: Record<string | number, unknown>, key: string | number): unknown => {
    if (typeof node === 'string' && node.includes('${env:')) {
      const match = ENV_REF.exec(node);
      if (!match) return fail(at, 'SECRET_NOT_ALLOWED', 'a ${env:NAME} reference must be the whole value (quote it inside { } flow maps)');
      const name = match[1]!;
      if (!reading) return unread(at, `env:${name}`);
      const text = context.env[name];
      if (text === undefined || text === '') return fail(at, 'SECRET_ENV_MISSING', `environment variable ${name} is ${text === undefined ? 'not set' : 'empty'}`);
      secrets.set(pathKey(at), new Secret(text, `env:${name}`));
      return text;
    }
    if (isFileRef(node)) {
      if (node.file.trim() === '') return fail([...at, 'file'], 'SECRET_FILE_UNREADABLE', 'the secret file path is empty');
      if (node.file.replace(ENV_IN_PATH, '').includes('${')) {
        return fail([...at, 'file'], 'SECRET_NOT_ALLOWED', 'a secret file path may only use ${env:NAME} references (letters, digits and "_")');
      }
      if (!reading) return unread(at, `file:${node.file}`);
      let missing: string | undefined;
      const expanded = node.file.replace(ENV_IN_PATH, (_, name: string) => {
        const part = context.env[name];
        if (part === undefined || part === '') missing ??= name;
        return part ?? '';
      });
      if (missing !== undefined) return fail([...at, 'file'], 'SECRET_ENV_MISSING', `environment variable ${missing} (used in the secret file path) is not set`);
      pending.push({ at, file: isAbsolute(expanded) ? expanded : resolve(context.baseDir, expanded), parent, key });
      return STAND_IN;
    }
    if (Array.isArray(node)) {
      const items: unknown[] = [];
      node.forEach((item, i) => items.push(walk(item, [...at, i], items as unknown as Record<number, unknown>, i)));
      return items;
    }
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(node)) copy[k] = walk(v, [...at, k], copy, k);
      return copy;
    }
    return node;
  };
  const root: Record<string, unknown> = {};
  root['value'] = walk(value, path, root, 'value');
  for (const { at, file, parent, key } of pending) {
    const read = yield* readText(file, MAX_SECRET_BYTES);
    if ('problem' in read) {
      failed.add(pathKey(at));
      fail([...at, 'file'], 'SECRET_FILE_UNREADABLE', describeReadProblem(`secret file ${file}`, read.problem));
      continue;
    }
    const text = read.text.replace(/\r?\n$/, '');
    if (text === '') {
      fail([...at, 'file'], 'SECRET_FILE_UNREADABLE', `secret file ${file} is empty`);
      continue;
    }
    secrets.set(pathKey(at), new Secret(text, `file:${file}`));
    parent[key] = text;
  }
  return { plain: root['value'], secrets, failed, problems };
}

/** Puts the Secrets back at their paths in a validated copy (paths relative to `root`). */
export function withSecrets(value: unknown, root: readonly Segment[], secrets: ReadonlyMap<string, Secret>): unknown {
  const walk = (node: unknown, at: readonly Segment[]): unknown => {
    const secret = secrets.get(pathKey(at));
    if (secret) return secret;
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...at, i]));
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, [...at, k])]));
    return node;
  };
  return walk(value, root);
}

function isFileRef(value: unknown): value is { file: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === 'file' && typeof (value as { file: unknown }).file === 'string';
}
