import type { Route } from '../route.js';

/** `/metrics`, `/healthz` (the process answers) and `/readyz` (config loaded, every source connected and synced). */
export const probeRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/metrics',
    async handle({ metrics }) {
      return { status: 200, body: await metrics.render(), contentType: metrics.contentType };
    },
  },
  {
    method: 'GET',
    path: '/healthz',
    handle() {
      // Liveness only: it must not depend on the view, so a wedged source never gets the process restarted.
      return { status: 200, json: { status: 'ok', pid: process.pid, uptimeSeconds: Math.round(process.uptime()) } };
    },
  },
  {
    method: 'GET',
    path: '/readyz',
    handle({ view }) {
      const report = view.readiness();
      const ready = report.ready && report.configLoaded && report.sources.every((s) => s.up && s.synced);
      const waiting = [
        ...(report.configLoaded ? [] : ['config not loaded']),
        ...report.sources.filter((s) => !s.up).map((s) => `source ${s.name} down`),
        ...report.sources.filter((s) => s.up && !s.synced).map((s) => `source ${s.name} not synced`),
      ];
      return { status: ready ? 200 : 503, json: { ...report, ready, ...(waiting.length > 0 ? { waiting } : {}) } };
    },
  },
];
