// The business home (/entry/home?entry=...&organization=...): the owner's
// business records from GET /api/entry/{entry}/home (the legacy ones linked
// to it), the viewer's roles, who may act (for the owner and its grant
// administrators), the legacy-data requests and the form to file one
// (multipart, with optional documents). Not open or not permitted: the
// API's error with its next step.
import { t, both, pick, formatTime } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';
import { fieldOf, relabel } from './entry-fields.js';

const params = new URLSearchParams(location.search);
const entry = params.get('entry') === 'r_visa' ? 'r_visa' : 'work_permit';
const organization = params.get('organization');
let home = null;

// The request form's fields (their labels are texts of this page).
const REQUEST_FIELDS = ['old_login_name', 'old_org_name', 'old_uscc', 'old_document_number', 'record_numbers', 'note'];

function el(tag, text) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}

function render() {
  if (!home) return;
  document.getElementById('home-heading').textContent = `${pick(home, 'entry_label')} · ${t('entry.home.heading')}`;
  document.getElementById('home-owner').textContent = home.owner.name;
  const roles = document.getElementById('home-roles-list');
  roles.replaceChildren(...home.roles.flatMap((r) => [el('dt', pick(r, 'label')), el('dd', pick(r, 'allows'))]));
  document.getElementById('home-roles').hidden = home.roles.length === 0;

  const tbody = document.querySelector('#home-records-table tbody');
  tbody.replaceChildren(...home.records.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.record = r.record_number;
    tr.append(
      el('td', r.record_number),
      el('td', pick(r, 'kind_label')),
      el('td', `${r.foreigner.name} (${r.foreigner.document_masked})`),
      el('td', pick(r, 'status_label')),
      el('td', r.submitted_on),
      el('td', r.decided_on ?? '—'),
    );
    return tr;
  }));
  document.getElementById('home-records-table').hidden = home.records.length === 0;
  document.getElementById('home-records-none').hidden = home.records.length > 0;
  document.getElementById('home-records').hidden = false;

  const people = home.who_may_act;
  document.getElementById('home-people').hidden = !people;
  if (people) {
    document.getElementById('home-people-list').replaceChildren(...people.map((p) => {
      const li = el('li', `${p.name} (${p.login_name}): ${p.roles.map((r) => pick(r, 'label')).join(t('entry.list_separator'))}`);
      return li;
    }));
    document.getElementById('home-people-none').hidden = people.length > 0;
  }

  document.getElementById('home-request').hidden = !home.may_request_legacy_data;
  document.getElementById('home-requests').replaceChildren(...home.requests.map((r) => {
    const parts = [`${formatTime(r.created_at)} ${pick(r, 'state_label')}`];
    if (r.linked.length) parts.push(t('entry.request.linked', { numbers: r.linked.join(', ') }));
    if (r.reason) parts.push(t('entry.reason', { reason: r.reason }));
    return el('li', parts.join(' · '));
  }));
  relabel(document.getElementById('request-form'));
}

function buildRequestForm() {
  const fields = document.getElementById('request-fields');
  fields.replaceChildren(...REQUEST_FIELDS.map((name) => {
    const f = fieldOf({ name, required: false, label_zh: '', label_en: '', multiline: name === 'note' });
    f.dataset.labelKey = `entry.request.${name}`;
    return f;
  }));
}

function relabelRequest() {
  for (const div of document.querySelectorAll('#request-fields .field')) {
    div.querySelector('.field-label').textContent = t(div.dataset.labelKey);
  }
}

async function submitRequest(event) {
  event.preventDefault();
  const form = event.currentTarget;
  clearErrors();
  const data = new FormData(form);
  data.set('entry', entry);
  if (organization) data.set('organization', organization);
  await busy(document.getElementById('request-submit'), async () => {
    try {
      const res = await api('/api/entry/legacy-data-requests', { method: 'POST', body: data });
      if (!res.ok) {
        showErrors(form, errorsOf(res));
        return;
      }
      form.reset();
      // The list shows the new request before the confirmation does.
      await load();
      document.getElementById('request-filed').hidden = false;
    } catch {
      showErrors(form, [both('error.network')]);
    }
  });
}

async function load() {
  const res = await api(`/api/entry/${entry}/home${organization ? `?organization=${encodeURIComponent(organization)}` : ''}`);
  document.getElementById('home-loading').hidden = true;
  if (res.status === 401) {
    location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  if (!res.ok) {
    showErrors(null, errorsOf(res));
    const error = res.body?.error;
    const action = error?.details?.next_action ?? error?.details?.standing?.next_action;
    if (action) {
      const a = document.getElementById('home-next-link');
      a.href = action.href;
      a.textContent = pick(action, 'label');
      document.getElementById('home-next').hidden = false;
    }
    return;
  }
  home = res.body;
  render();
  relabelRequest();
}

async function start() {
  const { session, status } = await initHeader();
  if (!session) {
    if (status === 200) location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  document.getElementById('home-back').href = entry === 'r_visa' ? '/entry/r-visa' : '/entry/work-permit';
  buildRequestForm();
  await load();
}

document.getElementById('request-form').addEventListener('submit', submitRequest);
document.addEventListener('langchange', () => { render(); relabelRequest(); });
start();
