/** Usage per session generation: the ledger and its read-only views. */
export { Ledger, LedgerFormatError, type LedgerJSON } from './ledger.js';
export type { LedgerView, SessionUsageView } from './types.js';
