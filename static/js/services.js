// 服务事项 (/services, FAQ 5): the foreign-work system and its two entries
// from GET /api/services, each with who may use it and what it needs, a
// link to the entry, and the roles an organization gives (grant
// management). Public.
import { t, both, pick } from './i18n.js';
import { api, errorsOf } from './api.js';
import { showErrors } from './form.js';
import { initHeader } from './header.js';

let services = null;

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function render() {
  if (!services) return;
  const root = document.getElementById('services');
  root.replaceChildren(...services.map((s) => {
    const article = el('article', 'panel service');
    article.append(el('h2', '', pick(s, 'label')));
    const list = el('ul', 'entries');
    for (const e of s.entries) {
      const li = el('li', 'entry');
      const a = el('a', 'entry-link');
      a.href = e.href;
      a.id = `service-entry-${e.entry}`;
      a.append(el('span', 'entry-name', pick(e, 'label')), el('span', 'entry-who', pick(e, 'who')));
      const dl = el('dl', 'facts');
      dl.append(el('dt', '', t('services.who')), el('dd', '', pick(e, 'who')), el('dt', '', t('services.needs')), el('dd', '', pick(e, 'needs')));
      li.append(a, dl);
      list.append(li);
    }
    article.append(list, el('h3', '', t('services.roles')));
    const roles = el('dl', 'facts');
    for (const r of s.roles) roles.append(el('dt', '', pick(r, 'label')), el('dd', '', pick(r, 'allows')));
    article.append(roles);
    return article;
  }));
}

async function start() {
  initHeader();
  try {
    const res = await api('/api/services');
    document.getElementById('services-loading').hidden = true;
    if (!res.ok) {
      showErrors(null, errorsOf(res));
      return;
    }
    services = res.body.services;
    render();
  } catch {
    showErrors(null, [both('error.network')]);
  }
}

document.addEventListener('langchange', render);
start();
