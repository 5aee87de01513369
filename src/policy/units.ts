// Moved to the ground floor (src/domain/units.ts); kept so older imports still resolve.
export * from '../domain/units.js';
