// The clawwarden console: session cards, alerts and actions over the daemon's JSON API and event stream.
import { createCard, idleNow, updateCard } from './cards.js';
import { createAlerts } from './alerts.js';
import { openDialog } from './dialogs.js';
import { duration, el } from './format.js';

const TOKEN_KEY = 'clawwarden.apiToken';
const REFRESH_MIN_MS = 1000;

const $ = (id) => document.getElementById(id);
const ui = {
  cards: $('cards'),
  agent: $('filter-agent'),
  state: $('filter-state'),
  count: $('count'),
  mode: $('mode'),
  live: $('live'),
  message: $('message'),
  messageText: $('message-text'),
  messageClose: $('message-close'),
  tokenButton: $('token-button'),
  tokenDialog: $('token-dialog'),
  tokenForm: $('token-form'),
  tokenInput: $('token-input'),
  tokenCancel: $('token-cancel'),
  tokenHelp: $('token-help'),
  confirmDialog: $('confirm-dialog'),
  confirmForm: $('confirm-form'),
  confirmText: $('confirm-text'),
  confirmTitle: $('confirm-title'),
  confirmOk: $('confirm-ok'),
  confirmCancel: $('confirm-cancel'),
  empty: $('empty'),
};

const cards = new Map();
const busyKeys = new Set();
const alerts = createAlerts($('alerts'), $('alerts-empty'));
let lastRefresh = 0;
let refreshTimer;
let refreshing;
let refreshAgain = false;

let messageTimer;
/** Whether this daemon runs the built-in demo (its source is named `demo`), to say where the demo's token is printed. */
let demo = false;
const DEMO_TOKEN_HINT = 'This is the demo: its API token is printed in the terminal where npm start (clawwarden run --demo) runs, on the line "API token:".';

/** Shows a line in the message bar (it stays in view while scrolling); errors read as alerts and stay until dismissed. */
function say(text, kind = 'info') {
  clearTimeout(messageTimer);
  ui.message.hidden = false;
  ui.message.className = `message message-${kind}`;
  ui.messageText.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  ui.messageText.textContent = text;
  if (kind === 'ok') messageTimer = setTimeout(() => (ui.message.hidden = true), 10_000);
}

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
  let body;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  return { ok: res.ok, status: res.status, body };
}

function applyFilters() {
  const agent = ui.agent.value;
  const state = ui.state.value;
  let shown = 0;
  for (const card of cards.values()) {
    const visible = (!agent || card.view.session.agent === agent) && (!state || card.view.state === state);
    card.root.hidden = !visible;
    if (visible) shown += 1;
  }
  ui.count.textContent = `${shown} of ${cards.size} sessions`;
  ui.empty.hidden = shown > 0;
}

function renderAgents() {
  const agents = [...new Set([...cards.values()].map((c) => c.view.session.agent))].sort();
  const current = [...ui.agent.options].slice(1).map((o) => o.value);
  if (agents.join('\n') === current.join('\n')) return;
  const selected = ui.agent.value;
  ui.agent.replaceChildren(el('option', { value: '' }, 'all agents'), ...agents.map((a) => el('option', { value: a }, a)));
  ui.agent.value = agents.includes(selected) ? selected : '';
}

function renderSessions(body) {
  const now = Date.now();
  ui.mode.textContent = body.mode === 'dry-run' ? 'dry-run' : 'enforcing';
  ui.mode.className = `badge badge-${body.mode}`;
  const views = [...body.sessions].sort((a, b) => a.session.agent.localeCompare(b.session.agent) || a.session.key.localeCompare(b.session.key));
  const seen = new Set();
  views.forEach((view, i) => {
    const key = view.session.key;
    seen.add(key);
    let card = cards.get(key);
    if (!card) {
      card = createCard(key, onAction);
      cards.set(key, card);
    }
    updateCard(card, view, now, busyKeys.has(key));
    if (ui.cards.children[i] !== card.root) ui.cards.insertBefore(card.root, ui.cards.children[i] ?? null);
  });
  for (const [key, card] of cards) {
    if (!seen.has(key)) {
      card.root.remove();
      cards.delete(key);
    }
  }
  renderAgents();
  applyFilters();
}

async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  lastRefresh = Date.now();
  refreshing = (async () => {
    try {
      const r = await api('/api/v1/sessions');
      if (r.ok) renderSessions(r.body);
      else say(`Could not load sessions: ${r.body?.error?.message ?? `HTTP ${r.status}`}`, 'error');
    } catch (err) {
      say(`Could not reach clawwarden: ${err.message}`, 'error');
    } finally {
      refreshing = undefined;
    }
  })();
  await refreshing;
  if (refreshAgain) {
    refreshAgain = false;
    scheduleRefresh();
  }
}

/** Live events come in bursts; refetch at most once a second. */
function scheduleRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(0, lastRefresh + REFRESH_MIN_MS - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = undefined;
    refresh();
  }, wait);
}

/** Asks for the API token; kept only in this tab's sessionStorage. */
async function askToken() {
  ui.tokenInput.value = '';
  const ok = await openDialog(ui.tokenDialog, ui.tokenForm, ui.tokenCancel);
  const token = ui.tokenInput.value.trim();
  ui.tokenInput.value = '';
  if (!ok || token === '') return undefined;
  sessionStorage.setItem(TOKEN_KEY, token);
  updateTokenButton();
  return token;
}

function updateTokenButton() {
  ui.tokenButton.textContent = sessionStorage.getItem(TOKEN_KEY) ? 'Change API token' : 'Set API token';
}

function setBusy(key, busy) {
  if (busy) busyKeys.add(key);
  else busyKeys.delete(key);
  const card = cards.get(key);
  if (card) updateCard(card, card.view, card.fetchedAt, busy);
}

async function onAction(action, key) {
  // A protected session (safety.protect) is acted on only when the operator confirms it knowingly: the request then
  // says force, and the journal records the action as forced from the console.
  const isProtected = action !== 'resume' && cards.get(key)?.view?.protected === true;
  const verb = `${action[0].toUpperCase()}${action.slice(1)}`;
  if (isProtected) {
    ui.confirmTitle.textContent = `${verb} a protected session?`;
    ui.confirmOk.textContent = `${verb} anyway`;
    ui.confirmText.textContent = `Session ${key} is protected (safety.protect): policies never ${action === 'stop' ? 'stop it unless allowed' : `${action} it`}. ${verb} it anyway? This is journaled as forced, from the console.`;
    if (!(await openDialog(ui.confirmDialog, ui.confirmForm, ui.confirmCancel))) return;
  } else if (action === 'kill') {
    ui.confirmTitle.textContent = 'Kill session?';
    ui.confirmOk.textContent = 'Kill';
    ui.confirmText.textContent = `Kill session ${key}? Its run and queued work end, and nothing new starts until it is resumed.`;
    if (!(await openDialog(ui.confirmDialog, ui.confirmForm, ui.confirmCancel))) return;
  }
  const token = sessionStorage.getItem(TOKEN_KEY) ?? (await askToken());
  if (!token) {
    say(`${action} ${key} not sent: an API token is needed for actions.`, 'error');
    return;
  }
  setBusy(key, true);
  say(`${action} ${key}…`);
  try {
    const r = await api(`/api/v1/sessions/${encodeURIComponent(key)}/${action}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ origin: 'console', ...(isProtected ? { force: true } : {}) }),
    });
    if (r.ok) {
      const outcome = r.body.outcomes?.[0];
      say(`${action} ${key}: ${outcome?.status ?? 'done'}${outcome?.detail ? ` — ${outcome.detail}` : ''}`, 'ok');
    } else {
      // A token the server refused (wrong, or writes disabled) is forgotten, so the next action asks again.
      const tokenRefused = r.status === 401 || r.status === 403;
      if (tokenRefused) sessionStorage.removeItem(TOKEN_KEY);
      updateTokenButton();
      const hint = tokenRefused ? ` The token is forgotten; the next action asks for it again.${demo ? ` ${DEMO_TOKEN_HINT}` : ''}` : '';
      say(`${action} ${key} refused (HTTP ${r.status}): ${r.body?.error?.message ?? 'no reason given'}${hint}`, 'error');
    }
  } catch (err) {
    say(`${action} ${key} failed: ${err.message}`, 'error');
  } finally {
    setBusy(key, false);
    refresh();
  }
}

function connect() {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => {
    ui.live.textContent = 'live';
    ui.live.className = 'live live-on';
  });
  source.addEventListener('error', () => {
    ui.live.textContent = 'reconnecting…';
    ui.live.className = 'live live-off';
  });
  // After a (re)connect, catch up on whatever happened while the stream was away.
  source.addEventListener('hello', () => {
    scheduleRefresh();
    loadJournal();
  });
  source.addEventListener('sessions', () => scheduleRefresh());
  source.addEventListener('decision', () => scheduleRefresh());
  source.addEventListener('journal', (event) => {
    try {
      alerts.add([JSON.parse(event.data).entry]);
    } catch {
      // A malformed event is dropped; the next refresh brings the truth anyway.
    }
    scheduleRefresh();
  });
}

async function loadJournal() {
  const journal = await api('/api/v1/journal?limit=50').catch(() => undefined);
  if (journal?.ok) alerts.add(journal.body.entries);
}

function tick() {
  const now = Date.now();
  for (const card of cards.values()) card.facts.idle.value.textContent = duration(idleNow(card, now));
}

/** Learns from /readyz whether this is the demo; the token dialog then says where the demo's token is. */
async function learnDemo() {
  const ready = await api('/readyz').catch(() => undefined);
  demo = Array.isArray(ready?.body?.sources) && ready.body.sources.some((s) => s.name === 'demo');
  if (demo) ui.tokenHelp.textContent = `${DEMO_TOKEN_HINT} It is kept only in this browser tab.`;
}

async function start() {
  ui.agent.addEventListener('change', applyFilters);
  ui.state.addEventListener('change', applyFilters);
  ui.tokenButton.addEventListener('click', () => askToken());
  ui.messageClose.addEventListener('click', () => (ui.message.hidden = true));
  updateTokenButton();
  learnDemo();
  connect();
  await refresh();
  setInterval(tick, 1000);
}

start();
