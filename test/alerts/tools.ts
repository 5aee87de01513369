import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { freePort } from '../../src/cli/run/port.js';
export { freePort };

/** The shipped rule file and its promtool unit tests. */
export const RULES = fileURLToPath(new URL('../../alerts/clawwarden.rules.yml', import.meta.url));
export const RULE_TESTS = fileURLToPath(new URL('../../alerts/clawwarden.test.yml', import.meta.url));

/**
 * True when `binary` runs. Missing locally: the caller skips. Missing under CI: throws, so the suite fails
 * rather than silently passing without Prometheus.
 */
export function have(binary: string): boolean {
  const found = spawnSync(binary, ['--version'], { stdio: 'ignore' }).status === 0;
  if (!found && process.env['CI']) throw new Error(`${binary} is required under CI (apt-get install prometheus)`);
  return found;
}

export interface ActiveAlert {
  readonly labels: Record<string, string>;
  readonly state: 'pending' | 'firing';
}

export interface LivePrometheus {
  /** Polls the alerts API until `predicate(firing)` holds; throws with what was firing (and Prometheus' log) after 40 s. */
  waitFor(what: string, predicate: (firing: ActiveAlert[]) => boolean): Promise<ActiveAlert[]>;
  stop(): Promise<void>;
}

/** True when some alert has every one of `labels`. */
export function has(firing: readonly ActiveAlert[], labels: Record<string, string>): boolean {
  return firing.some((a) => Object.entries(labels).every(([k, v]) => a.labels[k] === v));
}

/**
 * Starts Debian's Prometheus on 127.0.0.1 scraping `target` (host:port) every second with the shipped rules,
 * their `for:` shortened to 0s so alerts fire in seconds (expressions unchanged).
 */
export async function startPrometheus(dir: string, target: string): Promise<LivePrometheus> {
  const rules = parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Record<string, unknown>[] }[] };
  for (const rule of rules.groups.flatMap((g) => g.rules)) if ('for' in rule) rule['for'] = '0s';
  writeFileSync(join(dir, 'rules.yml'), stringify(rules));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', evaluation_interval: '1s' },
      rule_files: [join(dir, 'rules.yml')],
      scrape_configs: [{ job_name: 'clawwarden', static_configs: [{ targets: [target] }] }],
    }),
  );
  const port = await freePort();
  const api = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn('prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout?.on('data', (c: Buffer) => (logs += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (logs += c.toString()));

  async function firing(): Promise<ActiveAlert[]> {
    const response = await fetch(`${api}/api/v1/alerts`);
    return ((await response.json()) as { data: { alerts: ActiveAlert[] } }).data.alerts.filter((a) => a.state === 'firing');
  }

  return {
    async waitFor(what, predicate) {
      const deadline = Date.now() + 40_000;
      for (;;) {
        try {
          const now = await firing();
          if (predicate(now)) return now;
          if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; firing: ${JSON.stringify(now.map((a) => a.labels))}\n${logs.slice(-2000)}`);
        } catch (error) {
          if (Date.now() > deadline) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
