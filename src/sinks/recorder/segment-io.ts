/**
 * segment-io: how the recorder writes segment bytes — an open file handle, appended to and
 * fdatasync'd after each fragment so a power cut loses at most the fragment being written.
 * An interface so a test can inject a write error (a full disk is hard to make on demand).
 */
import { open } from 'node:fs/promises';

/** SegmentFile is one segment being written. */
export interface SegmentFile {
  /** append writes `b` at the end and waits until it is on disk. */
  append(b: Buffer): Promise<void>;
  close(): Promise<void>;
}

/** SegmentIo opens segment files. */
export interface SegmentIo {
  create(path: string): Promise<SegmentFile>;
}

/** FS_SEGMENT_IO writes to the file system. */
export const FS_SEGMENT_IO: SegmentIo = {
  async create(path) {
    const fh = await open(path, 'wx');
    return {
      async append(b) {
        let off = 0;
        while (off < b.length) off += (await fh.write(b, off, b.length - off)).bytesWritten;
        await fh.datasync();
      },
      close: () => fh.close(),
    };
  },
};
