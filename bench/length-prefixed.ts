/**
 * length-prefixed: the bare baseline's framing, `[u32 BE length][u64 BE capture µs][body]`
 * (seed 000's u32 prefix plus a timestamp so latency can be measured the same way).
 */

/** lengthPrefixed splits [u32 len][u64 µs][body] records out of a byte stream. */
export function lengthPrefixed(onRecord: (captureUs: number, body: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= 12) {
      const len = buf.readUInt32BE(0);
      if (buf.length < 12 + len) break;
      onRecord(Number(buf.readBigUInt64BE(4)), buf.subarray(12, 12 + len));
      buf = buf.subarray(12 + len);
    }
  };
}
