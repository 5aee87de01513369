// The spend chart: spend per agent (stacked) and the fleet total per bucket, budget pace lines and action markers, drawn
// with uPlot. The library is served by clawwarden itself (/vendor/…) and loaded only when the chart is first drawn.
import { compact, el, hm, money } from './format.js';

const PALETTE = ['#3b6fd4', '#d9822b', '#2a9d8f', '#c0392b', '#8e5bd6', '#b8860b', '#d35d9a', '#4f8a10', '#6b7b8c'];
const MARKER_COLORS = { stop: '#c62828', kill: '#7b1fa2', pause: '#c77d00', cleanup: '#5b6470', resume: '#1f8a4c' };

let loading;

/** Loads uPlot's script and style once, from the daemon. */
export function loadChartLibrary() {
  loading ??= new Promise((resolve, reject) => {
    const css = document.createElement('link');
    css.rel = 'stylesheet';
    css.href = '/vendor/uplot.min.css';
    document.head.append(css);
    const script = document.createElement('script');
    script.src = '/vendor/uplot.min.js';
    script.onload = () => (window.uPlot ? resolve(window.uPlot) : reject(new Error('the chart library did not define uPlot')));
    script.onerror = () => {
      loading = undefined;
      reject(new Error('the chart library could not be loaded from clawwarden'));
    };
    document.head.append(script);
  });
  return loading;
}

function cssVar(name, fallback) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/**
 * What the chart plots from one API answer: each shown agent's values (and `other`), stacked largest first, the
 * fleet's own series, and each budget's even pace. `raw` are the API's numbers as served.
 */
export function chartModel(series, metric) {
  const pick = (s) => (metric === 'cost' ? s.cost : s.tokens);
  const bands = series.agents.map((a) => ({ label: a.agent, raw: pick(a) }));
  if (series.other) bands.push({ label: `${series.other.agents} other agent${series.other.agents === 1 ? '' : 's'}`, raw: pick(series.other) });
  const running = new Array(series.times.length).fill(0);
  for (const band of bands) band.stacked = band.raw.map((v, i) => (running[i] += v));
  const paces = series.budgets.filter((b) => b.metric === metric).map((b) => ({ label: `${b.policy} pace (${b.scope === 'agent' ? 'per agent' : 'fleet'})`, value: b.perStep }));
  return { x: series.times.map((t) => t / 1000), bands, fleet: pick(series.fleet), paces, markers: series.markers, step: series.step };
}

/** A chart in `host` with its legend and readout; `update(series, metric)` redraws it from an API answer. */
export function createChart(host, legend, readout) {
  let plot;
  let shape = '';
  let model;
  let metric = 'cost';
  const fmt = (v) => (metric === 'cost' ? money(v) : compact(v));

  const build = (uPlot) => {
    plot?.destroy();
    const text = cssVar('--text', '#1b1f24');
    const line = cssVar('--line', '#d8dce2');
    const axis = { stroke: text, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
    // Drawn top band first, so each lower band covers the part of the one above that is not its own.
    const bandSeries = [...model.bands].reverse().map((b) => {
      const color = PALETTE[model.bands.indexOf(b) % PALETTE.length];
      return { label: b.label, stroke: color, width: 1, fill: color, points: { show: false } };
    });
    const opts = {
      width: Math.max(280, host.clientWidth),
      height: host.clientWidth < 500 ? 190 : 240,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [{ ...axis }, { ...axis, size: 64, values: (_u, ticks) => ticks.map(fmt) }],
      series: [
        {},
        ...bandSeries,
        { label: 'fleet', stroke: text, width: 2, points: { show: false } },
        ...model.paces.map((p) => ({ label: p.label, stroke: '#c62828', width: 1.5, dash: [6, 4], points: { show: false } })),
      ],
      hooks: {
        draw: [(u) => drawMarkers(u, model.markers)],
        setCursor: [(u) => showReadout(u.cursor.idx)],
      },
    };
    plot = new uPlot(opts, data(), host);
    host.uplot = plot;
  };

  const data = () => [model.x, ...[...model.bands].reverse().map((b) => b.stacked), model.fleet, ...model.paces.map((p) => model.x.map(() => p.value))];

  const showReadout = (idx) => {
    if (idx === null || idx === undefined || !model) {
      readout.textContent = 'Point at the chart for the values of one bucket.';
      return;
    }
    const parts = model.bands.filter((b) => b.raw[idx] > 0).map((b) => `${b.label} ${fmt(b.raw[idx])}`);
    readout.textContent = `${hm(model.x[idx] * 1000)} · fleet ${fmt(model.fleet[idx])}${parts.length ? ` · ${parts.join(' · ')}` : ''}`;
  };

  const renderLegend = () => {
    const total = (xs) => xs.reduce((a, b) => a + b, 0);
    legend.replaceChildren(
      ...model.bands.map((b, i) => el('li', {}, swatch(PALETTE[i % PALETTE.length]), `${b.label} ${fmt(total(b.raw))}`)),
      el('li', { class: 'legend-fleet' }, swatch(cssVar('--text', '#1b1f24')), `fleet ${fmt(total(model.fleet))}`),
      ...model.paces.map((p) => el('li', { class: 'legend-pace' }, swatch('#c62828', true), `${p.label}: ${fmt(p.value)} per ${model.step >= 3600_000 ? 'hour' : `${model.step / 60_000} min`}`)),
      ...(model.markers.length ? [el('li', { class: 'legend-marker' }, swatch('#c62828', false, true), `${model.markers.length} action${model.markers.length === 1 ? '' : 's'} by clawwarden`)] : []),
    );
  };

  new ResizeObserver(() => {
    if (plot && Math.abs(plot.width - host.clientWidth) > 4) plot.setSize({ width: Math.max(280, host.clientWidth), height: host.clientWidth < 500 ? 190 : 240 });
  }).observe(host);

  return {
    async update(series, wanted) {
      metric = wanted;
      model = chartModel(series, metric);
      const uPlot = await loadChartLibrary();
      const next = `${metric}|${model.bands.map((b) => b.label).join('|')}|${model.paces.map((p) => p.label).join('|')}|${model.x.length}`;
      if (next !== shape || !plot) {
        shape = next;
        build(uPlot);
      } else {
        plot.setData(data());
      }
      host.chartModel = model;
      renderLegend();
      showReadout(plot.cursor.idx);
      const fleetTotal = model.fleet.reduce((a, b) => a + b, 0);
      host.setAttribute(
        'aria-label',
        `Spend per agent, stacked, and the fleet total: ${fmt(fleetTotal)} in this range; largest: ${
          model.bands
            .slice(0, 3)
            .map((b) => b.label)
            .join(', ') || 'none'
        }.`,
      );
    },
  };
}

function swatch(color, dashed = false, marker = false) {
  const s = el('span', { class: `swatch${dashed ? ' swatch-dashed' : ''}${marker ? ' swatch-marker' : ''}`, 'aria-hidden': 'true' });
  s.style.setProperty('--swatch', color);
  return s;
}

/** Vertical ticks where clawwarden acted, coloured by action. */
function drawMarkers(u, markers) {
  const { ctx } = u;
  const top = u.bbox.top;
  const bottom = u.bbox.top + u.bbox.height;
  ctx.save();
  for (const m of markers) {
    const x = Math.round(u.valToPos(m.at / 1000, 'x', true));
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = MARKER_COLORS[m.action] ?? '#c62828';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 3]);
    ctx.beginPath();
    ctx.moveTo(x + 0.5, top);
    ctx.lineTo(x + 0.5, bottom);
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.beginPath();
    ctx.moveTo(x - 4, top);
    ctx.lineTo(x + 4, top);
    ctx.lineTo(x, top + 6);
    ctx.fill();
  }
  ctx.restore();
}
