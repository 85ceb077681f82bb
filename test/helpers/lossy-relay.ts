// Moved to support/lossy-relay.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/lossy-relay.js';
