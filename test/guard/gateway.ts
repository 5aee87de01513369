import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { main } from '../../src/cli/main.js';
import { formatConfigError, loadConfig } from '../../src/config/index.js';
import { startWarden, type Warden } from '../../src/daemon/warden.js';
import type { JournalEntry } from '../../src/state/journal-types.js';
import { startFakeModel, type FakeModel, type ServedCall } from '../e2e/support/fake-model.js';
import { freePort, objectAt, startGateway, type Gateway } from '../e2e/support/gateway.js';
import { readJournal, spawnWarden, type ChildWarden } from '../e2e/support/daemon.js';
import { connectOperator, eventually, type Operator } from '../e2e/support/operator.js';
import { GUARD_PLUGIN_ID, planInstall } from '../../src/guard/install.js';
import { ensureGuardBuilt, GUARD_DIR } from './build.js';

export const GATEWAY_TOKEN_ENV = 'CW_E2E_GATEWAY_TOKEN';
export const API_TOKEN_ENV = 'CW_E2E_API_TOKEN';
export const GUARD_TOKEN_ENV = 'CW_E2E_GUARD_TOKEN';
export const API_TOKEN = 'e2e-api-token-7f3a9c41d2';

/** A real gateway with clawwarden's guard installed by `clawwarden openclaw install-guard`, and two fake models. */
export interface GuardWorld {
  /** Agent `main` runs on this one (300 ms per call). */
  slow: FakeModel;
  /** Agent `fast` runs on this one (30 ms per call). */
  fast: FakeModel;
  gateway: Gateway;
  operator: Operator;
  /** Where the guard looks for the daemon (fixed: it is in openclaw.json). */
  guardPort: number;
  guardToken: string;
  /** What install-guard printed. */
  installed: string;
  /** Starts a session `agent:<agent>:<name>` with a message. */
  create(agent: 'main' | 'fast', name: string, message: string): Promise<{ key: string }>;
  /** The clawwarden config (the gateway as source, the guard channel on guardPort) with these policies. */
  writeConfig(policies: string, options?: { httpPort?: number; guard?: boolean; schedule?: string }): Promise<DaemonFiles>;
}

export interface DaemonFiles {
  readonly dir: string;
  readonly file: string;
  readonly stateDir: string;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
}

/** The in-process daemon of a guard test. */
export interface GuardedWarden {
  readonly warden: Warden;
  readonly files: DaemonFiles;
  journal(): Promise<JournalEntry[]>;
  logs(): string;
  act(action: 'stop' | 'kill' | 'pause' | 'resume', key: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

const provider = (baseUrl: string): object => ({
  baseUrl,
  apiKey: 'sk-fake-local',
  api: 'openai-completions',
  timeoutSeconds: 600,
  models: [{ id: 'fake-1', name: 'Fake Model', reasoning: false, input: ['text'], cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, contextWindow: 128000, maxTokens: 4096 }],
});

/**
 * Starts the fake models and a gateway, installs the guard with `clawwarden openclaw install-guard`, restarts the gateway
 * and warms both agents up. `preinstalled`: the guard is written into openclaw.json (as install-guard plans it) before the
 * first start, no restart, and only agent `main` is warmed up (for suites that do not test the install). `configure`
 * edits openclaw.json before the first start, after the agents and the guard are in (e.g. heartbeats, a tool profile).
 */
export async function setUpGuardWorld(
  options: { workshop?: boolean; preinstalled?: boolean; configure?: (config: Record<string, unknown>) => void } = {},
): Promise<GuardWorld & { close: () => Promise<void> }> {
  const world = {} as GuardWorld & { close: () => Promise<void> };
  let configDir: string | undefined;
  world.close = async () => {
    const started: Partial<GuardWorld> = world; // filled in step by step: a failed step leaves the rest unset
    await started.operator?.close();
    await started.gateway?.close();
    await started.slow?.close();
    await started.fast?.close();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  };
  try {
    ensureGuardBuilt();
    world.slow = await startFakeModel({ quickDelayMs: 300 });
    world.fast = await startFakeModel({ quickDelayMs: 30 });
    world.guardPort = await freePort();
    world.guardToken = `guard-${Math.random().toString(36).slice(2)}-${Date.now()}`;
    const agentsAndGuard = (cfg: Record<string, unknown>): void => {
      objectAt(cfg, 'models', 'providers')['fast'] = provider(world.fast.baseUrl);
      objectAt(cfg, 'agents')['entries'] = { main: {}, fast: { model: { primary: 'fast/fake-1' } } };
      if (options.workshop) cfg['skills'] = { workshop: { autonomous: { mode: 'auto' } } };
      options.configure?.(cfg);
      if (!options.preinstalled) return;
      // What install-guard writes (the guard e2e suites run the command itself), in place before the first start.
      const plan = planInstall(cfg, GUARD_DIR, { url: `http://127.0.0.1:${world.guardPort}`, token: world.guardToken, source: 'gw', failMode: 'open' });
      Object.assign(cfg, plan.document);
      objectAt(cfg, 'plugins', 'entries', GUARD_PLUGIN_ID, 'config')['reconnect'] = { minMs: 200, maxMs: 1000 };
    };
    if (options.preinstalled) {
      world.gateway = await startGateway({ modelBaseUrl: world.slow.baseUrl, configure: agentsAndGuard });
      world.installed = 'preinstalled (planInstall) before the first start';
    } else {
      world.gateway = await startGateway({ modelBaseUrl: world.slow.baseUrl });
    }
    const openclawJson = join(world.gateway.home, '.openclaw', 'openclaw.json');
    if (!options.preinstalled) {
      const cfg = JSON.parse(await readFile(openclawJson, 'utf8')) as Record<string, unknown>;
      agentsAndGuard(cfg);
      await writeFile(openclawJson, JSON.stringify(cfg, null, 2));
    }
    configDir = await mkdtemp(join(tmpdir(), 'cw-guard-e2e-'));
    world.writeConfig = async (policies, o = {}) => {
      const dir = await mkdtemp(join(configDir!, 'd-'));
      const stateDir = join(dir, 'state');
      await mkdir(stateDir, { recursive: true });
      const port = o.httpPort ?? 0;
      const file = join(dir, 'clawwarden.yaml');
      await writeFile(
        file,
        `sources:
  - name: gw
    type: openclaw
    url: ${world.gateway.url}
    token: \${env:${GATEWAY_TOKEN_ENV}}
    reconnect: { minMs: 200, maxMs: 1000 }
mode: enforce
schedule: ${JSON.stringify(o.schedule ?? '0 0 1 1 *')}
stateDir: ${JSON.stringify(stateDir)}
http:
  listen: 127.0.0.1:${port}
  token: \${env:${API_TOKEN_ENV}}
${o.guard === false ? '' : `guard:\n  listen: 127.0.0.1:${world.guardPort}\n  token: \${env:${GUARD_TOKEN_ENV}}\n`}safety:
  maxActionsPerSweep: 100
policies:
${policies}
`,
      );
      return { dir, file, stateDir, port, env: { [GATEWAY_TOKEN_ENV]: world.gateway.token, [API_TOKEN_ENV]: API_TOKEN, [GUARD_TOKEN_ENV]: world.guardToken } };
    };
    if (!options.preinstalled) await installAndRestart(world, openclawJson);
    world.operator = await connectOperator(world.gateway.url, world.gateway.token);
    world.create = async (agent, name, message) => {
      const key = `agent:${agent}:${name}`;
      await world.operator.request('sessions.create', { key, agentId: agent, message });
      return { key };
    };
    // The first turn of each agent on a fresh HOME spends seconds preparing; pay it here.
    await world.create('main', 'warmup', 'hello MODE:quick ID:warmup');
    if (options.preinstalled) {
      await world.slow.waitForCalls('warmup', 1, 300_000);
      return world;
    }
    await world.create('fast', 'warmup', 'hello MODE:quick ID:warmup-fast');
    await world.slow.waitForCalls('warmup', 1, 180_000);
    await world.fast.waitForCalls('warmup-fast', 1, 180_000);
  } catch (error) {
    await world.close();
    throw error;
  }
  return world;
}

/** `clawwarden openclaw install-guard` on the gateway's openclaw.json, then a restart to load the guard. */
async function installAndRestart(world: GuardWorld, openclawJson: string): Promise<void> {
  // The guard goes in with the command operators use, then the gateway restarts to load it.
  const files = await world.writeConfig('  - { name: none, when: { tokens.total: "> 1000M" }, do: [ stop ] }');
  let out = '';
  let err = '';
  const code = await main(['openclaw', 'install-guard', '--config', files.file, '--openclaw-config', openclawJson], {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    env: files.env,
    cwd: files.dir,
  });
  if (code !== 0) throw new Error(`install-guard exited ${code}: ${out}${err}`);
  world.installed = out;
  // Test tuning: daemons come and go between tests, so the guard retries within a second.
  const installed = JSON.parse(await readFile(openclawJson, 'utf8')) as { plugins: { entries: Record<string, { config: Record<string, unknown> }> } };
  installed.plugins.entries['clawwarden-guard']!.config['reconnect'] = { minMs: 200, maxMs: 1000 };
  await writeFile(openclawJson, JSON.stringify(installed, null, 2));
  await world.gateway.restart();
}

/** Starts the daemon in this process with the guard channel, and waits until the gateway's guard has connected. */
export async function startGuardedWarden(world: GuardWorld, policies: string, options: { guard?: boolean; log?: string; schedule?: string } = {}): Promise<GuardedWarden> {
  const files = await world.writeConfig(policies, { guard: options.guard !== false, ...(options.schedule ? { schedule: options.schedule } : {}) });
  const loaded = loadConfig({ file: files.file, cwd: files.dir, env: files.env });
  if (!loaded.config) throw new Error(loaded.errors.map(formatConfigError).join('\n'));
  let output = '';
  const log = pino({ level: options.log ?? process.env.CLAWWARDEN_TEST_LOG ?? 'info' }, { write: (line: string) => void (output += line) });
  const warden = await startWarden(loaded.config, { log, version: '0.1.0', processMetrics: false });
  const base = `http://127.0.0.1:${warden.address.port}`;
  const handle: GuardedWarden = {
    warden,
    files,
    journal: () => readJournal(files.stateDir),
    logs: () => output,
    act: async (action, key) => {
      const res = await fetch(`${base}/api/v1/sessions/${encodeURIComponent(key)}/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
      });
      return { status: res.status, body: await res.json().catch(() => undefined) };
    },
    close: async () => {
      await warden.close();
    },
  };
  if (options.guard !== false) await eventually('the guard to connect', () => (warden.guard?.status().some((s) => s.up) ? true : undefined), 60_000, 100);
  return handle;
}

/** `clawwarden run` as a child process with the guard channel (for kill -9). */
export async function spawnGuardedWarden(world: GuardWorld, policies: string): Promise<ChildWarden> {
  const files = await world.writeConfig(policies, { httpPort: await freePort() });
  return spawnWarden(files, { logLevel: 'info' });
}

/** Index of the delivered call that took the cumulative served tokens past `cap`, and that total. */
export function crossing(calls: readonly ServedCall[], cap: number): { index: number; total: number } {
  let total = 0;
  for (let i = 0; i < calls.length; i++) {
    const c = calls[i]!;
    if (c.closedEarly) continue;
    total += c.promptTokens + c.completionTokens;
    if (total > cap) return { index: i, total };
  }
  return { index: -1, total };
}

/** Tokens of the delivered calls (what the provider billed). */
export function served(calls: readonly ServedCall[]): number {
  return calls.filter((c) => !c.closedEarly).reduce((s, c) => s + c.promptTokens + c.completionTokens, 0);
}
