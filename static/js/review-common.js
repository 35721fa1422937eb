// The back office's API and start: every /api/review answer of 401 (not
// logged in, or the session expired) sends the browser to
// /review/login?next=<this page>. Reviewer sessions have their own cookie
// and CSRF token (api() keeps the token of the last answer that carried
// one: the login or GET /api/review/session).
import { t, both, formatTime, langTag } from './i18n.js';
import { api } from './api.js';
import { showErrors } from './form.js';
import { initLanguage, showReviewer } from './header.js';

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

/** The weekday of `ms` in China time ("周一", "Monday"). */
function weekday(ms) {
  return new Intl.DateTimeFormat(langTag(), { timeZone: 'Asia/Shanghai', weekday: langTag() === 'en' ? 'long' : 'short' }).format(new Date(Number(ms)));
}

/** An open item's due day by its SLA state (the server's clock): "due today", "due Monday". */
export function dueDay(item) {
  if (item.sla === 'due_today') return t('review.sla.due_today');
  return t('review.due.on', { day: weekday(item.due_at) });
}

/** An item's due time, marked 已超时 when overdue. */
export function dueTime(item) {
  const due = document.createElement('span');
  due.textContent = item.state === 'open' && item.sla && item.sla !== 'overdue' ? `${dueDay(item)} · ${formatTime(item.due_at)}` : formatTime(item.due_at);
  if (item.overdue) {
    const mark = document.createElement('strong');
    mark.className = 'overdue-mark';
    mark.textContent = t('review.overdue');
    due.append(' ', mark);
  }
  return due;
}

/**
 * Starts a back-office page that needs a reviewer: the language switch,
 * the session (or off to the login page), the header. Resolves to the
 * reviewer ({id, login_name, ...}).
 */
export async function initReview() {
  initLanguage();
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
  showReviewer(res.body.reviewer);
  return res.body.reviewer;
}
