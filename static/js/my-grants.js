// 法人（单位）授权办理情况 under my info (FAQ 7): for a natural person, every
// organization that authorized them (GET /api/grants/mine) with the roles,
// the dates, whether the grant is in force and whether the organization
// was onboarded; 修改 opens the organization's info for a person holding
// its grant_admin (FAQ 7(1)), 查看 shows it read-only to the others;
// without any grant, the way to register the organization (FAQ 7(2)).
import { t, pick } from './i18n.js';
import { api } from './api.js';
import { guidanceBox } from './form.js';
import { roleNames } from './grant-roles.js';

let mine = null;
const $ = (id) => document.getElementById(id);

function render() {
  if (!mine) return;
  const list = mine.organizations;
  const none = $('my-grants-none');
  none.hidden = list.length > 0;
  none.replaceChildren(...(mine.guidance ? [guidanceBox(mine.guidance)] : []));
  $('my-grants-table').hidden = list.length === 0;
  $('my-grants-rows').replaceChildren(...list.map((g) => {
    const tr = document.createElement('tr');
    tr.dataset.organization = g.organization.id;
    const dates = t('grants.dates', { from: g.effective_from ?? t('grants.from_creation'), until: g.expires_at ?? t('grants.no_end') });
    const cells = [g.organization.org_name ?? '—', roleNames(g.roles, t('grants.separator')), dates, pick(g, 'state_label'), t(g.onboarded ? 'mygrants.onboarded.yes' : 'mygrants.onboarded.no')];
    for (const text of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      tr.append(td);
    }
    tr.children[3].className = `state state-${g.state}`;
    const td = document.createElement('td');
    const a = document.createElement('a');
    a.href = `/my-info?organization=${g.organization.id}`;
    a.textContent = t(g.can_edit_organization ? 'mygrants.edit' : 'mygrants.view');
    td.append(a);
    tr.append(td);
    return tr;
  }));
}

async function main() {
  if (new URLSearchParams(location.search).get('organization')) return;
  let res;
  try {
    res = await api('/api/grants/mine');
  } catch {
    return;
  }
  // A legal entity has no such list; nobody logged in: the page goes to login.
  if (!res.ok) return;
  mine = res.body;
  render();
  $('my-grants').hidden = false;
}

document.addEventListener('langchange', render);
main();
