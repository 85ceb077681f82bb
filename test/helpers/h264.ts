// Moved to support/h264.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/h264.js';
