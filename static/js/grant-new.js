// 授权操作 (/grants/new?organization=ID, FAQ 4.1, 4.3): search natural
// persons by real name (only verified ones; never by login name: the page
// says both rules at the search box and again with an empty result), pick
// one, tick roles (only those the administrator holds can be ticked), give
// optional effective and expiry dates, grant. A legal entity not onboarded
// yet gets FAQ 4.4's next step. Not logged in: /login?next=/grants/new.
import { t, both, pick } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';
import { roleChoices, chosenRoles, relabel } from './grant-roles.js';

let admin = null; // this organization in GET /api/grants/organizations
let catalogue = []; // GET /api/grants/roles
let results = null; // the last search
let chosen = null; // the person picked

const $ = (id) => document.getElementById(id);

function personLine(p) {
  return `${p.real_name} (${pick(p, 'document_type_label')} ${p.document_masked ?? ''})`;
}

function renderResults() {
  if (!results) return;
  const persons = results.persons;
  $('search-empty').hidden = persons.length > 0;
  $('search-results').hidden = persons.length === 0;
  $('search-rows').replaceChildren(...persons.map((p) => {
    const tr = document.createElement('tr');
    for (const text of [p.real_name, `${pick(p, 'document_type_label')} ${p.document_masked ?? ''}`, pick(p, 'nationality_label') || '—']) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    const td = document.createElement('td');
    if (p.you) td.textContent = t('grant_new.you');
    else if (p.grant_id) {
      const a = document.createElement('a');
      a.href = `/grants?organization=${admin.organization_id}`;
      a.textContent = t('grant_new.already_granted');
      td.append(a);
    } else {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.dataset.person = p.id;
      b.textContent = t('grant_new.choose');
      b.addEventListener('click', () => choose(p));
      td.append(b);
    }
    tr.append(td);
    return tr;
  }));
}

function choose(p) {
  clearErrors();
  chosen = p;
  $('grant-done').hidden = true;
  $('grant-person').textContent = personLine(p);
  roleChoices($('grant-roles'), catalogue, { enabled: new Set(admin.roles.map((r) => r.code)) });
  $('grant-section').hidden = false;
  $('grant-section').scrollIntoView({ block: 'start' });
}

async function onSearch(event) {
  event.preventDefault();
  clearErrors();
  const form = event.currentTarget;
  const name = form.real_name.value.trim();
  if (!name) {
    showErrors(form, [{ ...both('grant_new.real_name_required'), field: 'real_name' }]);
    return;
  }
  await busy($('search-button'), async () => {
    let res;
    try {
      res = await api(`/api/grants/organizations/${admin.organization_id}/persons?real_name=${encodeURIComponent(name)}`);
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (!res.ok) {
      showErrors(form, errorsOf(res));
      return;
    }
    results = res.body;
    $('grant-section').hidden = true;
    chosen = null;
    renderResults();
  });
}

async function onGrant(event) {
  event.preventDefault();
  clearErrors();
  const form = event.currentTarget;
  const json = {
    person_id: chosen.id,
    roles: chosenRoles($('grant-roles')),
    effective_from: form.effective_from.value || null,
    expires_at: form.expires_at.value || null,
  };
  await busy($('grant-submit'), async () => {
    let res;
    try {
      res = await api(`/api/grants/organizations/${admin.organization_id}/grants`, { json });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (!res.ok) {
      showErrors(form, errorsOf(res));
      return;
    }
    $('grant-section').hidden = true;
    const p = $('grant-done');
    p.dataset.name = chosen.real_name;
    p.textContent = t('grant_new.done', { name: chosen.real_name });
    p.hidden = false;
    form.reset();
    chosen = null;
    results = null;
    $('search-results').hidden = true;
  });
}

async function main() {
  const { session, status } = await initHeader();
  const loading = $('grant-new-loading');
  if (!session) {
    if (status === 200) location.replace('/login?next=/grants/new');
    else {
      loading.hidden = true;
      showErrors(null, [status ? both('error.status', { n: status }) : both('error.network')]);
    }
    return;
  }
  const [res, roles] = await Promise.all([api('/api/grants/organizations'), api('/api/grants/roles')]).catch(() => [null, null]);
  loading.hidden = true;
  if (!res || !res.ok || !roles?.ok) {
    showErrors(null, res ? errorsOf(res.ok ? roles : res) : [both('error.network')]);
    return;
  }
  catalogue = roles.body.roles;
  const wanted = new URLSearchParams(location.search).get('organization');
  const list = res.body.organizations;
  admin = list.find((o) => String(o.organization_id) === wanted) ?? list[0];
  $('grant-new-back').href = `/grants?organization=${admin.organization_id}`;
  $('search-section').hidden = false;
}

$('search-form').addEventListener('submit', onSearch);
$('grant-form').addEventListener('submit', onGrant);
document.addEventListener('langchange', () => {
  renderResults();
  if (chosen) $('grant-person').textContent = personLine(chosen);
  relabel($('grant-roles'));
  const p = $('grant-done');
  if (!p.hidden) p.textContent = t('grant_new.done', { name: p.dataset.name });
});
main();
