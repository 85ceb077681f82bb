/**
 * main: the camwire browser viewer. `/` shows every stream of the hub in a grid; `/?stream=NAME`
 * shows one (what `camwire view URL` opens). A hub started with a token needs `?token=…`, which
 * the page passes on to its WebSocket.
 */
import { HubSocket } from './hub-socket.js';
import { Grid } from './grid.js';
import { probe } from './probe.js';

const params = new URLSearchParams(location.search);
const token = params.get('token');
const status = document.getElementById('status')!;
const count = document.getElementById('count')!;

const wsUrl = new URL('ws', location.href);
wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
wsUrl.search = token ? `?token=${encodeURIComponent(token)}` : '';

// The socket's events all arrive after this script finished, so `grid` exists by then.
const conn = new HubSocket(wsUrl.href, {
  hello: (m) => grid.setEmptyText(m.tcpPort),
  streams: (list) => {
    count.textContent = `${list.length} stream${list.length === 1 ? '' : 's'}`;
    grid.streams(list);
  },
  frame: (f, bytes) => grid.frame(f, bytes),
  state: (connected, detail) => {
    probe.connected = connected;
    status.textContent = connected ? 'live' : detail;
    document.body.classList.toggle('offline', !connected);
  },
});

const grid = new Grid(document.getElementById('app')!, {
  only: params.get('stream') ?? undefined,
  subscribe: (names) => conn.subscribe(names),
  ack: (stream) => conn.ack(stream),
});
