// The back office's header and API: the reviewer's name and 退出 in the
// header; every /api/review answer of 401 (not logged in, or the session
// expired) sends the browser to /review/login?next=<this page>. Reviewer
// sessions have their own cookie and CSRF token (api() keeps the token of
// the last answer that carried one: the login or GET /api/review/session).
import { init, apply, api, both } from './i18n.js';
import { showErrors } from './form.js';

export function loginUrl() {
  return `/review/login?next=${encodeURIComponent(location.pathname + location.search)}`;
}

/** api() for /api/review: a 401 leaves for the login page (and never resolves). */
export async function reviewApi(path, options) {
  const res = await api(path, options);
  if (res.status === 401) {
    location.assign(loginUrl());
    return new Promise(() => {});
  }
  return res;
}

async function logout(event) {
  const button = event.currentTarget;
  button.disabled = true;
  try {
    const res = await api('/api/review/logout', { method: 'POST' });
    if (res.ok || res.status === 401) {
      location.assign('/review/login');
      return;
    }
    showErrors(null, [both('error.status', { n: res.status })]);
  } catch {
    showErrors(null, [both('error.network')]);
  }
  button.disabled = false;
}

/** The reviewer's name and 退出 in the header. */
export function renderNav(reviewer) {
  const nav = document.getElementById('review-nav');
  const who = document.createElement('li');
  who.className = 'who';
  const label = document.createElement('span');
  label.dataset.i18n = 'nav.logged_in_as';
  const name = document.createElement('strong');
  name.id = 'reviewer-name';
  name.textContent = reviewer.login_name;
  who.append(label, name);
  const li = document.createElement('li');
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'header-button';
  button.id = 'review-logout';
  button.dataset.i18n = 'review.logout';
  button.addEventListener('click', logout);
  li.append(button);
  nav.replaceChildren(who, li);
  apply();
}

/**
 * Starts a back-office page that needs a reviewer: the language switch,
 * the session (or off to the login page), the header. Resolves to the
 * reviewer ({id, login_name, ...}).
 */
export async function initReview() {
  init();
  let res;
  try {
    res = await reviewApi('/api/review/session');
  } catch {
    showErrors(null, [both('error.network')]);
    throw new Error('network');
  }
  if (!res.ok || !res.body?.reviewer) {
    location.assign(loginUrl());
    return new Promise(() => {});
  }
  renderNav(res.body.reviewer);
  return res.body.reviewer;
}
