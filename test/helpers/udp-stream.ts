// Moved to support/udp-stream.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/udp-stream.js';
