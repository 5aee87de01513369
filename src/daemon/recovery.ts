import type { Logger } from 'pino';
import type { Ledger } from '../ledger/ledger.js';
import type { Journal } from '../state/journal.js';
import type { StateStore } from '../state/store.js';

// What a restart recovers before the daemon acts: the journal is the write-ahead log of state.json and ledger.json.

/**
 * Replays the journal written after the last state snapshot (all of it when the snapshot was lost) into `store`,
 * and reports manual actions a crash left in doubt (they are not re-issued: the operator's request died with the call).
 */
export async function replayJournal(store: StateStore, journal: Journal, log: Logger): Promise<void> {
  const from = store.journalSeq;
  let changed = false;
  if (from !== undefined && journal.lastSeq > from) {
    const report = store.replay(await journal.entriesAfter(from));
    const what = `${report.episodes} escalation/cooldown record(s), ${report.holds} hold(s), ${report.actions} action result(s), ${report.inflight} decision(s) to finish, ${report.marks} mark(s)`;
    const reason =
      from === 0 ? `state rebuilt from the journal (${report.entries} entries): ${what}` : `state brought up to date from ${report.entries} journal entries after the last snapshot: ${what}`;
    log.warn({ ...report }, reason);
    await journal.append({ type: 'config', reason });
    changed = true;
  }
  for (const [id, record] of store.actions) {
    if (record.status !== 'pending' || !id.startsWith('manual|')) continue;
    const [, by, source, key] = id.split('|');
    const text = `a manual action requested by ${by ?? '?'} on ${key ?? '?'} was in flight when clawwarden stopped; its result is unknown: check the session`;
    log.warn({ source, session: key }, text);
    await journal.append({ type: 'refusal', ...(source ? { source } : {}), ...(key ? { session: key } : {}), reason: text });
    store.actions.set(id, { status: 'failed', at: record.at });
    changed = true;
  }
  if (changed) await store.commit();
}

/**
 * Puts back into the ledger the usage behind every decision journaled after the ledger was last saved: a crash
 * between acting and the next save never makes the daemon forget what it measured (never subtracts; marks known).
 */
export async function restoreUsage(ledger: Ledger, since: number, journal: Journal, log: Logger): Promise<void> {
  if (journal.lastSeq <= since) return;
  let restored = 0;
  for (const e of await journal.entriesAfter(since)) {
    if (e.type !== 'decision' || !e.usage) continue;
    ledger.applyBaseline(e.usage);
    restored++;
  }
  if (restored > 0) log.info({ restored }, `restored the usage behind ${restored} decision(s) journaled after the last ledger save`);
}
