// The registration check (FAQ 1 and 2) on /register: is this login name
// registered; is this organization name / USCC registered; and what to do
// next (the API's guidance).
import { t, pick, both } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';

let lastName = null; // the login-name answer
let lastOrg = null; // the organization answer

function actionItems(actions) {
  return (actions || []).map((action) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = action.href;
    a.textContent = pick(action, 'label');
    li.append(a);
    return li;
  });
}

function renderName() {
  if (!lastName) return;
  const section = document.getElementById('result');
  // A free name starting with WP is reserved for migrated accounts: not for a new account either.
  const usable = !lastName.registered && !lastName.reserved;
  section.classList.toggle('taken', !usable);
  section.classList.toggle('free', usable);
  const title = lastName.registered ? 'check.registered' : lastName.reserved ? 'check.reserved' : 'check.available';
  document.getElementById('result-title').textContent = t(title);
  document.getElementById('result-message').textContent = pick(lastName.guidance);
  document.getElementById('result-actions').replaceChildren(...actionItems(lastName.guidance?.actions));
  section.hidden = false;
}

function renderOrg() {
  if (!lastOrg) return;
  const section = document.getElementById('org-result');
  const lines = [];
  let taken = false;
  const parts = [['org_name', 'org.org_name_registered', 'org.org_name_free'], ['uscc', 'org.uscc_registered', 'org.uscc_free']];
  for (const [part, registered, free] of parts) {
    const answer = lastOrg[part];
    if (!answer) continue;
    taken ||= answer.registered;
    const li = document.createElement('li');
    li.className = answer.registered ? 'taken' : 'free';
    li.textContent = t(answer.registered ? registered : free, { v: answer.value });
    lines.push(li);
  }
  section.classList.toggle('taken', taken);
  section.classList.toggle('free', !taken);
  document.getElementById('org-result-lines').replaceChildren(...lines);
  document.getElementById('org-result-message').textContent = pick(lastOrg.guidance);
  document.getElementById('org-result-actions').replaceChildren(...actionItems(lastOrg.guidance?.actions));
  section.hidden = false;
}

/** Carries a free login name on to the registration forms. */
function carryLoginName(name) {
  for (const id of ['register-legal-entity', 'register-natural-person']) {
    const a = document.getElementById(id);
    const url = new URL(a.getAttribute('href'), location.origin);
    if (name) url.searchParams.set('login_name', name); else url.searchParams.delete('login_name');
    a.setAttribute('href', url.pathname + url.search);
  }
}

async function onCheckName(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors();
  document.getElementById('result').hidden = true;
  const name = form.login_name.value.trim();
  if (!name) {
    showErrors(form, [{ field: 'login_name', ...both('reg.missing', { f: both('field.login_name') }) }]);
    return;
  }
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      const res = await api(`/api/registration/login-names/${encodeURIComponent(name)}`);
      if (res.ok) {
        lastName = res.body;
        renderName();
        carryLoginName(res.body.registered || res.body.reserved ? null : res.body.login_name);
      } else {
        showErrors(form, errorsOf(res));
      }
    } catch {
      showErrors(form, [both('error.network')]);
    }
  });
}

async function onCheckOrg(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors();
  document.getElementById('org-result').hidden = true;
  const orgName = form.org_name.value.trim();
  const uscc = form.uscc.value.trim();
  if (!orgName && !uscc) {
    showErrors(form, [{ field: 'org_name', ...both('org.need_one') }]);
    return;
  }
  const query = new URLSearchParams();
  if (orgName) query.set('org_name', orgName);
  if (uscc) query.set('uscc', uscc);
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      const res = await api(`/api/registration/organizations?${query}`);
      if (res.ok) {
        lastOrg = res.body;
        renderOrg();
      } else {
        showErrors(form, errorsOf(res));
      }
    } catch {
      showErrors(form, [both('error.network')]);
    }
  });
}

initHeader();
document.getElementById('check-form').addEventListener('submit', onCheckName);
document.getElementById('organization').addEventListener('submit', onCheckOrg);
document.addEventListener('langchange', () => { renderName(); renderOrg(); });
