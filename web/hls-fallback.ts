/**
 * hls-fallback: where this browser cannot decode H.264 frames itself (no WebCodecs: an http://
 * LAN address, older browsers), a tile plays the stream's LL-HLS playlist in a <video> instead
 * — with hls.js where Media Source Extensions exist, which the page loads from /hls-light.js
 * only then (bundled at build time, never fetched from elsewhere), else natively (iPhone Safari). HLS costs
 * latency (about a second against tens of milliseconds; docs/scale.md), so it is only the
 * fallback.
 */

/** HlsGlobal is the part of hls.js (loaded as a classic script) the page uses. */
interface HlsGlobal {
  isSupported(): boolean;
  new (config: Record<string, unknown>): { loadSource(url: string): void; attachMedia(v: HTMLVideoElement): void; destroy(): void };
}

let loading: Promise<HlsGlobal | undefined> | undefined;

/** loadHlsJs adds /hls-light.js to the page once and resolves with its `Hls`, if it runs here. */
function loadHlsJs(): Promise<HlsGlobal | undefined> {
  return (loading ??= new Promise((resolve) => {
    const s = document.createElement('script');
    s.src = 'hls-light.js';
    s.onload = () => resolve((window as unknown as { Hls?: HlsGlobal }).Hls);
    s.onerror = () => resolve(undefined);
    document.head.append(s);
  }));
}

/** HlsPlayback is a playing fallback; stop() ends it and removes the video. */
export interface HlsPlayback {
  readonly video: HTMLVideoElement;
  stop(): void;
}

/**
 * playHls plays stream `name` as LL-HLS in a <video> appended to `parent`; undefined when this
 * browser can play neither HLS nor MSE. The page's token (if any) goes along as a header.
 */
export async function playHls(parent: HTMLElement, name: string, token: string | null): Promise<HlsPlayback | undefined> {
  const url = `streams/${name.split('/').map(encodeURIComponent).join('/')}/index.m3u8`;
  const video = document.createElement('video');
  video.muted = true;
  video.autoplay = true;
  video.playsInline = true;
  video.className = 'hls';
  // hls.js first where Media Source Extensions exist (as hls.js advises: some browsers claim
  // native HLS but cannot play LL-HLS fMP4); native HLS where they do not (iPhone Safari).
  const Hls = await loadHlsJs();
  if (!Hls?.isSupported()) {
    if (!video.canPlayType('application/vnd.apple.mpegurl')) return undefined;
    video.src = token ? `${url}?token=${encodeURIComponent(token)}` : url;
    parent.append(video);
    return { video, stop: () => video.remove() };
  }
  const hls = new Hls({
    lowLatencyMode: true,
    enableWorker: false, // the page's CSP allows no blob: workers
    xhrSetup: (xhr: XMLHttpRequest) => {
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    },
  });
  hls.loadSource(url);
  hls.attachMedia(video);
  parent.append(video);
  void video.play().catch(() => {});
  return {
    video,
    stop: () => {
      hls.destroy();
      video.remove();
    },
  };
}
