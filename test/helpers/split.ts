// Moved to support/split.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/split.js';
