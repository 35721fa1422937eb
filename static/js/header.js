// The header every page gets from the layout (static/_layout.html, put
// round each page by the server): the language switch, and who is logged
// in. Public pages: 登录 / 注册, or, when GET /api/session names an account,
// its login name, 我的信息 and 我的账号. The back office: the reviewer's name and 退出.
import { lang, setLang, apply, both } from './i18n.js';
import { api } from './api.js';
import { showErrors } from './form.js';

let started = false;

/** The page in the chosen language, and the switch to the other one. */
export function initLanguage() {
  if (started) return;
  started = true;
  apply();
  document.getElementById('lang-switch')?.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
}

function item(...children) {
  const li = document.createElement('li');
  li.append(...children);
  return li;
}

/** 当前登录：<name> */
function whoItem(name, id) {
  const li = item();
  li.className = 'who';
  const label = document.createElement('span');
  label.dataset.i18n = 'nav.logged_in_as';
  const strong = document.createElement('strong');
  if (id) strong.id = id;
  strong.textContent = name;
  li.append(label, strong);
  return li;
}

function showNav(...items) {
  const nav = document.getElementById('account-nav');
  nav.replaceChildren(...items);
  apply(nav);
}

/**
 * Starts a public page's header. Resolves to { session, status }: the
 * session answer when an account is logged in (else null) and the HTTP
 * status (0 when the network failed).
 */
export async function initHeader() {
  initLanguage();
  let session = null;
  let status = 0;
  try {
    const res = await api('/api/session');
    status = res.status;
    if (res.ok && res.body?.account) session = res.body;
  } catch {
    session = null;
  }
  if (session) {
    const myInfo = document.createElement('a');
    myInfo.href = '/my-info';
    myInfo.dataset.i18n = 'nav.my_info';
    const account = document.createElement('a');
    account.href = '/account';
    account.dataset.i18n = 'nav.account';
    showNav(whoItem(session.account.login_name), item(myInfo), item(account));
  }
  return { session, status };
}

async function reviewerLogout(event) {
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

/** The back office's header once a reviewer is known: the name and 退出. */
export function showReviewer(reviewer) {
  initLanguage();
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'header-button';
  button.id = 'review-logout';
  button.dataset.i18n = 'review.logout';
  button.addEventListener('click', reviewerLogout);
  showNav(whoItem(reviewer.login_name, 'reviewer-name'), item(button));
}
