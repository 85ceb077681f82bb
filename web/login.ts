/**
 * login: the page's side of the hub's credentials (docs/http.md, "The viewer page's login").
 * `GET /api/session` says whether this page may open the viewer; when it may not, the page
 * shows a form (user + password, or a token alone) that POSTs to `/api/session`, and the hub
 * answers with an HttpOnly session cookie the page never sees. A page opened with `?token=`
 * (what `camwire view` prints) logs in with it and drops it from the address bar and history.
 */
import { h } from './dom.js';

/** SessionInfo is the hub's answer to GET /api/session. */
export interface SessionInfo {
  /** auth: the hub checks credentials at all. */
  auth: boolean;
  /** user: who this page is logged in as (null: anonymous; '': the hub's token). */
  user: string | null;
  /** view: this page may open the viewer socket. */
  view: boolean;
}

/** sessionInfo asks the hub who this page is. */
export async function sessionInfo(): Promise<SessionInfo> {
  const r = await fetch('api/session', { cache: 'no-store' });
  if (!r.ok) throw new Error(await errorText(r));
  return (await r.json()) as SessionInfo;
}

/** logIn posts a credential; resolves with the new session, rejects with the hub's one-line reason. */
export async function logIn(body: { user: string; secret: string } | { token: string }): Promise<SessionInfo> {
  const r = await fetch('api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!r.ok) throw new Error(await errorText(r));
  return (await r.json()) as SessionInfo;
}

/** logOut ends the session; resolves with what the page may do anonymously. */
export async function logOut(): Promise<SessionInfo> {
  const r = await fetch('api/session', { method: 'DELETE' });
  if (!r.ok) throw new Error(await errorText(r));
  return (await r.json()) as SessionInfo;
}

/** takeUrlToken removes `?token=` from the address (and this history entry) and returns it. */
export function takeUrlToken(): string | null {
  const u = new URL(location.href);
  const token = u.searchParams.get('token');
  if (token === null) return null;
  u.searchParams.delete('token');
  history.replaceState(history.state, '', u.pathname + u.search + u.hash);
  return token;
}

/**
 * LoginForm is the dialog shown when the hub wants credentials. `submit` resolves when the hub
 * accepted them (the form hides) and rejects with the reason it shows.
 */
export class LoginForm {
  readonly el: HTMLFormElement;
  private readonly user = h('input', { name: 'user', autocomplete: 'username', placeholder: 'leave empty for a token', spellcheck: 'false' });
  private readonly secret = h('input', { name: 'secret', type: 'password', autocomplete: 'current-password', required: '' });
  private readonly error = h('p', { class: 'login-error', role: 'alert' });
  private readonly button = h('button', { type: 'submit' }, 'Log in');

  constructor(onSubmit: (body: { user: string; secret: string } | { token: string }) => Promise<void>) {
    this.el = h(
      'form',
      { class: 'login', 'aria-label': 'Log in to this hub' },
      h('h2', {}, 'This hub needs you to log in'),
      h('label', {}, 'User', this.user),
      h('label', {}, 'Password or token', this.secret),
      this.error,
      this.button,
    );
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      const user = this.user.value.trim();
      const secret = this.secret.value;
      this.button.disabled = true;
      this.error.textContent = '';
      onSubmit(user ? { user, secret } : { token: secret })
        .then(() => {
          this.secret.value = '';
          this.hide();
        })
        .catch((err: Error) => (this.error.textContent = err.message))
        .finally(() => (this.button.disabled = false));
    });
  }

  /** show puts the form up (with `reason`, e.g. a refused ?token=) and focuses it. */
  show(reason = ''): void {
    this.error.textContent = reason;
    document.body.classList.add('needs-login');
    (this.user.value ? this.secret : this.user).focus();
  }

  /** hide takes it down. */
  hide(): void {
    document.body.classList.remove('needs-login');
  }
}

async function errorText(r: Response): Promise<string> {
  try {
    const body = (await r.json()) as { error?: { message?: string } };
    return body.error?.message ?? `the hub answered ${r.status}`;
  } catch {
    return `the hub answered ${r.status}`;
  }
}
