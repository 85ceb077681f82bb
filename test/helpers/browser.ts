// Moved to support/browser.ts (shared with bench/); this re-export keeps test imports working.
export * from '../../support/browser.js';
