// Our API over fetch(): the page's language in Accept-Language (the server
// answers its messages in it), JSON in and out, and the session's CSRF
// token on every state-changing request.
import { langTag, both } from './i18n.js';

// The session's CSRF token: taken from any API answer that carries one
// (login, GET /api/session, the reviewer's session).
let csrfToken = null;

/**
 * fetch() for our API: sends the UI language, JSON-encodes `options.json`,
 * adds `x-csrf-token` to non-GET requests when a token is known, parses the
 * JSON answer (with `as: 'blob'`, a successful answer's body is a Blob).
 * Returns {status, ok, body, headers}; throws only on network failure.
 */
export async function api(path, options = {}) {
  const { json, as, ...rest } = options;
  const method = (rest.method || (json !== undefined ? 'POST' : 'GET')).toUpperCase();
  const headers = {
    'accept': 'application/json',
    'accept-language': langTag(),
    ...(json !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(method !== 'GET' && method !== 'HEAD' && csrfToken ? { 'x-csrf-token': csrfToken } : {}),
    ...(rest.headers || {}),
  };
  const init = { ...rest, method, headers, credentials: 'same-origin' };
  if (json !== undefined) init.body = JSON.stringify(json);
  const response = await fetch(path, init);
  if (as === 'blob' && response.ok) return { status: response.status, ok: true, body: await response.blob(), headers: response.headers };
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (body && typeof body.csrf_token === 'string') csrfToken = body.csrf_token;
  return { status: response.status, ok: response.ok, body, headers: response.headers };
}

/** The API error objects of a failed answer (one, or `details.errors` when the API lists several). */
export function errorsOf(res) {
  const error = res.body?.error;
  if (!error) return [both('error.status', { n: res.status })];
  const list = error.details?.errors;
  if (Array.isArray(list) && list.length) return list;
  return [error];
}

/** Seconds to wait after a 429: `details.retry_after_seconds`, else `Retry-After`. */
export function retryAfter(res) {
  const fromBody = Number(res.body?.error?.details?.retry_after_seconds);
  if (Number.isFinite(fromBody) && fromBody > 0) return Math.ceil(fromBody);
  const fromHeader = Number(res.headers?.get?.('retry-after'));
  return Number.isFinite(fromHeader) && fromHeader > 0 ? Math.ceil(fromHeader) : null;
}
