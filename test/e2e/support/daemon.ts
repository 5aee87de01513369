import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { formatConfigError, loadConfig } from '../../../src/config/index.js';
import type { Config } from '../../../src/config/types.js';
import { Daemon } from '../../../src/daemon/daemon.js';
import { startWarden as startProcessWarden } from '../../../src/daemon/warden.js';
import type { JournalEntry } from '../../../src/state/journal-types.js';
import { freePort } from './gateway.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
/** The built CLI; `npm test` builds it first. */
export const CLI = join(repoRoot, 'dist', 'cli', 'main.js');

/** Env names the config refers to: the token values reach clawwarden only through the environment. */
export const GATEWAY_TOKEN_ENV = 'CW_E2E_GATEWAY_TOKEN';
export const API_TOKEN_ENV = 'CW_E2E_API_TOKEN';
export const API_TOKEN = 'e2e-api-token-7f3a9c41d2';

/** What a test's clawwarden config says; everything else is a fixed, fast-reacting default. */
export interface WardenSpec {
  readonly gatewayUrl: string;
  /** YAML list items under `policies:` (each starting with `- name:`), indented by two spaces. */
  readonly policies: string;
  readonly schedule?: string;
  readonly maxActionsPerSweep?: number;
  readonly protect?: readonly string[];
  /** Port for the HTTP API; 0 = OS-chosen (in-process only: a child needs a known port). */
  readonly port?: number;
}

/** The config text: an `openclaw` source whose token comes from `${env:…}`, never the file. */
export function wardenYaml(spec: WardenSpec, stateDir: string, port: number): string {
  const protect = (spec.protect ?? []).map((p) => JSON.stringify(p)).join(', ');
  return `sources:
  - name: gw
    type: openclaw
    url: ${spec.gatewayUrl}
    token: \${env:${GATEWAY_TOKEN_ENV}}
    reconnect: { minMs: 200, maxMs: 1000 }
mode: enforce
schedule: ${JSON.stringify(spec.schedule ?? '0 0 1 1 *')}
stateDir: ${JSON.stringify(stateDir)}
http:
  listen: 127.0.0.1:${port}
  token: \${env:${API_TOKEN_ENV}}
safety:
  maxActionsPerSweep: ${spec.maxActionsPerSweep ?? 20}
  protect: [${protect}]
policies:
${spec.policies}
`;
}

/** A temp dir holding the config file and the state dir. */
export interface WardenFiles {
  readonly dir: string;
  readonly file: string;
  readonly stateDir: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
}

/** Writes the config into a new temp dir (or `dir`, keeping its state dir, for a restart). */
export async function writeWardenConfig(spec: WardenSpec, gatewayToken: string, dir?: string): Promise<WardenFiles> {
  const root = dir ?? (await mkdtemp(join(tmpdir(), 'clawwarden-e2e-')));
  const stateDir = join(root, 'state');
  await mkdir(stateDir, { recursive: true });
  const port = spec.port ?? (await freePort());
  const file = join(root, 'clawwarden.yaml');
  await writeFile(file, wardenYaml(spec, stateDir, port));
  return { dir: root, file, stateDir, port, env: { [GATEWAY_TOKEN_ENV]: gatewayToken, [API_TOKEN_ENV]: API_TOKEN } };
}

/** Every journal entry in `stateDir`, oldest first (rotated files included). */
export async function readJournal(stateDir: string): Promise<JournalEntry[]> {
  const names = (await readdir(stateDir).catch(() => [] as string[])).filter((n) => /^journal(\.\d+)?\.jsonl$/.test(n));
  const entries: JournalEntry[] = [];
  for (const name of names) {
    const text = await readFile(join(stateDir, name), 'utf8');
    for (const line of text.split('\n')) if (line.trim() !== '') entries.push(JSON.parse(line) as JournalEntry);
  }
  return entries.sort((a, b) => a.seq - b.seq);
}

/** What both ways of running the daemon offer a test. */
export interface WardenHandle {
  readonly base: string;
  readonly files: WardenFiles;
  journal(): Promise<JournalEntry[]>;
  /** `/metrics` text. */
  metrics(): Promise<string>;
  /** `/readyz` status code. */
  readyz(): Promise<number>;
  /** A write through the daemon API with the bearer token. */
  act(action: 'stop' | 'kill' | 'pause' | 'resume', key: string): Promise<{ status: number; body: unknown }>;
  /** Everything the daemon logged so far. */
  logs(): string;
}

function httpHelpers(base: string): Pick<WardenHandle, 'metrics' | 'readyz' | 'act'> {
  return {
    metrics: async () => (await fetch(`${base}/metrics`)).text(),
    readyz: async () => (await fetch(`${base}/readyz`)).status,
    act: async (action, key) => {
      const res = await fetch(`${base}/api/v1/sessions/${encodeURIComponent(key)}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    },
  };
}

/** The daemon in this process (for clock control): real outputs, metrics and HTTP API on an OS-chosen port. */
export interface InProcessWarden extends WardenHandle {
  readonly daemon: Daemon;
  readonly config: Config;
  close(): Promise<void>;
}

/** Loads the config like `clawwarden run` does and starts Daemon + HTTP server; `now` moves the daemon's clock. */
export async function startWarden(spec: WardenSpec, gatewayToken: string, options: { now?: () => number } = {}): Promise<InProcessWarden> {
  const files = await writeWardenConfig({ ...spec, port: spec.port ?? 0 }, gatewayToken);
  const loaded = loadConfig({ file: files.file, cwd: files.dir, env: files.env });
  if (!loaded.config) throw new Error(loaded.errors.map((e) => formatConfigError(e)).join('\n'));
  const config = loaded.config;
  let output = '';
  const log = pino({ level: process.env.CLAWWARDEN_TEST_LOG ?? 'info' }, { write: (line: string) => void (output += line) });
  // Exactly what `clawwarden run` starts, in this process so the test can move the clock.
  const warden = await startProcessWarden(config, { log, version: 'e2e', processMetrics: false, ...(options.now ? { now: options.now } : {}) });
  const running = warden.daemon;
  const { port } = warden.address;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    files,
    daemon: running,
    config,
    journal: () => readJournal(files.stateDir),
    logs: () => output,
    ...httpHelpers(base),
    close: async () => {
      await warden.close();
      await rm(files.dir, { recursive: true, force: true });
    },
  };
}

/** `clawwarden run` as a child process (for kill -9, SIGHUP, SIGTERM). */
export interface ChildWarden extends WardenHandle {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  signal(name: NodeJS.Signals): void;
}

/** Spawns `node dist/cli/main.js run --config F --state-dir D` with the tokens in its env only. */
export function spawnWarden(files: WardenFiles, options: { logLevel?: string } = {}): ChildWarden {
  const child = spawn(process.execPath, [CLI, 'run', '--config', files.file, '--state-dir', files.stateDir, '--log-level', options.logLevel ?? 'debug'], {
    cwd: files.dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: files.dir, ...files.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? 'unknown')));
  const base = `http://127.0.0.1:${files.port}`;
  return {
    base,
    files,
    child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    logs: () => stdout + stderr,
    journal: () => readJournal(files.stateDir),
    signal: (name) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(name);
    },
    ...httpHelpers(base),
  };
}

/** Waits until `/readyz` answers `want` (200 = connected and synced). */
export async function waitReady(warden: Pick<WardenHandle, 'readyz' | 'logs'>, want = 200, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Error | undefined;
  while (Date.now() < deadline) {
    try {
      if ((await warden.readyz()) === want) return;
    } catch (error) {
      last = error as Error;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`/readyz never answered ${want} within ${timeoutMs} ms (${String(last ?? '')}); daemon log:\n${warden.logs().slice(-3000)}`);
}

/** Stops a child daemon: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopWarden(warden: ChildWarden, graceMs = 10_000): Promise<number | string> {
  warden.signal('SIGTERM');
  const timer = setTimeout(() => warden.signal('SIGKILL'), graceMs);
  const code = await warden.exited;
  clearTimeout(timer);
  return code;
}

/** Journal entries of one type about one session. */
export function entriesFor(entries: readonly JournalEntry[], session: string, type?: JournalEntry['type']): JournalEntry[] {
  return entries.filter((e) => e.session === session && (type === undefined || e.type === type));
}
