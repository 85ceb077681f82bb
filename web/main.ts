/**
 * main: the camwire browser viewer. `/` shows every stream of the hub in a grid; `/?stream=NAME`
 * shows one (what `camwire view URL` opens). On a hub with auth the page asks who it is first
 * (login.ts): it opens the viewer socket when it may, and shows a login form when the hub wants
 * credentials. `?token=…` in the address logs the page in and is then dropped from it.
 */
import { HubSocket } from './hub-socket.js';
import { Grid } from './grid.js';
import { probe } from './probe.js';
import { Playback } from './playback.js';
import { h } from './dom.js';
import { LoginForm, logIn, logOut, sessionInfo, takeUrlToken, type SessionInfo } from './login.js';

const params = new URLSearchParams(location.search);
const status = document.getElementById('status')!;
const count = document.getElementById('count')!;
const account = document.getElementById('account')!;

const wsUrl = new URL('ws', location.href);
wsUrl.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
wsUrl.search = '';

let conn: HubSocket | undefined;
let wanted: string[] = [];

const grid = new Grid(document.getElementById('app')!, {
  only: params.get('stream') ?? undefined,
  subscribe: (names) => {
    wanted = names;
    conn?.subscribe(names);
  },
  ack: (stream) => conn?.ack(stream),
});

const form = new LoginForm(async (body) => {
  await logIn(body);
  await start();
});
document.getElementById('app')!.before(form.el);

/** start asks the hub who this page is, then opens (or reopens) the socket or shows the login form. */
async function start(reason = ''): Promise<void> {
  let s: SessionInfo;
  try {
    s = await sessionInfo();
  } catch (e) {
    status.textContent = `${(e as Error).message} — reload to retry`;
    return;
  }
  showAccount(s);
  if (!s.view) {
    conn?.stop();
    probe.connected = false;
    status.textContent = 'log in to watch';
    document.body.classList.add('offline');
    return form.show(reason);
  }
  form.hide();
  if (conn) return conn.restart();
  conn = new HubSocket(wsUrl.href, {
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
    refused: (stream, message) => grid.refused(stream, message),
    // Refused at the door, or the hub is gone: a session that ended shows the form again.
    unopened: () =>
      void sessionInfo().then(
        (now) => {
          if (!now.view) void start('Your session ended: log in again.');
        },
        () => {},
      ),
  });
  conn.subscribe(wanted);
}

/** showAccount puts "NAME · Log out" (or "Log in" on a hub that would show more) in the bar. */
function showAccount(s: SessionInfo): void {
  account.replaceChildren();
  if (s.user !== null) {
    const out = h('button', { type: 'button' }, 'Log out');
    out.addEventListener('click', () => void logOut().then(() => start(), (e: Error) => (status.textContent = e.message)));
    account.append(h('span', { class: 'muted' }, s.user === '' ? 'token' : s.user), out);
  } else if (s.auth && s.view) {
    const inn = h('button', { type: 'button' }, 'Log in');
    inn.addEventListener('click', () => form.show());
    account.append(inn);
  }
}

/** begin logs in with a ?token= from the address (then drops it), and starts. */
async function begin(): Promise<void> {
  const token = takeUrlToken();
  let reason = '';
  if (token !== null) {
    const s = await sessionInfo().catch(() => undefined);
    if (s?.auth) await logIn({ token }).catch((e: Error) => (reason = `The link's token was refused: ${e.message}`));
  }
  await start(reason);
}

void begin();

// Recordings: timelines, playback and events, shown only when the hub records and the session may
// play something back (web/playback.ts; it asks again every few seconds, so a login shows it).
(window as unknown as { camwirePlayback: Playback }).camwirePlayback = new Playback(document.body, { only: params.get('stream') ?? undefined });
