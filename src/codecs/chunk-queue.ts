/**
 * chunk-queue: input chunks held until a parser has enough bytes, read back without copying
 * when a request falls inside one chunk (the `consume(n)` of ws's receiver).
 */

/** ChunkQueue is a FIFO of byte chunks with `take(n)`; the caller bounds what it pushes. */
export class ChunkQueue {
  private chunks: Buffer[] = [];
  private size = 0;

  /** length is the number of bytes held. */
  get length(): number {
    return this.size;
  }

  /** push appends a chunk (empty chunks are ignored). */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  /** take removes and returns the first `n` bytes; the caller checks `length >= n` first. */
  take(n: number): Buffer {
    if (n > this.size) throw new RangeError(`take(${n}) with only ${this.size} bytes held`);
    this.size -= n;
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let off = 0;
    while (off < n) {
      const c = this.chunks[0];
      const take = Math.min(c.length, n - off);
      c.copy(out, off, 0, take);
      off += take;
      if (take === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(take);
    }
    return out;
  }

  /** clear drops everything held. */
  clear(): void {
    this.chunks = [];
    this.size = 0;
  }
}
