// The API facade moved to src/http/view.ts (and the session view to src/domain); kept so older imports still resolve.
export type * from '../http/view.js';
