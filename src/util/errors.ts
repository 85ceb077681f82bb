/**
 * errors: the one registry of camwire error codes.
 *
 * Every error camwire raises on purpose is a CamwireError (or a subclass naming its category)
 * with a stable `CAMWIRE_ERR_*` code, so callers and tests branch on `code`, never on messages.
 */

/** ERROR_CODES lists every code with the category class that carries it and what it means. */
export const ERROR_CODES = {
  CAMWIRE_ERR_BAD_MAGIC: { kind: 'protocol', text: 'the peer does not speak the camwire protocol' },
  CAMWIRE_ERR_UNSUPPORTED_VERSION: { kind: 'protocol', text: 'the peer speaks a camwire protocol version this build does not' },
  CAMWIRE_ERR_UNKNOWN_MESSAGE: { kind: 'protocol', text: 'a message type this build does not know' },
  CAMWIRE_ERR_MALFORMED_MESSAGE: { kind: 'protocol', text: 'a message whose body does not match its type' },
  CAMWIRE_ERR_UNEXPECTED_MESSAGE: { kind: 'protocol', text: 'a valid message at the wrong moment' },
  CAMWIRE_ERR_TRUNCATED: { kind: 'protocol', text: 'the connection ended in the middle of a message' },
  CAMWIRE_ERR_FRAME_TOO_LARGE: { kind: 'limit', text: 'a declared frame length above maxFrameBytes' },
  CAMWIRE_ERR_MESSAGE_TOO_LARGE: { kind: 'limit', text: 'a declared control-message length above its limit' },
  CAMWIRE_ERR_HANDSHAKE_TIMEOUT: { kind: 'protocol', text: 'the peer did not complete the handshake in time' },
  CAMWIRE_ERR_KEEPALIVE_TIMEOUT: { kind: 'network', text: 'nothing arrived from the peer within the keepalive timeout' },
  CAMWIRE_ERR_STREAM_BUSY: { kind: 'protocol', text: 'the stream already has a publisher' },
  CAMWIRE_ERR_BAD_STREAM_NAME: { kind: 'protocol', text: 'a stream name outside the allowed characters or length' },
  CAMWIRE_ERR_UNAUTHORIZED: { kind: 'protocol', text: 'missing or wrong credentials (user, secret or token)' },
  CAMWIRE_ERR_FORBIDDEN: { kind: 'protocol', text: 'the credentials are valid but do not allow this action on this stream' },
  CAMWIRE_ERR_FORBIDDEN_ORIGIN: { kind: 'protocol', text: 'a browser page from another site tried to open the viewer WebSocket' },
  CAMWIRE_ERR_FORBIDDEN_HOST: { kind: 'protocol', text: 'an HTTP request for a host name the hub does not answer to (DNS rebinding protection)' },
  CAMWIRE_ERR_INSECURE_AUTH: { kind: 'protocol', text: 'credentials sent over plain HTTP from another machine; use HTTPS (--tls-cert) or --allow-insecure-auth' },
  CAMWIRE_ERR_REMOTE: { kind: 'protocol', text: 'the peer reported an error and closed' },
  CAMWIRE_ERR_CONNECTION_LOST: { kind: 'network', text: 'an open connection broke (reset by the peer, broken pipe, network gone)' },
  CAMWIRE_ERR_WRITE_STALL: { kind: 'network', text: 'the peer read nothing for writeStallMs, so it was disconnected' },
  CAMWIRE_ERR_TLS: { kind: 'network', text: 'a TLS handshake failed (certificate not trusted, wrong name or fingerprint, not TLS)' },
  CAMWIRE_ERR_CONNECT: { kind: 'network', text: 'a connection could not be made' },
  CAMWIRE_ERR_LISTEN: { kind: 'network', text: 'a port could not be opened for listening' },
  CAMWIRE_ERR_BAD_URL: { kind: 'config', text: 'a URL camwire cannot use' },
  CAMWIRE_ERR_CONFIG: { kind: 'config', text: 'an invalid configuration value' },
  CAMWIRE_ERR_BAD_FRAME: { kind: 'media', text: 'a frame whose payload is not what its codec says' },
  CAMWIRE_ERR_SOURCE: { kind: 'media', text: 'a video source failed' },
  CAMWIRE_ERR_FFMPEG_MISSING: { kind: 'config', text: 'no usable ffmpeg binary (ffmpeg, ffplay) was found' },
  CAMWIRE_ERR_CLOSED: { kind: 'network', text: 'the component was closed' },
  CAMWIRE_ERR_SHORT_DATAGRAM: { kind: 'protocol', text: 'a UDP datagram shorter than its header or its declared payload' },
  CAMWIRE_ERR_BAD_FRAGMENT: { kind: 'protocol', text: 'a UDP fragment whose index, counts and lengths do not fit together' },
  CAMWIRE_ERR_UNKNOWN_PEER: { kind: 'protocol', text: 'a UDP datagram from an address or stream id this socket does not serve' },
  CAMWIRE_ERR_CPU_SHARE: { kind: 'limit', text: 'a peer made camwire spend more CPU than its share' },
  CAMWIRE_ERR_TOO_MANY_PEERS: { kind: 'limit', text: 'the UDP hub already serves as many peers as it allows' },
  CAMWIRE_ERR_TOO_MANY_CONNECTIONS: { kind: 'limit', text: 'a connection refused by a connection limit (total, per address, or the reserve kept for authenticated peers)' },
  CAMWIRE_ERR_RATE_LIMITED: { kind: 'limit', text: 'an address opened connections, or a viewer socket sent control messages, faster than its rate limit' },
  CAMWIRE_ERR_OVERLOADED: { kind: 'limit', text: 'the hub-wide budget for input from unauthenticated peers is used up' },
  CAMWIRE_ERR_TOO_MANY_SUBSCRIPTIONS: { kind: 'limit', text: 'a viewer asked for more streams at once than allowed' },
  CAMWIRE_ERR_BAD_REQUEST: { kind: 'protocol', text: 'an HTTP request camwire cannot serve (bad path, method or header)' },
  CAMWIRE_ERR_METHOD_NOT_ALLOWED: { kind: 'protocol', text: 'an HTTP method the endpoint does not serve' },
  CAMWIRE_ERR_URL_TOO_LONG: { kind: 'limit', text: 'an HTTP request target longer than the limit' },
  CAMWIRE_ERR_NOT_FOUND: { kind: 'protocol', text: 'no such stream or page' },
  CAMWIRE_ERR_NO_FRAME_YET: { kind: 'media', text: 'the stream exists but has not delivered a frame yet' },
  CAMWIRE_ERR_WRONG_CODEC: { kind: 'media', text: 'the stream carries a codec this endpoint cannot serve' },
  CAMWIRE_ERR_BAD_PICKLE: { kind: 'protocol', text: 'a pickle that is not the numpy array a wire= format carries (refused, never unpickled)' },
  CAMWIRE_ERR_BAD_RECORDING: { kind: 'media', text: 'a recording file or index entry camwire cannot read' },
  CAMWIRE_ERR_NO_RECORDING: { kind: 'media', text: 'nothing is recorded for that stream in the asked span' },
  CAMWIRE_ERR_LOOP: { kind: 'config', text: 'a hub asked to pull a stream that already passed through it (a hub chain loop)' },
} as const;

/** ErrorCode is one key of ERROR_CODES. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** CamwireError is the base of every deliberate camwire error; `code` is stable. */
export class CamwireError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** ProtocolError: the peer broke the wire protocol; the connection to that peer is closed. */
export class ProtocolError extends CamwireError {}
/** LimitError: a declared size exceeded a configured limit; raised before anything is buffered. */
export class LimitError extends ProtocolError {}
/** NetworkError: connecting, listening or keeping a connection alive failed. */
export class NetworkError extends CamwireError {}
/** ConfigError: a flag, URL, file or environment value is invalid; the message names the key. */
export class ConfigError extends CamwireError {}
/** MediaError: a frame or a source is not what it claims to be. */
export class MediaError extends CamwireError {}

const CLASSES = {
  protocol: ProtocolError,
  limit: LimitError,
  network: NetworkError,
  config: ConfigError,
  media: MediaError,
} as const;

/** MAX_MESSAGE_CHARS: an error message from the wire is cut here, so a peer cannot make us log megabytes. */
export const MAX_MESSAGE_CHARS = 500;

/** isErrorCode tells whether `code` is one of ERROR_CODES' own keys (never an inherited name like `constructor`). */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}

/**
 * createError builds the error of the right class for `code`. It never throws, whatever it is
 * given: a code that is not in the registry (say `constructor`, read off the wire) becomes
 * CAMWIRE_ERR_REMOTE with the unknown code quoted, and a non-string message is stringified and cut.
 */
export function createError(code: ErrorCode, message: string, options?: { cause?: unknown }): CamwireError {
  const text = typeof message === 'string' ? message : safeString(message);
  if (!isErrorCode(code)) {
    return new ProtocolError('CAMWIRE_ERR_REMOTE', `${safeString(code).slice(0, 64)}: ${text.slice(0, MAX_MESSAGE_CHARS)}`, options);
  }
  const Cls = CLASSES[ERROR_CODES[code].kind];
  return new Cls(code, text, options);
}

/** remoteError turns an ERROR (code, message) read off the wire into a CamwireError; never throws. */
export function remoteError(code: unknown, message: unknown): CamwireError {
  const text = safeString(message).slice(0, MAX_MESSAGE_CHARS);
  return isErrorCode(code) ? createError(code, text) : createError('CAMWIRE_ERR_REMOTE', `${safeString(code).slice(0, 64)}: ${text}`);
}

/** safeString renders any value as a string without running the value's own code (no toString or getters). */
function safeString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' || v === undefined || v === null) return String(v);
  return Object.prototype.toString.call(v);
}

/** isCamwireError tells whether `e` is a camwire error, optionally with the given code. */
export function isCamwireError(e: unknown, code?: ErrorCode): e is CamwireError {
  return e instanceof CamwireError && (code === undefined || e.code === code);
}
