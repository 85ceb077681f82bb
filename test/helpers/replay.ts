// Moved to support/replay.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/replay.js';
