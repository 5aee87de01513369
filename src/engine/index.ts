/** The pure engine. */
export { evaluate, budgetsFor } from './evaluate.js';
export type * from './types.js';
