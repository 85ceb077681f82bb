/**
 * camwire: the public library API — the only import surface for embedders.
 */
export type { Frame, Codec } from './frame/frame.js';
export { isValidStreamName, STREAM_NAME_PATTERN, CODECS } from './frame/frame.js';
export { Hub, DEFAULT_STREAM } from './hub/hub.js';
export type { Publisher, StreamStats } from './hub/stream.js';
export { Reader, type ReaderStats, type ReaderOptions } from './hub/reader.js';
export { startHub, type HubServer, type HubServerOptions } from './api/hub-server.js';
export { publishTo, readFrom, type RemotePublisher, type RemoteReader, type RemoteOptions } from './api/remote.js';
export { TestSource, TESTSRC_DEFAULTS, type TestSourceOptions } from './sources/testsrc/testsrc.js';
export type { Source } from './sources/source.js';
export { DEFAULTS, type Config } from './config/defaults.js';
export { loadConfig } from './config/load.js';
export { CamwireError, ProtocolError, LimitError, NetworkError, ConfigError, MediaError, ERROR_CODES, type ErrorCode, isCamwireError } from './util/errors.js';
export { nowUs } from './util/clock.js';
export { setLogLevel, setLogSink } from './util/logger.js';
export { FfmpegSource, FFMPEG_SOURCE_DEFAULTS, type FfmpegSourceOptions } from './sources/ffmpeg/ffmpeg-source.js';
export { parseSourceSpec, type SourceSpec } from './sources/spec.js';
export { locateFfmpeg, type Ffmpeg } from './sources/ffmpeg/locate.js';
export { listCameras, type CameraInfo, type CameraMode } from './sources/ffmpeg/devices.js';
export { avcCodecString, codecStringOf, parseSps, type Sps } from './codecs/h264-sps.js';
export { H264Splitter } from './codecs/h264-splitter.js';
export { JpegSplitter } from './codecs/jpeg-splitter.js';
export type { Splitter, SplitUnit } from './codecs/splitter.js';
export { UdpServer, type UdpServerOptions } from './transports/udp/server.js';
export { Reassembler, type ReassemblerOptions, type ReassemblerStats } from './transports/udp/reassembler.js';
export { parseUdpUrl, type UdpUrl } from './config/udp-url.js';
export type { UdpChoices } from './transports/udp/options.js';
export { startLocalViewer, type LocalViewer, type LocalViewerOptions } from './api/local-viewer.js';
export { decodeFrameMessage, encodeFrameMessage, type WsFrame } from './transports/ws/frame-message.js';
export type { StreamInfo, ServerMessage, ClientMessage } from './transports/ws/control.js';
