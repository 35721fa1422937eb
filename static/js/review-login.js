// 审核员登录 (/review/login): the reviewer's own login (cookie
// __Host-review-session), then back to ?next= (a /review page) or /review.
import { both } from './i18n.js';
import { api, errorsOf, retryAfter } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initLanguage } from './header.js';

const form = document.getElementById('login-form');

function nextPage() {
  const next = new URLSearchParams(location.search).get('next') || '';
  // Only back-office pages of this site: no //host, no other paths.
  return /^\/review(\/[\w-]*)?(\?[^#]*)?$/.test(next) && !next.startsWith('/review/login') ? next : '/review';
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors();
  const errors = [];
  if (!form.login_name.value.trim()) errors.push({ field: 'login_name', ...both('reg.missing', { f: both('field.login_name') }) });
  if (!form.password.value) errors.push({ field: 'password', ...both('reg.missing', { f: both('field.password') }) });
  if (errors.length) {
    showErrors(form, errors);
    return;
  }
  await busy(document.getElementById('login-submit'), async () => {
    let res;
    try {
      res = await api('/api/review/login', { json: { login_name: form.login_name.value.trim(), password: form.password.value } });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (res.ok) {
      location.assign(nextPage());
      return;
    }
    // 401 review.invalid_credentials (one answer for a wrong name or
    // password: shown on the password, which is what to retype); 429.
    let list = errorsOf(res).map((e) => (e.field ? e : { ...e, field: 'password' }));
    if (res.status === 429) {
      const wait = retryAfter(res);
      const more = both('login.retry_in', { n: wait });
      if (wait) list = list.map((e) => ({ ...e, message_zh: `${e.message_zh} ${more.message_zh}`, message_en: `${e.message_en} ${more.message_en}` }));
    }
    form.password.value = '';
    showErrors(form, list);
  });
}

initLanguage();
form.addEventListener('submit', onSubmit);
// Already logged in: straight on.
api('/api/review/session').then((res) => { if (res.ok && res.body?.reviewer) location.replace(nextPage()); }).catch(() => {});
