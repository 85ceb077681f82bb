/**
 * actions: what a credential may do, and on which streams. A rule reads `ACTION:PATTERN`
 * (`publish:door*`, `view:*`) or just `ACTION` (every stream; the natural form for `api` and
 * `metrics`, which name no stream). A pattern is a stream name in which `*` stands for any run of
 * characters, so `door*` covers `door`, `door2` and `door/back`.
 */
import { createError } from '../util/errors.js';

/** Action is one thing a peer can ask the hub to do. */
export type Action = 'publish' | 'view' | 'api' | 'metrics' | 'record' | 'playback';

/** ACTIONS lists every Action. */
export const ACTIONS: readonly Action[] = ['publish', 'view', 'api', 'metrics', 'record', 'playback'];

/** Rule is one parsed permission: an action on the streams matching a pattern. */
export interface Rule {
  action: Action;
  pattern: string;
  /** test tells whether `stream` matches the pattern. */
  test(stream: string): boolean;
}

/** PATTERN_CHARS: stream-name characters plus `*`; a pattern is at most 64 characters like a name. */
const PATTERN_CHARS = /^[A-Za-z0-9_.\-/*]{1,64}$/;

/** isAction tells whether `s` names an Action. */
export function isAction(s: unknown): s is Action {
  return typeof s === 'string' && (ACTIONS as readonly string[]).includes(s);
}

/** parseRule parses `ACTION[:PATTERN]`; `where` names the file and key for the error. */
export function parseRule(text: unknown, where: string): Rule {
  if (typeof text !== 'string') throw createError('CAMWIRE_ERR_CONFIG', `${where} must be a string like "view:*" or "publish:door*"`);
  const i = text.indexOf(':');
  const action = i < 0 ? text : text.slice(0, i);
  const pattern = i < 0 ? '*' : text.slice(i + 1);
  if (!isAction(action)) throw createError('CAMWIRE_ERR_CONFIG', `${where}: unknown action "${action.slice(0, 40)}" (actions: ${ACTIONS.join(', ')})`);
  if (!PATTERN_CHARS.test(pattern)) throw createError('CAMWIRE_ERR_CONFIG', `${where}: stream pattern "${pattern.slice(0, 80)}" may hold only stream-name characters and *`);
  return { action, pattern, test: compilePattern(pattern) };
}

/** compilePattern turns a `*` pattern into a matcher (anchored; every other character literal). */
export function compilePattern(pattern: string): (stream: string) => boolean {
  if (pattern === '*') return () => true;
  const re = new RegExp('^' + pattern.split('*').map((p) => p.replace(/[.\-/]/g, '\\$&')).join('.*') + '$');
  return (stream) => re.test(stream);
}

/** allows tells whether any rule grants `action` on `stream`; a request that names no stream (the API, metrics) needs a rule whose pattern is `*`. */
export function allows(rules: readonly Rule[], action: Action, stream: string | undefined): boolean {
  return rules.some((r) => r.action === action && (stream === undefined ? r.pattern === '*' : r.test(stream)));
}
