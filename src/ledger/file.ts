import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger } from './ledger.js';
import { writeFileAtomic } from '../state/atomic.js';
import { StateFileError } from '../state/store.js';

/** `stateDir/ledger.json`: the usage ledger, saved atomically; a corrupt or foreign file is moved aside and reported. */
export class LedgerFile {
  readonly file: string;
  /** Ledger version last written: an idle daemon writes (and allocates) nothing. */
  #savedVersion?: number;

  constructor(dir: string) {
    this.file = join(dir, 'ledger.json');
  }

  /**
   * The ledger, and the last journal entry it reflects (0 when there is no usable file): decisions journaled after it
   * carry usage the file may lack, restored on start.
   */
  async load(now: number): Promise<{ ledger: Ledger; journalSeq: number; problem?: StateFileError }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ledger: new Ledger(), journalSeq: 0 };
      throw error;
    }
    try {
      const doc = JSON.parse(text) as { journalSeq?: unknown };
      return { ledger: Ledger.fromJSON(doc), journalSeq: typeof doc.journalSeq === 'number' ? doc.journalSeq : 0 };
    } catch (error) {
      const movedTo = `${this.file}.invalid-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.file, movedTo);
      // The ledger is rebuilt from the platform's own usage baseline on sync, so starting empty loses no spend.
      return { ledger: new Ledger(), journalSeq: 0, problem: new StateFileError(this.file, movedTo, `${(error as Error).message}; the ledger will be rebuilt from the sources' usage baselines`) };
    }
  }

  /** Writes the ledger if it changed since the last save, with the journal's last sequence number at that moment. */
  async save(ledger: Ledger, journalSeq: number): Promise<void> {
    const version = ledger.version;
    if (version === this.#savedVersion) return;
    await writeFileAtomic(this.file, JSON.stringify({ ...ledger.toJSON(), journalSeq }));
    this.#savedVersion = version;
  }
}
