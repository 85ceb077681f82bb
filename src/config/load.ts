/**
 * load: builds a Config from defaults → file (JSON) → environment (CAMWIRE_*) → flags, then
 * validates it against the schema (config/schema). Errors name the key, where the value came
 * from and the flag that sets it; unknown keys are rejected.
 */
import { readFileSync } from 'node:fs';
import { createError } from '../util/errors.js';
import { DEFAULTS, type Config } from './defaults.js';
import { checkCrossRules, checkValue, CONFIG_KEYS, envName, SCHEMA, type Origin } from './schema.js';

export { CONFIG_KEYS, envName } from './schema.js';

/** LoadOptions: where values come from; each layer overrides the one before. */
export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** flags: values from command-line flags, by Config key (undefined = flag not given). */
  flags?: Partial<Record<keyof Config, unknown>>;
}

/** Loaded is a validated Config with the origin of each of its values. */
export interface Loaded {
  config: Config;
  origins: Record<keyof Config, Origin>;
}

/** loadConfig merges the layers and validates the result. */
export function loadConfig(opts: LoadOptions = {}): Config {
  return loadConfigWithOrigins(opts).config;
}

/** loadConfigWithOrigins is loadConfig that also says where each value came from. */
export function loadConfigWithOrigins(opts: LoadOptions = {}): Loaded {
  const out: Record<string, unknown> = { ...DEFAULTS };
  const origins = Object.fromEntries(CONFIG_KEYS.map((k) => [k, { from: 'default' }])) as Record<keyof Config, Origin>;
  const set = (values: Record<string, unknown>, origin: Origin) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) continue;
      if (!(k in SCHEMA)) throw createError('CAMWIRE_ERR_CONFIG', `unknown config key "${k}" in ${origin.from === 'file' ? `config file ${origin.path}` : origin.from} (known: ${CONFIG_KEYS.join(', ')})`);
      out[k] = checkValue(k as keyof Config, v, origin);
      origins[k as keyof Config] = origin;
    }
  };
  if (opts.file) set(readFile(opts.file), { from: 'file', path: opts.file });
  const env = opts.env ?? process.env;
  for (const k of CONFIG_KEYS) {
    const name = envName(k);
    if (env[name] !== undefined) set({ [k]: env[name] }, { from: 'env', name });
  }
  if (opts.flags) set(opts.flags, { from: 'flag' });
  const config = out as unknown as Config;
  checkCrossRules(config, origins);
  return { config, origins };
}

function readFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `cannot read config file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw createError('CAMWIRE_ERR_CONFIG', `config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw createError('CAMWIRE_ERR_CONFIG', `config file ${path} must hold a JSON object`);
  return o as Record<string, unknown>;
}
