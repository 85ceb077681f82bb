/**
 * defaults: every tunable camwire value, with its default and the reason for it.
 * docs/config.md shows the same object; a test keeps the two equal.
 */

import type { MotionZones } from './motion-zones.js';

/** Config is camwire's one typed configuration. */
export interface Config {
  /** tcpPort: the hub's TCP port; 8089 is the port the original cv2-stream tools used. */
  tcpPort: number;
  /** httpPort: the hub's HTTP/WebSocket port (viewer, MJPEG, API). */
  httpPort: number;
  /** udpPort: the port of udp:// URLs that name none, and of the hub's UDP listener (off unless `--udp` or this key is set); 10000 is the original multicast tool's. */
  udpPort: number;
  /** host: address the hub listens on; all interfaces, because cameras and viewers are remote. */
  host: string;
  /** maxFrameBytes: 16 MiB holds an 8K JPEG at high quality; a larger declared frame is refused before buffering. */
  maxFrameBytes: number;
  /** maxConnections: per listener (TCP, HTTP); each costs a file descriptor: far beyond a LAN's cameras and screens, but a connection flood stops here, not at the file-descriptor limit. */
  maxConnections: number;
  /** reservedConnections: of maxConnections, 64 are kept for authenticated peers, so strangers still handshaking can never take every slot. */
  reservedConnections: number;
  /** maxConnectionsPerAddress: 64 per host (IPv6: per /64) is a wall of viewers on one machine; one host cannot fill the listener. */
  maxConnectionsPerAddress: number;
  /** handshakesPerSecond: 10 new connections per second per host on average; reconnect backoff needs at most 4. */
  handshakesPerSecond: number;
  /** handshakeBurst: 40 at once per host, so a restarted wall of viewers reconnects without waiting. */
  handshakeBurst: number;
  /** preAuthBudgetBytes: 64 MiB of input held for all unauthenticated peers together; beyond it they are refused, never the hub's memory. */
  preAuthBudgetBytes: number;
  /** preAuthPeerBytes: 64 KiB held for one unauthenticated peer: a handshake message is at most 4 KiB, the rest is one socket read. */
  preAuthPeerBytes: number;
  /** preAuthTimeoutMs: 3 s from accept to an accepted handshake (two round trips on any LAN); slot holders that never finish leave. */
  preAuthTimeoutMs: number;
  /** keepaliveMs: 2 s of silence costs one 8-byte message; short enough to notice a dead peer quickly. */
  keepaliveMs: number;
  /** timeoutMs: 10 s (five missed keepalives) before a silent or stalled-mid-frame peer is dropped. */
  timeoutMs: number;
  /** handshakeTimeoutMs: 5 s for a client to connect and be welcomed (a hub gives strangers preAuthTimeoutMs). */
  handshakeTimeoutMs: number;
  /** writeStallMs: 15 s without a peer reading anything before it is disconnected. */
  writeStallMs: number;
  /** reconnectInitialMs: first retry after 250 ms, so a quick hub restart goes unnoticed. */
  reconnectInitialMs: number;
  /** reconnectMaxMs: retries back off to at most every 5 s. */
  reconnectMaxMs: number;
  /** tlsCert: PEM certificate for HTTPS on the HTTP port ('' = plain HTTP); browsers decode H.264 only on secure pages. */
  tlsCert: string;
  /** tlsKey: PEM private key for tlsCert. */
  tlsKey: string;
  /** allowedHosts: extra names the hub answers to besides its IP addresses, localhost and this machine's name (comma-separated, `*.example.net` allowed): any other Host is refused, so a DNS-rebinding web page cannot reach the hub. */
  allowedHosts: string;
  /** token: one credential with every right (user ''); prefer tokenFile or CAMWIRE_TOKEN, which stay out of `ps`. Empty = none. */
  token: string;
  /** tokenFile: a file holding the token (first line); the hub's credential, or a client's `NAME:SECRET` / `SECRET`. */
  tokenFile: string;
  /** authFile: credentials file (users, hashed secrets, allowed actions on stream patterns; docs/security.md). Empty = none. */
  authFile: string;
  /** authHttpUrl: POST each auth question here as JSON; 2xx allows, anything else denies. Empty = none. */
  authHttpUrl: string;
  /** allowPublish: comma-separated CIDRs whose peers may publish and record without credentials (loopback always may on a hub without auth). */
  allowPublish: string;
  /** allowInsecureAuth: comma-separated CIDRs from which credentials are accepted over plain HTTP (loopback always is); anyone on the path can read them. */
  allowInsecureAuth: string;
  /** udpMtu: path MTU for UDP; 1500 (Ethernet) so datagrams of mtu-48 bytes are never IP-fragmented. */
  udpMtu: number;
  /** udpFecPercent: parity datagrams per 100 data datagrams; 10 % repairs ~4 losses per 720p JPEG. 0 = off. */
  udpFecPercent: number;
  /** udpFecCode: `rs` repairs any losses up to the parity count; `xor` is cheaper, one loss per interleaved group. */
  udpFecCode: string;
  /** udpPacePercent: the countdown wire (wire=countdown) spreads each frame over this share of the frame interval; 50 % keeps a frame within half an interval (camwire UDP paces by rate: udpPaceMbps). */
  udpPacePercent: number;
  /** udpPaceMbps: camwire UDP paces each frame at this rate (after a 64 KiB burst); a 720p JPEG leaves at once, a 4K frame over ~20 ms, never as one burst that floods a receive buffer. 0 = unpaced. */
  udpPaceMbps: number;
  /** udpDeadlineMs: 200 ms for a frame to complete (several NACK rounds on a LAN) before it is given up. */
  udpDeadlineMs: number;
  /** udpRecvBufferBytes: 4 MiB of socket buffer absorbs ~2800 datagrams while the event loop is busy. */
  udpRecvBufferBytes: number;
  /** udpRefreshMs: a hub subscriber or publisher says HELLO every second; after 5 missed ones it is forgotten. */
  udpRefreshMs: number;
  /** udpTtl: multicast hops; 1 keeps a camera on its own subnet unless asked otherwise. */
  udpTtl: number;
  /** motion: streams to detect motion on, comma-separated ('' = none); detection costs CPU per stream. */
  motion: string;
  /** motionFps: 5 analysed pictures a second see a walking person in ≥ 2 pictures at ~4 % of a core per 720p MJPEG stream. */
  motionFps: number;
  /** motionSensitivity: 1 (large, strong changes only) … 100 (small, faint ones); 50 ignores sensor noise and leaves. */
  motionSensitivity: number;
  /** motionWarmupMs: 2 s of learning the scene after a stream (re)starts before anything is reported. */
  motionWarmupMs: number;
  /** motionEndMs: an event ends after 3 s without motion, so a person pausing is one event, not three. */
  motionEndMs: number;
  /** motionPreRollMs: an event's clip starts 5 s before the motion, showing what led to it. */
  motionPreRollMs: number;
  /** motionPostRollMs: and ends 10 s after it, showing where it went. */
  motionPostRollMs: number;
  /** motionZones: per stream, polygons to watch or ignore (docs/events.md); {} = whole pictures. */
  motionZones: MotionZones;
  /** recordDir: record streams into this directory ('' = no recording); see docs/recording.md. */
  recordDir: string;
  /** recordKeep: delete recordings older than this ("7d", "12h"; "door=30d" per stream); '' = no age limit. */
  recordKeep: string;
  /** recordMaxDisk: keep recordings under this size ("20GB"; "door=5GB" per stream); '' = no size limit. */
  recordMaxDisk: string;
  /** recordKeepEvents: keep motion events' clips (and the events) this long, past recordKeep ("30d"; "door=90d" per stream); '' = like the footage. */
  recordKeepEvents: string;
  /** recordSegmentSeconds: a new file at the first keyframe after 60 s: fine-grained deletion, few files for a year. */
  recordSegmentSeconds: number;
  /** recordStreams: comma-separated streams to record; '' records every stream that has a publisher. */
  recordStreams: string;
  /** onMotion: URL that gets a JSON POST when an event starts and ends ('' = none). */
  onMotion: string;
  /** onMotionTimeoutMs: 5 s for the webhook receiver to answer before the try counts as failed and is retried. */
  onMotionTimeoutMs: number;
  /** mqtt: broker URL (mqtt://HOST:PORT) to publish events and motion states to ('' = none). */
  mqtt: string;
  /** mqttTopic: prefix of camwire's own topics, e.g. camwire/door/motion. */
  mqttTopic: string;
  /** mqttDiscoveryPrefix: Home Assistant's discovery prefix (its default); '' = publish no discovery config. */
  mqttDiscoveryPrefix: string;
  /** udpMaxFecPercent: the most parity a UDP receiver accepts (percent of data fragments); 50 % repairs far beyond a LAN's loss, while more lets a sender make receivers spend CPU on repairs. */
  udpMaxFecPercent: number;
  /** push: hub streams to push to RTMP/RTSP/SRT servers, `NAME=URL` entries separated by spaces ('' = none; `--push`, repeatable); docs/scale.md. */
  push: string;
}

/** DEFAULTS holds the default of every Config key (reasons on the Config fields). */
export const DEFAULTS: Readonly<Config> = Object.freeze({
  tcpPort: 8089,
  httpPort: 8080,
  udpPort: 10000,
  host: '0.0.0.0',
  maxFrameBytes: 16 * 1024 * 1024,
  maxConnections: 1024,
  reservedConnections: 64,
  maxConnectionsPerAddress: 64,
  handshakesPerSecond: 10,
  handshakeBurst: 40,
  preAuthBudgetBytes: 64 * 1024 * 1024,
  preAuthPeerBytes: 64 * 1024,
  preAuthTimeoutMs: 3000,
  keepaliveMs: 2000,
  timeoutMs: 10000,
  handshakeTimeoutMs: 5000,
  writeStallMs: 15000,
  reconnectInitialMs: 250,
  reconnectMaxMs: 5000,
  tlsCert: '',
  tlsKey: '',
  allowedHosts: '',
  token: '',
  tokenFile: '',
  authFile: '',
  authHttpUrl: '',
  allowPublish: '',
  allowInsecureAuth: '',
  udpMtu: 1500,
  udpFecPercent: 10,
  udpFecCode: 'rs',
  udpPacePercent: 50,
  udpPaceMbps: 200,
  udpDeadlineMs: 200,
  udpRecvBufferBytes: 4 * 1024 * 1024,
  udpRefreshMs: 1000,
  udpTtl: 1,
  motion: '',
  motionFps: 5,
  motionSensitivity: 50,
  motionWarmupMs: 2000,
  motionEndMs: 3000,
  motionPreRollMs: 5000,
  motionPostRollMs: 10000,
  motionZones: {},
  recordDir: '',
  recordKeep: '',
  recordMaxDisk: '',
  recordKeepEvents: '',
  recordSegmentSeconds: 60,
  recordStreams: '',
  onMotion: '',
  onMotionTimeoutMs: 5000,
  mqtt: '',
  mqttTopic: 'camwire',
  mqttDiscoveryPrefix: 'homeassistant',
  udpMaxFecPercent: 50,
  push: '',
});
