// The header of every page: language switch, and 登录/注册 links or, when
// GET /api/session says someone is logged in, their login name and a link
// to 我的账号. Resolves to { session, status }: the session answer (or
// null) and the HTTP status (0 when the network failed).
import { init, apply, api } from './i18n.js';

function link(href, key) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = href;
  a.dataset.i18n = key;
  li.append(a);
  return li;
}

export async function initHeader() {
  init();
  let session = null;
  let status = 0;
  try {
    const res = await api('/api/session');
    status = res.status;
    if (res.ok && res.body?.account) session = res.body;
  } catch {
    session = null;
  }
  const nav = document.getElementById('account-nav');
  if (nav && session) {
    const who = document.createElement('li');
    who.className = 'who';
    const label = document.createElement('span');
    label.dataset.i18n = 'nav.logged_in_as';
    const name = document.createElement('strong');
    name.textContent = session.account.login_name;
    who.append(label, name);
    nav.replaceChildren(who, link('/account', 'nav.account'));
    apply();
  }
  return { session, status };
}
