// An entry of the foreign-work system (/entry/work-permit, /entry/r-visa):
// renders the one answer of GET /api/entry/{entry} and nothing of its own
// rules: the message, what is missing (linked to my info), the due time,
// the reviewer's reason, the organizations to choose from, the next action,
// and the first-entry form (its fields, labels and prefill from the API).
// Open: the business home. Not logged in: /login?next=<this page>.
import { t, both, pick, formatTime } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';
import { fieldOf, relabel } from './entry-fields.js';

const main = document.getElementById('main');
const entry = main.dataset.entry;
let standing = null;

function link(href, text) {
  const a = document.createElement('a');
  a.href = href;
  a.textContent = text;
  return a;
}

function render() {
  if (!standing) return;
  const s = standing;
  document.getElementById('entry-state').hidden = false;
  document.getElementById('entry-message').textContent = pick(s);
  const due = document.getElementById('entry-due');
  due.hidden = !s.due_at;
  if (s.due_at) due.textContent = t('entry.due', { time: formatTime(s.due_at) });
  const reason = document.getElementById('entry-reason');
  reason.hidden = !s.reason;
  if (s.reason) reason.textContent = t('entry.reason', { reason: s.reason });
  const missing = document.getElementById('entry-missing');
  missing.replaceChildren(...s.missing.map((m) => {
    const li = document.createElement('li');
    li.append(link('/my-info', `${pick(m, 'label')}: ${pick(m)}`));
    return li;
  }));
  missing.hidden = s.missing.length === 0;
  const orgs = document.getElementById('entry-organizations');
  const choose = s.entry_state === 'choose_organization';
  orgs.replaceChildren(...(choose ? s.organizations : []).map((o) => {
    const li = document.createElement('li');
    const roles = o.roles.map((r) => pick(r, 'label')).join(t('entry.list_separator'));
    li.append(link(o.href, `${o.name} (${roles})`));
    return li;
  }));
  orgs.hidden = !choose;
  const next = document.getElementById('entry-next');
  next.hidden = !s.next_action;
  if (s.next_action) {
    const a = document.getElementById('entry-next-link');
    a.href = s.next_action.href;
    a.textContent = pick(s.next_action, 'label');
  }
  const onboarding = document.getElementById('onboarding');
  onboarding.hidden = !s.form;
  relabel(onboarding);
}

function showForm() {
  const fields = document.getElementById('onboarding-fields');
  fields.replaceChildren(...(standing.form?.fields || []).map(fieldOf));
}

async function submit(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors();
  const values = {};
  for (const control of form.querySelectorAll('input,select,textarea')) values[control.name] = control.value;
  await busy(document.getElementById('onboarding-submit'), async () => {
    try {
      const res = await api(`/api/entry/${entry}/onboarding`, { json: values });
      if (res.ok) {
        standing = res.body;
        render();
        document.getElementById('entry-state').scrollIntoView({ block: 'start' });
        return;
      }
      showErrors(form, errorsOf(res));
    } catch {
      showErrors(form, [both('error.network')]);
    }
  });
}

/** A refusal with its next step (a legal entity at the R-visa entry, another's organization). */
function refused(res) {
  showErrors(null, errorsOf(res));
  const action = res.body?.error?.details?.next_action;
  if (action) {
    standing = { message_zh: '', message_en: '', missing: [], organizations: [], next_action: action };
    render();
    document.getElementById('entry-message').textContent = '';
  }
}

async function start() {
  const { session, status } = await initHeader();
  const here = location.pathname + location.search;
  if (!session) {
    if (status === 200) location.replace(`/login?next=${encodeURIComponent(here)}`);
    return;
  }
  const organization = new URLSearchParams(location.search).get('organization');
  const res = await api(`/api/entry/${entry}${organization ? `?organization=${encodeURIComponent(organization)}` : ''}`);
  document.getElementById('entry-loading').hidden = true;
  if (res.status === 401) {
    location.replace(`/login?next=${encodeURIComponent(here)}`);
    return;
  }
  if (!res.ok) {
    refused(res);
    return;
  }
  standing = res.body;
  if (standing.entry_state === 'open' && standing.home) {
    location.replace(standing.home);
    return;
  }
  showForm();
  render();
  if (location.hash === '#onboarding' && standing.form) document.getElementById('onboarding').scrollIntoView({ block: 'start' });
}

document.getElementById('onboarding-form').addEventListener('submit', submit);
document.addEventListener('langchange', render);
start();
