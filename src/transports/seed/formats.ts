/**
 * formats: the `wire=` names camwire speaks besides its own protocol, and for each TCP one its
 * length prefix and body parser; SeedDecoder joins the two into an incremental decoder.
 *
 * | wire=       | transport | message                                      |
 * |-------------|-----------|----------------------------------------------|
 * | len-jpeg    | tcp       | [u32 BE n][JPEG]                             |
 * | pickle-jpeg | tcp       | [u32 BE n][pickle 0 of a 1-D uint8 array]    |
 * | pickle-bgr  | tcp       | [u64 LE n][pickle 4/3 of an (H, W, 3) array] |
 * | countdown   | udp       | datagrams [u8 k][JPEG slice]                 |
 */
import { createError } from '../../util/errors.js';
import { COUNTDOWN } from './countdown.js';
import { LEN_JPEG, parseLenJpeg } from './len-jpeg.js';
import { LengthPrefixDecoder, type Prefix } from './length-prefix.js';
import { parsePickleBgr, PICKLE_BGR } from './pickle-bgr.js';
import { parsePickleJpeg, PICKLE_JPEG } from './pickle-jpeg.js';
import type { SeedPicture } from './picture.js';

/** TcpWire names the TCP seed formats. */
export type TcpWire = typeof LEN_JPEG | typeof PICKLE_JPEG | typeof PICKLE_BGR;
/** Wire names every seed format. */
export type Wire = TcpWire | typeof COUNTDOWN;

/** TCP_WIRES maps each TCP format to its prefix and body parser. */
export const TCP_WIRES: Record<TcpWire, { prefix: Prefix; parse: (body: Buffer) => SeedPicture }> = {
  [LEN_JPEG]: { prefix: 'u32be', parse: parseLenJpeg },
  [PICKLE_JPEG]: { prefix: 'u32be', parse: parsePickleJpeg },
  [PICKLE_BGR]: { prefix: 'u64le', parse: parsePickleBgr },
};

/** WIRES lists every wire= value with its scheme. */
export const WIRES: Record<Wire, 'tcp' | 'udp'> = { [LEN_JPEG]: 'tcp', [PICKLE_JPEG]: 'tcp', [PICKLE_BGR]: 'tcp', [COUNTDOWN]: 'udp' };

/** checkWire validates a wire= value for a URL scheme (CAMWIRE_ERR_BAD_URL naming the choices). */
export function checkWire(wire: string, scheme: string): Wire {
  const ok = Object.entries(WIRES).filter(([, s]) => s === scheme).map(([w]) => w);
  if (!ok.includes(wire)) {
    throw createError('CAMWIRE_ERR_BAD_URL', `wire=${wire} is not a ${scheme}:// format; use ${ok.map((w) => `wire=${w}`).join(', ')}`);
  }
  return wire as Wire;
}

/** SeedDecoder turns a TCP byte stream of one format into pictures; it throws a typed error on a violation. */
export class SeedDecoder {
  private readonly frames: LengthPrefixDecoder;
  private readonly parse: (body: Buffer) => SeedPicture;

  constructor(wire: TcpWire, maxFrameBytes: number) {
    this.frames = new LengthPrefixDecoder(TCP_WIRES[wire].prefix, maxFrameBytes, wire);
    this.parse = TCP_WIRES[wire].parse;
  }

  /** bufferedBytes is how much unparsed input is held (at most one allowed message plus one chunk). */
  get bufferedBytes(): number {
    return this.frames.bufferedBytes;
  }

  /**
   * push consumes `chunk` and returns what its completed messages hold: a picture, or the
   * CAMWIRE_ERR_BAD_FRAME error of a message that parsed but carries no usable picture (the
   * caller counts and drops it). Any other violation throws.
   */
  push(chunk: Buffer): (SeedPicture | Error)[] {
    return this.frames.push(chunk).map((body) => {
      try {
        return this.parse(body);
      } catch (e) {
        if ((e as { code?: string }).code === 'CAMWIRE_ERR_BAD_FRAME') return e as Error;
        throw e;
      }
    });
  }

  /** end checks that the input stopped between messages (CAMWIRE_ERR_TRUNCATED if not). */
  end(): void {
    this.frames.end();
  }
}
