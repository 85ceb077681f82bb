// Moved to support/media.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/media.js';
