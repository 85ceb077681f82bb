/**
 * redact: credentials out of text that reaches logs, labels and the API. Applied to every log
 * line (logger.ts) and every publisher/reader label (hub), so a camera password or a token in a
 * URL never shows up in `camwire serve` output or `/api/streams`.
 *
 * It removes
 *   - URL userinfo with any characters: `rtsp://admin:p@ss/w0rd@cam/…` → `rtsp://admin:***@cam/…`
 *     (the userinfo ends at the LAST `@` before whitespace or a quote, so `/` and `@` in the
 *     password do not end it early), and a lone token `tcp://TOKEN@hub/x` → `tcp://***@hub/x`;
 *   - query values of credential-like keys (`password`, `pwd`, `pass`, `token`, `key`, `secret`,
 *     `auth`, …): `?user=a&password=x` → `?user=a&password=***`;
 *   - `Bearer …` and `Basic …` authorization values.
 * It errs on the side of hiding: `rtsp://host:554/a@b` loses `554/a` too, never a secret kept.
 */

/** REDACTED replaces every hidden value. */
export const REDACTED = '***';

/** SECRET_QUERY_KEYS: query parameter names whose values are hidden (matched case-insensitively, also as suffixes like `access_token`). */
export const SECRET_QUERY_KEYS = ['password', 'passwd', 'pwd', 'pass', 'token', 'key', 'secret', 'auth', 'authorization', 'signature', 'sig', 'credential', 'credentials'];

// scheme://  then a run without whitespace/quotes/angle brackets up to its last '@'. The scheme
// starts only where no scheme character precedes it, and both runs are bounded, so a hostile
// line costs linear time.
const USERINFO = /(?<![a-z0-9+.-])([a-z][a-z0-9+.-]{0,31}:\/\/)([^\s"'<>`]{0,256})@/gi;
// Keys are bounded runs of name characters, so matching stays linear on hostile input.
const QUERY = /([?&;#][\w.\-]{1,64})=([^&;#\s"'<>]*)/g;
const SECRET_KEY = new RegExp(`(?:${SECRET_QUERY_KEYS.join('|')})$`, 'i');
const AUTH_HEADER = /\b(Bearer|Basic)\s+[A-Za-z0-9+/=._~:-]+/g;

/** redact hides credentials in `text` (see the module comment); text without any is returned unchanged. */
export function redact(text: string): string {
  if (typeof text !== 'string') return text;
  return text
    .replace(USERINFO, (_m, scheme: string, info: string) => `${scheme}${hideUserinfo(info)}@`)
    .replace(QUERY, (m, key: string) => (SECRET_KEY.test(key) ? `${key}=${REDACTED}` : m))
    .replace(AUTH_HEADER, (_m, kind: string) => `${kind} ${REDACTED}`);
}

/** hideUserinfo keeps a user name, hides the password; a userinfo without `:` is a token, hidden whole. */
function hideUserinfo(info: string): string {
  if (info === '') return ''; // udp://@host:port is camwire's "bind here" syntax, not a credential
  const colon = info.indexOf(':');
  if (colon < 0) return REDACTED;
  const user = info.slice(0, colon);
  // A "user" holding '/' means the '@' was in a path, not userinfo: hide the lot anyway (safe side).
  return user.includes('/') ? REDACTED : `${user}:${REDACTED}`;
}
