/**
 * mse-clip: plays one clip answer of the hub (/api/recordings/clip.mp4, fragmented MP4) in a
 * <video> through Media Source Extensions, and seeks it to a moment.
 *
 * Why MSE and not `video.src = url`: the clip is streamed as it is remuxed (no length, no byte
 * ranges), and a <video> cannot seek in such a response — it would start at the clip's first
 * keyframe, up to a GOP before the moment asked for. Through MSE the page decides: it appends
 * the fragments as they arrive, and seeks once the moment is buffered. Fragments are read only
 * AHEAD_S seconds ahead of the picture shown, so a long clip never piles up in memory.
 */

/** AHEAD_S: buffer at most 30 s of footage ahead of the picture shown (more at higher speeds). */
const AHEAD_S = 30;

/** ClipOpen says how opening a clip went. */
export type ClipOpen = { clipStartMs: number } | { error: 'none' | 'unsupported' };

/** avcCodec reads the RFC 6381 codec string (avc1.PPCCLL) from an init segment's avcC box; null if it has none yet. */
export function avcCodec(b: Uint8Array): string | null {
  for (let i = 4; i + 8 <= b.length; i++) {
    if (b[i] === 0x61 && b[i + 1] === 0x76 && b[i + 2] === 0x63 && b[i + 3] === 0x43) {
      const hex = (x: number) => x.toString(16).padStart(2, '0');
      return `avc1.${hex(b[i + 5])}${hex(b[i + 6])}${hex(b[i + 7])}`;
    }
  }
  return null;
}

/** hasBox says whether a four-character box type occurs in `b` (a cheap look at the init segment). */
function hasBox(b: Uint8Array, type: string): boolean {
  const t = [...type].map((c) => c.charCodeAt(0));
  for (let i = 4; i + 4 <= b.length; i++) if (b[i] === t[0] && b[i + 1] === t[1] && b[i + 2] === t[2] && b[i + 3] === t[3]) return true;
  return false;
}

/**
 * openClip fetches `url` into `video` and resolves once the picture at wall-clock `atMs` is
 * buffered and sought to (or the clip ended first). Feeding goes on in the background while
 * `alive()` holds.
 */
export async function openClip(video: HTMLVideoElement, url: string, atMs: number, alive: () => boolean): Promise<ClipOpen> {
  const res = await fetch(url).catch(() => undefined);
  if (!res?.ok || !res.body) return { error: 'none' };
  const clipStartMs = Number(res.headers.get('Camwire-Clip-Start'));
  const reader = res.body.getReader();
  let head: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  let codec: string | null = null;
  // The init segment (ftyp + moov) comes first; its avcC names the codec MSE needs up front.
  while (codec === null) {
    const { value, done } = await reader.read();
    if (done || !alive()) return void reader.cancel().catch(() => {}), { error: 'none' };
    const joined = new Uint8Array(head.length + value.length);
    joined.set(head);
    joined.set(value, head.length);
    head = joined;
    codec = avcCodec(head);
    if (codec === null && (hasBox(head, 'moof') || head.length > 1 << 20)) return void reader.cancel().catch(() => {}), { error: 'unsupported' }; // JPEG samples
  }
  const type = `video/mp4; codecs="${codec}"`;
  if (!MediaSource.isTypeSupported(type)) return void reader.cancel().catch(() => {}), { error: 'unsupported' };
  const source = new MediaSource();
  const objectUrl = URL.createObjectURL(source);
  video.src = objectUrl;
  await new Promise((r) => source.addEventListener('sourceopen', r, { once: true }));
  URL.revokeObjectURL(objectUrl);
  const sb = source.addSourceBuffer(type);
  const append = (b: Uint8Array<ArrayBuffer>) =>
    new Promise<void>((resolve, reject) => {
      sb.addEventListener('updateend', () => resolve(), { once: true });
      sb.addEventListener('error', () => reject(new Error('the browser refused a fragment')), { once: true });
      sb.appendBuffer(b);
    });
  const target = Math.max(0, (atMs - clipStartMs) / 1000);
  const bufferedEnd = () => (video.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0);
  return new Promise<ClipOpen>((resolve) => {
    let sought = false;
    const seekWhenReady = (ended: boolean) => {
      if (sought || (!ended && bufferedEnd() <= target)) return;
      sought = true;
      video.currentTime = Math.min(target, bufferedEnd());
      resolve({ clipStartMs });
    };
    void (async () => {
      try {
        await append(head);
        // An init segment without a duration leaves it infinite; seeking stays within what is buffered.
        for (;;) {
          if (!alive()) return void reader.cancel().catch(() => {});
          while (sought && bufferedEnd() - video.currentTime > AHEAD_S * Math.max(1, video.playbackRate) && alive()) await new Promise((r) => setTimeout(r, 250));
          const { value, done } = await reader.read();
          if (done) break;
          await append(value);
          seekWhenReady(false);
        }
        if (source.readyState === 'open') source.endOfStream();
      } catch {
        // a cancelled read or a refused fragment: the clip ends here
      }
      seekWhenReady(true);
    })();
  });
}
