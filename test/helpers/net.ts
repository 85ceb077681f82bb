// Moved to support/net.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/net.js';
