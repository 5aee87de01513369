import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { Ledger } from '../ledger/ledger.js';
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

  async load(now: number): Promise<{ ledger: Ledger; problem?: StateFileError }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ledger: new Ledger() };
      throw error;
    }
    try {
      return { ledger: Ledger.fromJSON(JSON.parse(text) as unknown) };
    } catch (error) {
      const movedTo = `${this.file}.invalid-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
      await rename(this.file, movedTo);
      // The ledger is rebuilt from the platform's own usage baseline on sync, so starting empty loses no spend.
      return { ledger: new Ledger(), problem: new StateFileError(this.file, movedTo, `${(error as Error).message}; the ledger will be rebuilt from the sources' usage baselines`) };
    }
  }

  /** Writes the ledger if it changed since the last save. */
  async save(ledger: Ledger): Promise<void> {
    const version = ledger.version;
    if (version === this.#savedVersion) return;
    await writeFileAtomic(this.file, JSON.stringify(ledger.toJSON()));
    this.#savedVersion = version;
  }
}
