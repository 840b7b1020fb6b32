// main's public HTTP API, as the browser uses it. The access token lives in memory only; the refresh token in
// sessionStorage (this tab, gone when it closes) so a reload does not sign a counsellor out mid-chat.
const refreshKey = 'daprchat.refresh';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `The request failed (${status})`);
    this.status = status;
    this.code = problem?.code ?? 'unknown';
  }
}

let access = null; // { token, expiresAt, role, accountId }
let refreshing = null;

export const auth = {
  get signedIn() { return access !== null; },
  get role() { return access?.role ?? null; },
  get accountId() { return access?.accountId ?? null; },
};

function remember(tokens) {
  access = { token: tokens.accessToken, expiresAt: Date.parse(tokens.expiresAt), role: tokens.role, accountId: tokens.accountId };
  sessionStorage.setItem(refreshKey, tokens.refreshToken);
}

export function forget() {
  access = null;
  sessionStorage.removeItem(refreshKey);
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch {
    throw new ApiError(0, { title: 'DaprChat cannot be reached. Check your connection and try again.', code: 'offline' });
  }
  if (response.status === 204) return null;
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

/** Trades the stored refresh token for a new pair; one refresh at a time, however many calls want it. */
export function resume() {
  const refreshToken = sessionStorage.getItem(refreshKey);
  if (!refreshToken) return Promise.resolve(false);
  refreshing ??= send('POST', '/api/auth/refresh', { refreshToken })
    .then(tokens => { remember(tokens); return true; })
    .catch(error => { if (error.status !== 0) forget(); return false; })
    .finally(() => { refreshing = null; });
  return refreshing;
}

/** An authenticated call; refreshes a token that is about to expire, and once more after a 401. */
export async function call(method, path, body) {
  if (!access || access.expiresAt - Date.now() < 30_000) await resume();
  if (!access) {
    // The sign-in is gone (expired or revoked elsewhere): the page returns to the sign-in form.
    window.dispatchEvent(new Event('daprchat:signed-out'));
    throw new ApiError(401, { title: 'Please sign in again.', code: 'signed_out' });
  }
  try {
    return await send(method, path, body, access.token);
  } catch (error) {
    if (error.status !== 401 || !(await resume())) throw error;
    return send(method, path, body, access.token);
  }
}

/** A valid access token for another DaprChat service (notify's live stream), refreshed when about to expire; null when signed out. */
export async function bearer() {
  if (!access || access.expiresAt - Date.now() < 30_000) await resume();
  return access?.token ?? null;
}

let config = null;

/** The deployment's settings for the page (help line, request timeout); asked once, kept in memory. */
export function clientConfig() {
  config ??= send('GET', '/api/client-config').catch(() => { config = null; return null; });
  return config;
}

export async function signIn(email, password) {
  remember(await send('POST', '/api/auth/login', { email, password }));
}

export const register = (email, password, displayName) => send('POST', '/api/auth/register', { email, password, displayName });

export const acceptInvite = (code, password) => send('POST', '/api/auth/accept-invite', { code, password });

export async function signOut() {
  const refreshToken = sessionStorage.getItem(refreshKey);
  forget();
  if (refreshToken) await send('POST', '/api/auth/logout', { refreshToken }).catch(() => {});
}
