// Moved to the ground floor (src/domain/secret.ts); kept so older imports still resolve.
export * from '../domain/secret.js';
