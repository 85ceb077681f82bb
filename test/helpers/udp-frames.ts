// Moved to support/udp-frames.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/udp-frames.js';
