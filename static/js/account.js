// 我的账号 (/account): who is logged in, from GET /api/session; not logged
// in (`{"account": null}`) -> /login?next=/account. 退出登录 posts the logout with the CSRF token.
import { t, both } from './i18n.js';
import { api, errorsOf } from './api.js';
import { showErrors, clearErrors, busy } from './form.js';
import { initHeader } from './header.js';

let account = null;

function render() {
  if (!account) return;
  const kind = account.kind;
  document.getElementById('account-login_name').textContent = account.login_name;
  document.getElementById('account-kind').textContent = t(`account.kind.${kind}`);
  const nameLabel = document.getElementById('account-name-label');
  const org = kind === 'legal_entity';
  nameLabel.dataset.i18n = org ? 'account.org_name' : 'account.real_name';
  nameLabel.textContent = t(nameLabel.dataset.i18n);
  document.getElementById('account-name').textContent = (org ? account.org_name : account.real_name) ?? '—';
  document.getElementById('account-mobile').textContent = account.mobile_masked ?? '—';
}

async function logout(event) {
  const button = event.currentTarget;
  clearErrors();
  await busy(button, async () => {
    try {
      const res = await api('/api/auth/logout', { method: 'POST' });
      if (res.ok || res.status === 401) {
        location.assign('/');
        return;
      }
      showErrors(null, res.body?.error ? errorsOf(res) : [both('account.logout_failed')]);
    } catch {
      showErrors(null, [both('error.network')]);
    }
  });
}

async function main() {
  const { session, status } = await initHeader();
  if (!session) {
    if (status === 200) {
      location.replace('/login?next=/account');
    } else {
      document.getElementById('account-loading').hidden = true;
      showErrors(null, [status ? both('error.status', { n: status }) : both('error.network')]);
    }
    return;
  }
  account = session.account;
  render();
  document.getElementById('account-loading').hidden = true;
  document.getElementById('account').hidden = false;
  document.getElementById('account-services').hidden = false;
  const button = document.getElementById('logout');
  button.hidden = false;
  button.addEventListener('click', logout);
}

document.addEventListener('langchange', render);
main();
