/** The pure engine: one-shot `evaluate`, and `createEngine` for a persistent one that remembers between evaluations. */
export { evaluate, budgetsFor } from './evaluate.js';
export { createEngine, EngineInputError, type Engine } from './engine.js';
export type * from './types.js';
