import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, formatConfigError } from '../../src/config/index.js';
import { Secret } from '../../src/domain/secret.js';
import { Daemon } from '../../src/daemon/daemon.js';
import { startWarden } from '../../src/daemon/warden.js';

export const TOKEN = 'console-test-token-51c9e2';

/**
 * The console suite's fleet: the demo source (seed 42) with one policy aimed at its runaway tool loop
 * (agent:backend:fix-flaky-tests, ~360k tokens at start, ~45k more a second), so the test can watch its
 * budget bar go from green through amber to red when the policy fires and stops it.
 */
export const CONSOLE_TEST_CONFIG = `
sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "* * * * *"
http:
  listen: 127.0.0.1:0
safety:
  maxActionsPerSweep: 20
  protect: ["agent:*:main"]
policies:
  - name: runaway-cap
    description: Stop a session past 1.5M tokens.
    match: { key: "agent:backend:*" }
    when: { tokens.total: "> 1.5M" }
    warn: 50%
    do: [ stop ]
`;

/** The real daemon on the demo fleet plus the HTTP server, on 127.0.0.1 with an OS-chosen port. */
export async function startDemoWarden(yaml: string = CONSOLE_TEST_CONFIG, http: { readonly maxEventStreams?: number } = {}): Promise<{ base: string; daemon: Daemon; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'clawwarden-console-'));
  const file = join(dir, 'clawwarden.yaml');
  await writeFile(file, yaml);
  const loaded = loadConfig({ file, cwd: dir, env: {} });
  if (!loaded.config) throw new Error(loaded.errors.map((e) => formatConfigError(e)).join('\n'));
  const token = new Secret(TOKEN, 'env:CLAWWARDEN_API_TOKEN');
  const config = { ...loaded.config, stateDir: join(dir, 'state'), http: { listen: '127.0.0.1:0', token, corsOrigins: [], ...http } };
  const log = pino({ level: process.env.CLAWWARDEN_TEST_LOG ?? 'silent' });
  // Exactly what `clawwarden run` starts: real metrics, notifications (none configured here) and HTTP server.
  const warden = await startWarden(config, { log, version: 'console-test', processMetrics: false });
  const running = warden.daemon;
  const { port } = warden.address;
  return {
    base: `http://127.0.0.1:${port}`,
    daemon: running,
    close: async () => {
      await warden.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The demo's own policies plus a fleet budget: a stop with an escalation ladder for the runaway, an `all` policy
 * (inefficient-sessions) whose first condition many sessions pass while the policy as a whole does not fire, idle
 * cleanup, a daily budget per agent and one for the whole fleet. For the console's header, chart, budget rows and bars.
 */
export const CONSOLE_FLEET_CONFIG = `
sources:
  - name: demo
    type: demo
    seed: 42
mode: enforce
schedule: "* * * * *"
http:
  listen: 127.0.0.1:0
safety:
  maxActionsPerSweep: 20
  protect: ["agent:support:ticket-4821"]
policies:
  - name: session-token-cap
    when: { tokens.total: "> 200k" }
    do: [ stop ]
    escalate:
      - after: 5m
        if: active
        do: kill
    cooldown: 30m
  - name: inefficient-sessions
    when:
      all:
        - tokens.input: "> 50k"
        - ratio.input_output: "> 40"
    do: [ pause ]
  - name: idle-cleanup
    when: { idle: "> 24h" }
    do: [ { cleanup: archive } ]
  - name: agent-daily-budget
    scope: agent
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $25" }
    warn: 80%
    do: [ pause ]
  - name: fleet-daily-budget
    scope: fleet
    window: { every: day, at: "00:00", tz: UTC }
    when: { cost: "> $400" }
    warn: 80%
    do: [ notify ]
`;
