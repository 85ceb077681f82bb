// Moved to support/prng.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/prng.js';
