// Formatting for the console: numbers, money and durations the way the CLI prints them.

const integer = new Intl.NumberFormat('en-US');

/** 231402 → "231,402". */
export function tokens(n) {
  return typeof n === 'number' && Number.isFinite(n) ? integer.format(Math.round(n)) : '—';
}

/** USD with cents; sub-dollar amounts keep four decimals so cheap sessions do not all read $0.00. */
export function money(usd) {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) return '—';
  return `$${usd >= 1 ? usd.toFixed(2) : usd.toFixed(4)}`;
}

/** ms → "42s", "3m 12s", "2h 05m", "3d 4h". */
export function duration(ms) {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** A journal time → "14:03:22" today, else "2026-11-23 14:03". */
export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso ?? '');
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date();
  return d.toDateString() === today.toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time.slice(0, 5)}`;
}

/** Budget use → "ok" | "warn" | "over"; amber from the policy's warn level (80% when it has none). */
export function budgetLevel(ratio, warnAt) {
  if (ratio >= 1) return 'over';
  return ratio >= (typeof warnAt === 'number' ? warnAt : 0.8) ? 'warn' : 'ok';
}

// The rule of src/config/escape.ts (test/console/shown.test.ts keeps the two equal): C0/C1 controls, DEL, zero-width
// marks, line separators and every bidi embedding, override and isolate (Trojan Source) are written out visibly.
const CONTROL = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/gu;
const SHORT = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Text from data as it may be shown: a key holding U+202E reads `\u202e`, never reversed or hidden. */
export function shown(text) {
  return String(text).replace(CONTROL, (char) => {
    const short = SHORT[char];
    if (short !== undefined) return short;
    const code = char.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/**
 * `el('span', { class: 'x' }, 'text')`: DOM from data without ever parsing it as HTML; text children are shown() so a
 * control or bidi character is visible. Attribute values stay raw (a `data-key` must name the real session).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) node.append(typeof child === 'string' ? shown(child) : child);
  return node;
}

/** Epoch ms → "14:02" (local time), with the date when it is not today. */
export function hm(ms) {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '—';
  const pad = (n) => String(n).padStart(2, '0');
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.toDateString() === new Date().toDateString() ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** A budget metric's value: `$25.00` for cost, `231,402` for tokens. */
export function amount(value, metric) {
  return metric === 'cost' ? money(value) : tokens(value);
}

/** USD per hour, `$1.20/h`; compact when large. */
export function perHour(usd) {
  if (typeof usd !== 'number' || !Number.isFinite(usd)) return '—';
  return `$${usd >= 100 ? Math.round(usd).toLocaleString('en-US') : usd >= 1 ? usd.toFixed(2) : usd.toFixed(3)}/h`;
}

/** 94245.6 → "94.2k"; 1_500_000 → "1.5M". */
export function compact(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(a >= 1e4 ? 0 : 1)}k`;
  return String(Math.round(n));
}
