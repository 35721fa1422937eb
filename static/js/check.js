// The registration check (FAQ 1): is this login name registered, and what
// to do next.
import { init, t, pick, api } from './i18n.js';
import { clearErrors, showErrors } from './form.js';

let last = null;

function renderResult() {
  if (!last) return;
  const section = document.getElementById('result');
  section.classList.toggle('taken', last.registered);
  document.getElementById('result-title').textContent = t(last.registered ? 'check.registered' : 'check.available');
  document.getElementById('result-message').textContent = pick(last.guidance);
  const list = document.getElementById('result-actions');
  list.replaceChildren(...last.guidance.actions.map((action) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = action.href;
    a.textContent = pick(action, 'label');
    li.append(a);
    return li;
  }));
  section.hidden = false;
}

async function onSubmit(event) {
  event.preventDefault();
  const form = event.target;
  clearErrors(form);
  document.getElementById('result').hidden = true;
  const name = form.login_name.value;
  if (!name.trim()) {
    showErrors(form, [{ field: 'login_name', message_zh: '请填写登录名。', message_en: 'Please enter a login name.' }]);
    return;
  }
  try {
    const res = await api(`/api/registration/login-names/${encodeURIComponent(name)}`);
    if (res.ok) {
      last = res.body;
      renderResult();
    } else {
      showErrors(form, [res.body?.error ?? { message_zh: `请求失败（${res.status}）`, message_en: `Request failed (${res.status})` }]);
    }
  } catch {
    showErrors(form, [{ message_zh: t('error.network'), message_en: t('error.network') }]);
  }
}

init();
document.getElementById('check-form').addEventListener('submit', onSubmit);
document.addEventListener('langchange', renderResult);
