/**
 * auth: `camwire auth add|remove|list` — keeps the `--auth FILE` credentials file. Secrets are
 * hashed on the way in (scrypt → SCRAM keys); the file never holds one, and a generated secret
 * is printed exactly once.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { formatSecret, generateSecret, hashSecret, parseCredentials, parseRule, USER_NAME_PATTERN } from '../../auth/index.js';
import { createError } from '../../util/errors.js';
import { COMMON_HELP, configFrom, parse } from '../args.js';
import type { Command } from './command.js';
import { help } from './serve.js';

/** MIN_SECRET_CHARS: below 16 characters a typed secret draws a warning (see docs/security.md). */
const MIN_SECRET_CHARS = 16;

/** DEFAULT_AUTH_FILE: where the file goes when neither --file nor the authFile key says. */
export const DEFAULT_AUTH_FILE = 'camwire-auth.json';

const usage = `Usage: camwire auth add NAME --allow RULES [--file FILE] [--generate]
       camwire auth remove NAME [--file FILE]
       camwire auth list [--file FILE]

Keeps the credentials file a hub reads with --auth FILE (docs/security.md).

  add NAME       adds or replaces user NAME. The secret is read from a prompt (empty = make
                 one), from stdin when it is not a terminal, or made with --generate (256 bits,
                 printed once as NAME:SECRET — put it in the client's --token-file).
  remove NAME    deletes the user.
  list           shows users and their rules (never secrets; the file holds none).

Options:
  --allow RULES  comma-separated ACTION:PATTERN rules, e.g. publish:door,view:*
                 actions: publish, view, record, playback, api, metrics; * matches any run
  --file FILE    the credentials file (default: the authFile config key, else ${DEFAULT_AUTH_FILE})
  --generate     make a random secret instead of asking for one
${COMMON_HELP}

Examples:
  camwire auth add door-cam --allow publish:door --generate > door-cam.token
  camwire auth add alice --allow 'view:*,api,metrics'
  camwire serve --auth ${DEFAULT_AUTH_FILE}`;

/** auth is the `camwire auth` command. */
export const auth: Command = {
  name: 'auth',
  summary: 'add, remove or list users of a hub\'s --auth file',
  usage,
  async run(argv) {
    const { values, positionals } = parse('auth', argv, { allow: { type: 'string' }, file: { type: 'string' }, generate: { type: 'boolean' } });
    if (values.help || positionals.length === 0) return help(usage);
    const [verb, name, ...extra] = positionals;
    if (extra.length > 0) throw createError('CAMWIRE_ERR_CONFIG', `unexpected "${extra[0]}" (see "camwire auth --help")`);
    const file = (values.file as string | undefined) || configFrom(values).authFile || DEFAULT_AUTH_FILE;
    const doc = readDoc(file);
    if (verb === 'list') {
      const creds = parseCredentials(JSON.stringify(doc), `auth file ${file}`);
      for (const [n, c] of creds.users) process.stdout.write(`${n === '' ? "'' (token)" : n}  ${c.rules.map((r) => `${r.action}:${r.pattern}`).join(',')}\n`);
      if (creds.anonymous.length) process.stdout.write(`(anonymous)  ${creds.anonymous.map((r) => `${r.action}:${r.pattern}`).join(',')}\n`);
      return 0;
    }
    if (name === undefined || !USER_NAME_PATTERN.test(name)) throw createError('CAMWIRE_ERR_CONFIG', `auth ${verb ?? ''}: give a user NAME (up to 64 letters, digits or _ . @ + -, no ":")`);
    const users = (doc.users ??= {}) as Record<string, unknown>;
    if (verb === 'remove') {
      if (!Object.hasOwn(users, name)) throw createError('CAMWIRE_ERR_CONFIG', `auth remove: no user "${name}" in ${file}`);
      delete users[name];
      writeDoc(file, doc);
      process.stderr.write(`removed "${name}" from ${file}\n`);
      return 0;
    }
    if (verb !== 'add') throw createError('CAMWIRE_ERR_CONFIG', `unknown auth command "${verb}" (add, remove, list; see "camwire auth --help")`);
    const allow = String(values.allow ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (allow.length === 0) throw createError('CAMWIRE_ERR_CONFIG', 'auth add: --allow is required, e.g. --allow publish:door,view:*');
    allow.forEach((r, i) => parseRule(r, `--allow rule ${i + 1}`));
    let secret = values.generate ? '' : await readSecret(name);
    const generated = secret === '';
    if (generated) secret = generateSecret();
    // A captured handshake lets an attacker guess offline at scrypt's cost per try: short secrets fall.
    if (!generated && secret.length < MIN_SECRET_CHARS) process.stderr.write(`warning: a secret of ${secret.length} characters can be guessed from a captured handshake; prefer ${MIN_SECRET_CHARS}+ characters or --generate\n`);
    const replaced = Object.hasOwn(users, name);
    users[name] = { allow, secret: formatSecret(await hashSecret(secret)) };
    parseCredentials(JSON.stringify(doc), `auth file ${file}`); // never write a file the hub would refuse
    writeDoc(file, doc);
    process.stderr.write(`${replaced ? 'replaced' : 'added'} "${name}" (${allow.join(',')}) in ${file}\n`);
    if (generated) {
      process.stderr.write('its secret follows, shown only this once; give it to the client in a --token-file or CAMWIRE_TOKEN:\n');
      process.stdout.write(`${name}:${secret}\n`);
    }
    return 0;
  },
};

function readDoc(file: string): Record<string, unknown> {
  if (!existsSync(file)) return { users: {} };
  const text = readFileSync(file, 'utf8');
  parseCredentials(text, `auth file ${file}`); // refuse to edit a file the hub would refuse
  return text.trim() === '' ? { users: {} } : (JSON.parse(text) as Record<string, unknown>);
}

/** writeDoc replaces the file atomically, readable by its owner only (it holds keys, if not secrets). */
function writeDoc(file: string, doc: Record<string, unknown>): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

/** readSecret asks on a terminal without echo, or reads stdin's first line; '' means "generate one". */
async function readSecret(name: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin });
    for await (const line of rl) {
      rl.close();
      return line.replace(/\r$/, '');
    }
    return '';
  }
  process.stderr.write(`secret for "${name}" (empty: generate one): `);
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    let s = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(s);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(createError('CAMWIRE_ERR_CONFIG', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') s = [...s].slice(0, -1).join('');
        else if (ch >= ' ') s += ch;
      }
    };
    stdin.on('data', onData);
  });
}
