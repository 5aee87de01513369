import { formatCount, formatMoney } from '../domain/units.js';
import type { AgentSeries, ReplayReport, WouldAction } from './report.js';

const W = 760;
const H = 180;
const PAD = { left: 64, right: 12, top: 12, bottom: 28 };

/** Escapes text for HTML content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * The replay report as one self-contained HTML page (inline CSS and SVG, no script, no external request): the totals,
 * per policy, a spend-over-time chart per agent (as it happened, and as it would have with the actions) with each
 * would-be action marked where it would have happened, the actions, refusals and gaps.
 */
export function replayHtml(r: ReplayReport): string {
  const from = Date.parse(r.from);
  const to = Date.parse(r.to);
  const charts = r.series
    .map((s) =>
      chart(
        s,
        r.actions.filter((a) => a.agent === s.agent),
        from,
        to,
      ),
    )
    .join('\n');
  const policyRows = r.policies
    .map(
      (p) =>
        `<tr><td>${esc(p.policy)}</td><td>${p.mode}</td><td class="n">${p.actions}</td><td class="n">${p.sessions}</td><td class="n">${p.notifications}</td><td class="n">${p.noops}</td><td class="n">${p.refused}</td><td class="n">${formatCount(p.savedTokens)}</td><td class="n">${formatMoney(p.savedCost)}</td><td class="n">${p.falsePositives}</td></tr>`,
    )
    .join('\n');
  const actionRows = r.actions
    .map(
      (a) =>
        `<tr><td>${esc(a.at)}</td><td>${esc(a.policy)}</td><td>${esc(a.session)}</td><td>${esc(a.action)}${a.kind === 'escalation' ? ` (step ${a.step})` : ''}</td><td>${esc(a.measurements.map((m) => m.text).join('; ') || a.reason)}</td><td class="n">${formatCount(a.savedTokens)}</td><td class="n">${formatMoney(a.savedCost)}</td><td>${a.falsePositive ? `likely false positive: ${esc(a.falsePositive)}` : ''}</td></tr>`,
    )
    .join('\n');
  const refused = r.refused.map((x) => `<li>${esc(x.at)} — ${esc(x.policy)}: ${esc(x.action)} ${esc(x.session)}: ${esc(x.why)}</li>`).join('\n');
  const gaps = r.gaps.map((g) => `<li><b>${g.kind}</b>: ${esc(g.detail)}</li>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clawwarden replay ${esc(r.from)} – ${esc(r.to)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1100px}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border-bottom:1px solid #e2e5ea;padding:4px 6px;text-align:left;vertical-align:top}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.chart{margin:12px 0 20px}.chart h3{font-size:14px;margin:0 0 4px}
.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:12px;height:3px;vertical-align:middle;margin-right:4px}
svg text{font:11px system-ui,sans-serif;fill:#5b6270}
</style></head><body>
<h1>What the policies would have done</h1>
<p>Replay of <b>${esc(r.origin)}</b> from ${esc(r.from)} to ${esc(r.to)}, config <code>${esc(r.config)}</code>, every policy as if enforced.</p>
<p>${formatCount(r.totals.sessions)} sessions, ${formatCount(r.totals.calls)} calls, ${formatCount(r.totals.tokens)} tokens, ${formatMoney(r.totals.cost)} spent.
<b>${r.totals.actions}</b> would-be actions would have saved <b>${formatCount(r.totals.savedTokens)} tokens (${formatMoney(r.totals.savedCost)})</b>.</p>
<h2>Per policy</h2>
<table><tr><th>policy</th><th>mode now</th><th class="n">actions</th><th class="n">sessions</th><th class="n">notices</th><th class="n">no-ops</th><th class="n">refused</th><th class="n">saved tokens</th><th class="n">saved $</th><th class="n">likely FP</th></tr>
${policyRows}</table>
<h2>Spend over time per agent</h2>
<p class="legend"><span><i class="sw" style="background:#8a93a3"></i>as it happened</span><span><i class="sw" style="background:#1f7a4d"></i>with the policies on</span><span><i class="sw" style="background:#c2410c"></i>a would-be action</span></p>
${charts || '<p>No spend in this period.</p>'}
<h2>Would-be actions</h2>
${r.actions.length > 0 ? `<table><tr><th>when</th><th>policy</th><th>session</th><th>action</th><th>measured</th><th class="n">saved tokens</th><th class="n">saved $</th><th>note</th></tr>\n${actionRows}</table>` : '<p>None.</p>'}
<h2>Held back by the safety rules</h2>
${refused ? `<ul>${refused}</ul>` : '<p>Nothing.</p>'}
<h2>What this replay cannot see</h2>
${gaps ? `<ul>${gaps}</ul>` : '<p>No gaps found.</p>'}
</body></html>
`;
}

function chart(s: AgentSeries, actions: readonly WouldAction[], from: number, to: number): string {
  const max = Math.max(0.01, ...s.points.map((p) => p[1]));
  const x = (t: number): number => PAD.left + ((t - from) / Math.max(1, to - from)) * (W - PAD.left - PAD.right);
  const y = (v: number): number => H - PAD.bottom - (v / max) * (H - PAD.top - PAD.bottom);
  const line = (i: 1 | 2): string => s.points.map((p, k) => `${k === 0 ? 'M' : 'L'}${x(p[0]).toFixed(1)},${y(p[i]).toFixed(1)}`).join(' ');
  const marks = actions
    .map((a) => {
      const t = Date.parse(a.at);
      return `<line x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#c2410c" stroke-width="1" stroke-dasharray="3,2"><title>${esc(`${a.at} ${a.policy}: ${a.action} ${a.session} — saves ${formatCount(a.savedTokens)} tokens (${formatMoney(a.savedCost)})`)}</title></line>`;
    })
    .join('');
  const day = (t: number): string => new Date(t).toISOString().slice(0, 10);
  const last = s.points[s.points.length - 1];
  return `<div class="chart"><h3>agent ${esc(s.agent)} — ${formatMoney(last?.[1] ?? 0)} spent, ${formatMoney(last?.[2] ?? 0)} with the policies on, ${actions.length} would-be ${actions.length === 1 ? 'action' : 'actions'}</h3>
<svg width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="cumulative spend of agent ${esc(s.agent)}">
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#c9ced6"/>
<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end">${formatMoney(max)}</text><text x="${PAD.left - 6}" y="${H - PAD.bottom}" text-anchor="end">$0</text>
<text x="${PAD.left}" y="${H - 8}">${day(from)}</text><text x="${W - PAD.right}" y="${H - 8}" text-anchor="end">${day(to)}</text>
${marks}
<path d="${line(1)}" fill="none" stroke="#8a93a3" stroke-width="1.5"/><path d="${line(2)}" fill="none" stroke="#1f7a4d" stroke-width="2"/>
</svg></div>`;
}
