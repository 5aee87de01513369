// Moved to the ground floor (src/domain/problem.ts); kept so older imports still resolve.
export * from '../domain/problem.js';
