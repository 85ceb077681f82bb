/**
 * origin: which web pages may open the viewer WebSocket.
 *
 * Browsers let any page open a WebSocket to any host and send its Origin along; without a check,
 * a page from anywhere, open in the browser of someone on the LAN, could read every camera
 * through them (cross-site WebSocket hijacking). The viewer page is served by the hub itself, so
 * a browser upgrade is allowed only when its Origin is the host it connected to. Programs that
 * send no Origin (scripts, the ws package) are not browsers being misled and are let through.
 */

/** isSameOrigin tells whether `origin` (the Origin header) names the `host` the request was sent to. */
export function isSameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (origin === undefined) return true;
  if (host === undefined) return false;
  try {
    const u = new URL(origin);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === host.toLowerCase();
  } catch {
    return false; // "null" (sandboxed frames, file:) and garbage are never this hub's page
  }
}
