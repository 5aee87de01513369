// The clawwarden console: fleet header, spend chart, budgets, session cards (risk first) and alerts, over the daemon's
// JSON API and event stream. States and the buttons that apply come from the server (`state`, `can`), never decided here.
import { createCard, tickCard, updateCard } from './cards.js';
import { createAlerts } from './alerts.js';
import { arrange, page } from './board.js';
import { createChart } from './chart.js';
import { setupCleanup } from './cleanup.js';
import { showDetail } from './detail.js';
import { openDialog } from './dialogs.js';
import { el, shown } from './format.js';
import { renderBudgets, renderTiles } from './overview.js';
import { setupTabs } from './tabs.js';

const TOKEN_KEY = 'clawwarden.apiToken';
const REFRESH_MIN_MS = 1000;
const OVERVIEW_MIN_MS = 2000;
const SPEND_MIN_MS = 5000;
const RECONNECT_MS = 3000;
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const $ = (id) => document.getElementById(id);
const ui = {
  cards: $('cards'),
  agent: $('filter-agent'),
  state: $('filter-state'),
  sort: $('sort'),
  attention: $('filter-attention'),
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
  pager: document.querySelector('.pager'),
  pagePrev: $('page-prev'),
  pageNext: $('page-next'),
  pageInfo: $('page-info'),
  tiles: $('fleet-tiles'),
  budgetRows: $('budget-rows'),
  budgetsEmpty: $('budgets-empty'),
  detail: { dialog: $('detail-dialog'), body: $('detail-body'), title: $('detail-title') },
};

/** Cards of the page on screen, by key; cards scrolled off a page are dropped, so 1,000 sessions never mean 1,000 cards. */
const cards = new Map();
const busyKeys = new Set();
const alerts = createAlerts($('alerts'), $('alerts-empty'));
const chart = createChart($('spend-chart'), $('chart-legend'), $('chart-readout'));
let views = [];
let fetchedAt = 0;
let pageAt = 0;
let range = '1h';
let metric = 'cost';
let lastSeries;

let messageTimer;
/** Whether this daemon runs the built-in demo (/readyz says so), to say where the demo's token is printed. */
let demo = false;
const DEMO_TOKEN_HINT = 'This is the demo: its API token is printed in the terminal where npm start (clawwarden run --demo) runs, on the line "API token:".';

/** Shows a line in the message bar (it stays in view while scrolling); errors read as alerts and stay until dismissed. */
function say(text, kind = 'info') {
  clearTimeout(messageTimer);
  ui.message.hidden = false;
  ui.message.className = `message message-${kind}`;
  ui.messageText.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  ui.messageText.textContent = shown(text);
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

/** A throttled task: runs at most once per `minMs`, and once more if asked while running. */
function throttled(task, minMs) {
  let last = 0;
  let timer;
  let running;
  let again = false;
  const run = async () => {
    if (running) {
      again = true;
      return running;
    }
    last = Date.now();
    running = task().finally(() => (running = undefined));
    await running;
    if (again) {
      again = false;
      schedule();
    }
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        run();
      },
      Math.max(0, last + minMs - Date.now()),
    );
  };
  return { run, schedule };
}

function filters() {
  return { sort: ui.sort.value, agent: ui.agent.value, state: ui.state.value, attention: ui.attention.checked };
}

/** Puts the current page of sorted, filtered views on screen, reusing cards by key. */
function render() {
  const list = arrange(views, filters());
  const paged = page(list, pageAt);
  pageAt = paged.page;
  const keep = new Set();
  paged.items.forEach((view, i) => {
    const key = view.session.key;
    keep.add(key);
    let card = cards.get(key);
    if (!card) {
      card = createCard(key, onAction, (k) => showDetail(ui.detail, k, api));
      cards.set(key, card);
    }
    if (card.view !== view) updateCard(card, view, fetchedAt, busyKeys.has(key));
    if (ui.cards.children[i] !== card.root) ui.cards.insertBefore(card.root, ui.cards.children[i] ?? null);
  });
  for (const [key, card] of cards) {
    if (keep.has(key)) continue;
    card.root.remove();
    cards.delete(key);
  }
  ui.count.textContent = `${list.length} of ${views.length} sessions`;
  ui.empty.hidden = list.length > 0;
  ui.pager.hidden = paged.pages <= 1;
  ui.pageInfo.textContent = `${paged.first}–${paged.last} of ${list.length}`;
  ui.pagePrev.disabled = paged.page === 0;
  ui.pageNext.disabled = paged.page >= paged.pages - 1;
}

function renderAgents() {
  const agents = [...new Set(views.map((v) => v.session.agent))].sort();
  for (const select of [ui.agent, $('cleanup-agent')]) {
    const current = [...select.options].slice(1).map((o) => o.value);
    if (agents.join('\n') === current.join('\n')) continue;
    const selected = select.value;
    select.replaceChildren(el('option', { value: '' }, 'all agents'), ...agents.map((a) => el('option', { value: a }, a)));
    select.value = agents.includes(selected) ? selected : '';
  }
}

const sessions = throttled(async () => {
  try {
    const r = await api('/api/v1/sessions');
    if (!r.ok) {
      say(`Could not load sessions: ${r.body?.error?.message ?? `HTTP ${r.status}`}`, 'error');
      return;
    }
    ui.mode.textContent = r.body.mode === 'dry-run' ? 'dry-run' : 'enforcing';
    ui.mode.className = `badge badge-${r.body.mode}`;
    views = r.body.sessions;
    fetchedAt = Date.now();
    renderAgents();
    render();
  } catch (err) {
    say(`Could not reach clawwarden: ${err.message}`, 'error');
  }
}, REFRESH_MIN_MS);

const overview = throttled(async () => {
  const r = await api(`/api/v1/overview?tz=${encodeURIComponent(TZ)}`).catch(() => undefined);
  if (!r?.ok) return;
  renderTiles(ui.tiles, r.body);
  renderBudgets(ui.budgetRows, ui.budgetsEmpty, r.body);
}, OVERVIEW_MIN_MS);

const spend = throttled(async () => {
  const r = await api(`/api/v1/spend?range=${range}`).catch(() => undefined);
  if (!r?.ok) return;
  lastSeries = r.body;
  await chart.update(r.body, metric).catch((err) => say(`The spend chart could not be drawn: ${err.message}`, 'error'));
}, SPEND_MIN_MS);

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

/** An authorised POST (asking for the token first when there is none); a token the server refused is forgotten. */
async function write(path, body, what) {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? (await askToken());
  if (!token) {
    say(`${what ?? path} not sent: an API token is needed for actions.`, 'error');
    return undefined;
  }
  const r = await api(path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status === 401 || r.status === 403) {
    sessionStorage.removeItem(TOKEN_KEY);
    updateTokenButton();
    say(
      `${what ?? path} refused (HTTP ${r.status}): ${r.body?.error?.message ?? 'no reason given'} The token is forgotten; the next action asks for it again.${demo ? ` ${DEMO_TOKEN_HINT}` : ''}`,
      'error',
    );
  }
  return r;
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
  const isProtected = action !== 'resume' && action !== 'unmark' && cards.get(key)?.view?.protected === true;
  const verb = `${action[0].toUpperCase()}${action.slice(1)}`;
  if (isProtected) {
    ui.confirmTitle.textContent = `${verb} a protected session?`;
    ui.confirmOk.textContent = `${verb} anyway`;
    ui.confirmText.textContent = `Session ${shown(key)} is protected (safety.protect): policies never ${action === 'stop' ? 'stop it unless allowed' : `${action} it`}. ${verb} it anyway? This is journaled as forced, from the console.`;
    if (!(await openDialog(ui.confirmDialog, ui.confirmForm, ui.confirmCancel))) return;
  } else if (action === 'kill') {
    ui.confirmTitle.textContent = 'Kill session?';
    ui.confirmOk.textContent = 'Kill';
    ui.confirmText.textContent = `Kill session ${shown(key)}? Its run and queued work end, and nothing new starts until it is resumed.`;
    if (!(await openDialog(ui.confirmDialog, ui.confirmForm, ui.confirmCancel))) return;
  }
  setBusy(key, true);
  try {
    const r = await write(`/api/v1/sessions/${encodeURIComponent(key)}/${action}`, { origin: 'console', ...(isProtected ? { force: true } : {}) }, `${action} ${key}`);
    if (!r) return;
    if (r.ok) {
      const outcome = r.body.outcomes?.[0];
      if (action === 'unmark') say(`unmark ${key}: ${r.body.cancelled?.length ? `cancelled ${r.body.cancelled.map((m) => `${m.action} (${m.policy})`).join(', ')}` : 'nothing was marked'}`, 'ok');
      else say(`${action} ${key}: ${outcome?.status ?? 'done'}${outcome?.detail ? ` — ${outcome.detail}` : ''}`, 'ok');
    } else if (r.status !== 401 && r.status !== 403) {
      say(`${action} ${key} refused (HTTP ${r.status}): ${r.body?.error?.message ?? 'no reason given'}`, 'error');
    }
  } catch (err) {
    say(`${action} ${key} failed: ${err.message}`, 'error');
  } finally {
    setBusy(key, false);
    sessions.run();
    overview.schedule();
  }
}

/** The event stream; a browser gives up for good on some errors (e.g. 503 TOO_MANY_STREAMS): then it is opened anew after a pause. */
function connect() {
  const source = new EventSource('/api/v1/events');
  source.addEventListener('open', () => {
    ui.live.textContent = 'live';
    ui.live.className = 'live live-on';
  });
  source.addEventListener('error', () => {
    ui.live.textContent = 'reconnecting…';
    ui.live.className = 'live live-off';
    if (source.readyState === EventSource.CLOSED) {
      source.close();
      setTimeout(connect, RECONNECT_MS + Math.random() * 1000);
    }
  });
  // After a (re)connect, catch up on whatever happened while the stream was away.
  source.addEventListener('hello', () => {
    sessions.schedule();
    overview.schedule();
    spend.schedule();
    loadJournal();
  });
  const changed = () => {
    sessions.schedule();
    overview.schedule();
    spend.schedule();
  };
  source.addEventListener('sessions', changed);
  source.addEventListener('decision', changed);
  source.addEventListener('journal', (event) => {
    try {
      alerts.add([JSON.parse(event.data).entry]);
    } catch {
      // A malformed event is dropped; the next refresh brings the truth anyway.
    }
    changed();
  });
}

async function loadJournal() {
  const journal = await api('/api/v1/journal?limit=50').catch(() => undefined);
  if (journal?.ok) alerts.add(journal.body.entries);
}

/** Learns from /readyz whether this is the demo; the token dialog then says where the demo's token is. */
async function learnDemo() {
  const ready = await api('/readyz').catch(() => undefined);
  demo = ready?.body?.demo === true;
  if (demo) ui.tokenHelp.textContent = `${DEMO_TOKEN_HINT} It is kept only in this browser tab.`;
}

function setupControls() {
  const rerender = () => {
    pageAt = 0;
    render();
  };
  for (const control of [ui.agent, ui.state, ui.sort, ui.attention]) control.addEventListener('change', rerender);
  ui.pagePrev.addEventListener('click', () => {
    pageAt -= 1;
    render();
  });
  ui.pageNext.addEventListener('click', () => {
    pageAt += 1;
    render();
  });
  const pressed = (selector, value, attr) => {
    for (const b of document.querySelectorAll(selector)) b.setAttribute('aria-pressed', String(b.dataset[attr] === value));
  };
  for (const b of document.querySelectorAll('.range')) {
    b.addEventListener('click', () => {
      range = b.dataset.range;
      pressed('.range', range, 'range');
      spend.run();
    });
  }
  for (const b of document.querySelectorAll('.metric')) {
    b.addEventListener('click', () => {
      metric = b.dataset.metric;
      pressed('.metric', metric, 'metric');
      if (lastSeries) chart.update(lastSeries, metric);
    });
  }
  $('detail-close').addEventListener('click', () => ui.detail.dialog.close());
  setupCleanup(
    {
      dialog: $('cleanup-dialog'),
      form: $('cleanup-form'),
      open: $('cleanup-open'),
      close: $('cleanup-close'),
      confirm: $('cleanup-confirm'),
      age: $('cleanup-age'),
      idle: $('cleanup-idle'),
      agent: $('cleanup-agent'),
      mode: $('cleanup-mode'),
      force: $('cleanup-force'),
      summary: $('cleanup-summary'),
      list: $('cleanup-list'),
    },
    (path, body) => write(path, body, 'cleanup'),
    say,
    () => {
      sessions.run();
      overview.schedule();
    },
  );
}

function tick() {
  const now = Date.now();
  for (const card of cards.values()) tickCard(card, now);
}

async function start() {
  setupControls();
  setupTabs(document.querySelector('.tabs'));
  ui.tokenButton.addEventListener('click', () => askToken());
  ui.messageClose.addEventListener('click', () => (ui.message.hidden = true));
  updateTokenButton();
  learnDemo();
  connect();
  // The overview first: it waits until the daemon has read earlier runs' actions, so the first cards carry their notes.
  await overview.run();
  await sessions.run();
  spend.run();
  setInterval(tick, 1000);
}

start();
