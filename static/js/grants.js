// 授权用户管理 (/grants, FAQ 4.2): the organizations the session
// administers (GET /api/grants/organizations; a legal entity not onboarded
// yet gets FAQ 4.4's next step: the work-permit entry), the chosen
// organization's grants with their roles, dates and state (and the
// scheduled work's notice when one expires within 7 days), a change form
// (only the roles the administrator holds can be ticked or unticked; the
// dates need every role of the grant) and revocation (the whole grant, or
// only the administrator's own roles). A change that lost a race (409)
// shows the current state. Not logged in: /login?next=/grants.
import { t, both, pick } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts, busy } from './form.js';
import { initHeader } from './header.js';
import { roleChoices, chosenRoles, roleNames, relabel } from './grant-roles.js';

let administered = []; // GET /api/grants/organizations
let view = null; // GET /api/grants/organizations/{org}
let editing = null; // the grant in the change form

const $ = (id) => document.getElementById(id);
const orgId = () => Number($('organization').value || administered[0]?.organization_id);

function datesOf(g) {
  return t('grants.dates', { from: g.effective_from ?? t('grants.from_creation'), until: g.expires_at ?? t('grants.no_end') });
}

function personOf(g) {
  const p = g.person || {};
  return `${p.real_name ?? '—'} (${pick(p, 'document_type_label')} ${p.document_masked ?? ''})`;
}

function button(key, handler, grant) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = 'secondary';
  b.textContent = t(key);
  b.dataset.grant = grant.id;
  b.addEventListener('click', (e) => handler(e, grant));
  return b;
}

function renderOrganizations() {
  const select = $('organization');
  const chosen = select.value;
  select.replaceChildren(...administered.map((o) => {
    const opt = document.createElement('option');
    opt.value = o.organization_id;
    opt.textContent = o.org_name ?? String(o.organization_id);
    return opt;
  }));
  if (chosen) select.value = chosen;
  $('field-organization').hidden = administered.length < 2;
  const admin = administered.find((o) => o.organization_id === orgId());
  if (admin) {
    showFacts($('grants-org-facts'), [
      ['grants.org_name', admin.org_name],
      ['grants.uscc', admin.uscc],
      ['grants.acting_as', t(admin.as === 'legal_entity' ? 'grants.as.legal_entity' : 'grants.as.grant_admin')],
      ['grants.your_roles', roleNames(admin.roles, t('grants.separator'))],
    ]);
  }
  $('grants-new').href = `/grants/new?organization=${orgId()}`;
}

function renderGrants() {
  if (!view) return;
  const rows = view.grants.map((g) => {
    const tr = document.createElement('tr');
    tr.dataset.grant = g.id;
    const cells = [personOf(g), roleNames(g.roles, t('grants.separator')), datesOf(g), pick(g, 'state_label')];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tr.children[3].className = `state state-${g.state}`;
    if (g.expiry_notice) {
      // The scheduled work's notice: the grant expires within 7 days.
      const notice = document.createElement('p');
      notice.className = 'expiry-notice';
      notice.textContent = pick(g.expiry_notice, 'label');
      tr.children[3].append(notice);
    }
    const actions = document.createElement('td');
    if (g.can_change) actions.append(button('grants.change_button', openChange, g));
    if (g.can_revoke) actions.append(button(g.revoke_removes_only_your_roles ? 'grants.revoke_own' : 'grants.revoke', revoke, g));
    if (g.own) actions.textContent = t('grants.own');
    tr.append(actions);
    return tr;
  });
  $('grants-rows').replaceChildren(...rows);
  $('grants-empty').hidden = view.grants.length > 0;
  $('grants-table').hidden = view.grants.length === 0;
}

function renderChange() {
  if (!editing) return;
  $('grant-change-person').textContent = personOf(editing);
  const lacking = editing.roles_you_lack || [];
  const locked = $('grant-change-locked');
  locked.hidden = lacking.length === 0;
  if (lacking.length) {
    const names = view.roles.filter((r) => lacking.includes(r.code));
    locked.textContent = t('grants.locked', { roles: roleNames(names, t('grants.separator')) });
  }
  relabel($('change-roles'));
}

function openChange(event, g) {
  clearErrors();
  editing = g;
  const held = new Set(view.administrator.roles.map((r) => r.code));
  roleChoices($('change-roles'), view.roles, { checked: new Set(g.roles.map((r) => r.code)), enabled: held });
  const form = $('change-form');
  form.effective_from.value = g.effective_from ?? '';
  form.expires_at.value = g.expires_at ?? '';
  form.effective_from.disabled = !g.can_change_dates;
  form.expires_at.disabled = !g.can_change_dates;
  renderChange();
  $('grant-change').hidden = false;
  $('grant-change').scrollIntoView({ block: 'start' });
}

async function load() {
  const res = await api(`/api/grants/organizations/${orgId()}`);
  if (!res.ok) throw res;
  view = res.body;
  renderGrants();
}

function done(key, vars) {
  const p = $('grants-done');
  p.dataset.key = key;
  p.dataset.vars = JSON.stringify(vars);
  p.textContent = t(key, vars);
  p.hidden = false;
}

async function onChange(event) {
  event.preventDefault();
  clearErrors();
  $('grants-done').hidden = true;
  const form = event.currentTarget;
  await busy($('change-save'), async () => {
    const json = {
      version: editing.version,
      roles: chosenRoles($('change-roles')),
      effective_from: form.effective_from.value || null,
      expires_at: form.expires_at.value || null,
    };
    let res;
    try {
      res = await api(`/api/grants/organizations/${orgId()}/grants/${editing.id}`, { method: 'PUT', json });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (!res.ok) {
      showErrors(form, errorsOf(res));
      if (res.status === 409) {
        // Someone else changed it: show what it is now.
        const current = res.body?.error?.details?.current;
        await load().catch(() => {});
        if (current) openChange(null, current);
        showErrors(form, errorsOf(res));
      }
      return;
    }
    $('grant-change').hidden = true;
    editing = null;
    await load();
    done('grants.changed', { name: res.body.person?.real_name ?? '' });
  });
}

async function revoke(event, g) {
  clearErrors();
  $('grants-done').hidden = true;
  await busy(event.currentTarget, async () => {
    let res;
    try {
      res = await api(`/api/grants/organizations/${orgId()}/grants/${g.id}`, { method: 'DELETE', json: { version: g.version } });
    } catch {
      showErrors(null, [both('error.network')]);
      return;
    }
    if (!res.ok) {
      showErrors(null, errorsOf(res));
      await load().catch(() => {});
      return;
    }
    await load();
    done(res.body.revoked ? 'grants.revoked' : 'grants.roles_removed', { name: g.person?.real_name ?? '' });
  });
}

async function main() {
  const { session, status } = await initHeader();
  const loading = $('grants-loading');
  if (!session) {
    if (status === 200) location.replace('/login?next=/grants');
    else {
      loading.hidden = true;
      showErrors(null, [status ? both('error.status', { n: status }) : both('error.network')]);
    }
    return;
  }
  const res = await api('/api/grants/organizations').catch(() => null);
  loading.hidden = true;
  if (!res || !res.ok) {
    showErrors(null, res ? errorsOf(res) : [both('error.network')]);
    return;
  }
  administered = res.body.organizations;
  const wanted = new URLSearchParams(location.search).get('organization');
  renderOrganizations();
  if (wanted && administered.some((o) => String(o.organization_id) === wanted)) {
    $('organization').value = wanted;
    renderOrganizations();
  }
  $('grants-org').hidden = false;
  try {
    await load();
  } catch (r) {
    showErrors(null, r?.status ? errorsOf(r) : [both('error.network')]);
    return;
  }
  $('grants-list').hidden = false;
}

$('organization').addEventListener('change', async () => {
  renderOrganizations();
  $('grant-change').hidden = true;
  editing = null;
  await load().catch((r) => showErrors(null, r?.status ? errorsOf(r) : [both('error.network')]));
});
$('change-form').addEventListener('submit', onChange);
$('change-cancel').addEventListener('click', () => {
  $('grant-change').hidden = true;
  editing = null;
  clearErrors();
});
document.addEventListener('langchange', () => {
  renderOrganizations();
  renderGrants();
  renderChange();
  const p = $('grants-done');
  if (!p.hidden && p.dataset.key) p.textContent = t(p.dataset.key, JSON.parse(p.dataset.vars || '{}'));
});
main();
