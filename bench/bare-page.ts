/**
 * bare-page: the baseline viewer page — the least a browser can do with the same frames: one
 * WebSocket, newest-only decode with createImageBitmap, drawImage, record capture→drawn latency
 * into the same `window.camwire` shape the real viewer exposes. One canvas per stream, no UI.
 */

/** BARE_PAGE is a complete HTML page (served by viewer-worker in bare mode). */
export const BARE_PAGE = `<!doctype html><meta charset="utf-8"><title>bare</title>
<style>body{margin:0;background:#000;display:flex;flex-wrap:wrap}canvas{width:320px;height:240px}</style>
<script type="module">
const probe = { connected: false, streams: {}, reset() { for (const s of Object.values(this.streams)) { s.drawn = 0; s.latencies = []; } } };
window.camwire = probe;
const tiles = new Map();
function tile(name) {
  let t = tiles.get(name);
  if (!t) {
    const c = document.createElement('canvas');
    if (new URLSearchParams(location.search).has('single')) c.style.cssText = 'width:100vw;height:100vh;object-fit:contain';
    document.body.append(c);
    t = { c, ctx: c.getContext('2d', { alpha: false, desynchronized: true }), busy: false, next: null };
    tiles.set(name, t);
    probe.streams[name] = { drawn: 0, latencies: [] };
  }
  return t;
}
async function run(name, t) {
  t.busy = true;
  while (t.next) {
    const m = t.next; t.next = null;
    const bmp = await createImageBitmap(new Blob([m.payload], { type: 'image/jpeg' }));
    if (t.c.width !== bmp.width) { t.c.width = bmp.width; t.c.height = bmp.height; }
    t.ctx.drawImage(bmp, 0, 0);
    bmp.close();
    const p = probe.streams[name];
    p.drawn++;
    p.latencies.push(((performance.timeOrigin + performance.now()) * 1000 - m.captureUs) / 1000);
  }
  t.busy = false;
}
const ws = new WebSocket('ws://' + location.host + '/ws');
ws.binaryType = 'arraybuffer';
ws.onopen = () => (probe.connected = true);
ws.onmessage = (ev) => {
  const b = new Uint8Array(ev.data), dv = new DataView(ev.data), n = b[3];
  const name = String.fromCharCode(...b.subarray(20, 20 + n));
  const t = tile(name);
  t.next = { captureUs: dv.getUint32(8) * 4294967296 + dv.getUint32(12), payload: b.subarray(20 + n) };
  if (!t.busy) run(name, t);
};
</script>`;
