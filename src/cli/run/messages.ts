import { daemonRunning } from '../sessions/daemon-client.js';
import type { RunToken } from './overrides.js';

/** How to stop this process: Ctrl-C in a terminal, `systemctl stop` under systemd (which sets INVOCATION_ID). */
export function stopHint(env: NodeJS.ProcessEnv): string {
  return env['INVOCATION_ID'] ? 'systemctl stop clawwarden' : 'Ctrl-C (or systemctl stop clawwarden under systemd)';
}

const TOKEN_WHERE: Record<RunToken['origin'], string> = {
  flag: 'the one given with --api-token',
  env: 'the one in CLAWWARDEN_API_TOKEN',
  generated: '',
  config: 'http.token of the config',
  none: "none: the console's buttons and the API's writes are refused; set http.token in the config",
};

/**
 * What `run --demo` prints on stderr once the console is up (never through the JSON log): where the console is, the
 * API token its buttons need (the generated one in full: this line is the only place it appears), what is coming, and
 * how to stop.
 */
export function demoBanner(o: { url: string; token: RunToken; speed: number; env: NodeJS.ProcessEnv }): string {
  const token =
    o.token.origin === 'generated' && o.token.secret ? `${o.token.secret.reveal()}   (made for this run; the console asks for it on the first Stop/Kill/Pause/Resume)` : TOKEN_WHERE[o.token.origin];
  const at = (s: number): string => (s / o.speed >= 60 ? `~${Math.round(s / o.speed / 60)} min` : `~${Math.max(1, Math.round(s / o.speed))} s`);
  return [
    '',
    'clawwarden demo: a simulated 13-agent fleet, the example policies acting on it live.',
    `  Console:    ${o.url}`,
    `  API token:  ${token}`,
    `  Coming up:  a new runaway at ${at(20)}, an agent over its daily budget at ${at(60)}, an idle session archived at ${at(120)}, then a new incident every ${at(180)}.`,
    `  Stop:       ${stopHint(o.env)}`,
    '',
    '',
  ].join('\n');
}

/**
 * Why the listen address could not be bound and what to do about it (EADDRINUSE, EACCES, EADDRNOTAVAIL); undefined
 * for any other error. Looks whether a clawwarden already answers there, the usual cause.
 */
export async function listenHint(error: unknown, listen: string, demo: boolean): Promise<string | undefined> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const port = /:(\d+)$/.exec(listen)?.[1] ?? '9464';
  const host = listen.slice(0, listen.length - port.length - 1);
  const next = `${host}:${Number(port) + 1}`;
  const elsewhere = demo ? `clawwarden run --demo --listen ${next}   (or: npm start -- --listen ${next})` : `clawwarden run --listen ${next} …, or change http.listen in the config`;
  if (code === 'EADDRINUSE') {
    const ours = await daemonRunning(listen, 800);
    return [
      `cannot listen on ${listen}: the port is already in use (EADDRINUSE).`,
      ...(ours ? [`  A clawwarden already answers there: open http://${listen}/ or stop that one first.`] : []),
      `  See who holds it:  ss -ltnp 'sport = :${port}'`,
      `  Use another port:  ${elsewhere}`,
      `  The sessions commands then need CLAWWARDEN_LISTEN=${next}.`,
    ].join('\n');
  }
  if (code === 'EACCES') return `cannot listen on ${listen}: permission denied (EACCES); ports below 1024 need privileges. Use a port above 1024: ${elsewhere}`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${listen}: ${host} is not an address of this machine (EADDRNOTAVAIL). Use 127.0.0.1 or one of this machine's addresses: ${elsewhere}`;
  return undefined;
}
