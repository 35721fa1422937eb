// 审核事项 (/review): the queue, open or decided (?state=), oldest first as
// the API gives it: type, submitted, due (with 已超时), claimed by, state.
// Below it: add a reviewer (reviewers are never self-registered).
import { t, pick, both, formatTime } from './i18n.js';
import { errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initReview, reviewApi, dueTime } from './review-common.js';

const state = new URLSearchParams(location.search).get('state') === 'decided' ? 'decided' : 'open';
let me = null;
let items = null;
let reviewers = {};

function who(id) {
  if (id === null || id === undefined) return t('review.unclaimed');
  if (id === me?.id) return t('review.me_named', { name: me.login_name });
  return reviewers[String(id)] ?? t('review.reviewer_n', { n: id });
}

function cell(labelKey, content, className) {
  const td = document.createElement('td');
  td.dataset.label = t(labelKey);
  if (className) td.className = className;
  if (content instanceof Node) td.append(content); else td.textContent = content;
  return td;
}

function render() {
  if (!items) return;
  document.getElementById('queue-loading').hidden = true;
  const empty = document.getElementById('queue-empty');
  const table = document.getElementById('queue');
  empty.hidden = items.length > 0;
  empty.textContent = t(`review.empty.${state}`);
  table.hidden = items.length === 0;
  const due = document.getElementById('col-due');
  due.dataset.i18n = state === 'open' ? 'review.col.due' : 'review.col.decided';
  due.textContent = t(due.dataset.i18n);
  document.getElementById('queue-body').replaceChildren(...items.map((item) => {
    const tr = document.createElement('tr');
    if (item.overdue) tr.className = 'overdue';
    const a = document.createElement('a');
    a.href = `/review/item?id=${encodeURIComponent(item.id)}`;
    a.className = 'item-link';
    a.textContent = `#${item.id}`;
    a.setAttribute('aria-label', t('review.open_item', { n: item.id }));
    const when = state === 'open' ? dueTime(item) : formatTime(item.decided_at);
    const kindLabel = pick(item, 'kind_label') || item.kind;
    // What the item is about: the appeal number and the organization or person.
    const about = document.createElement('span');
    about.append(kindLabel);
    if (item.summary) {
      const detail = document.createElement('small');
      detail.className = 'item-summary';
      // An appeal's number, a verification's part, and whom it is about.
      detail.textContent = [item.summary.number, pick(item.summary, 'part_label'), item.summary.name].filter(Boolean).join(' · ');
      about.append(document.createElement('br'), detail);
    }
    const stateText = document.createElement('span');
    stateText.className = `state state-${item.state}`;
    stateText.textContent = t(`review.state.${item.state}`);
    tr.append(
      cell('review.col.id', a),
      cell('review.col.kind', about),
      cell('review.col.submitted', formatTime(item.submitted_at)),
      cell(state === 'open' ? 'review.col.due' : 'review.col.decided', when),
      cell('review.col.claimed', who(state === 'open' ? item.claimed_by : item.decided_by)),
      cell('review.col.state', stateText),
    );
    return tr;
  }));
}

async function load() {
  const res = await reviewApi(`/api/review/items?state=${state}`);
  if (!res.ok) {
    document.getElementById('queue-loading').hidden = true;
    showErrors(null, errorsOf(res));
    return;
  }
  items = res.body.items || [];
  reviewers = res.body.reviewers || {};
  render();
}

// ---------------------------------------------------------- add reviewer
const addForm = document.getElementById('add-form');
let added = null;

function renderAdded() {
  const done = document.getElementById('add-done');
  done.hidden = !added;
  done.textContent = added ? t('review.add.done', { name: added }) : '';
}

async function addReviewer(event) {
  event.preventDefault();
  clearErrors();
  added = null;
  renderAdded();
  const login = addForm.new_login_name.value.trim();
  const password = addForm.new_password.value;
  const errors = [];
  if (!login) errors.push({ field: 'new_login_name', ...both('reg.missing', { f: both('field.login_name') }) });
  if (!password) errors.push({ field: 'new_password', ...both('reg.missing', { f: both('field.password') }) });
  if (errors.length) {
    showErrors(addForm, errors);
    return;
  }
  await busy(document.getElementById('add-submit'), async () => {
    let res;
    try {
      res = await reviewApi('/api/review/reviewers', { json: { login_name: login, password } });
    } catch {
      showErrors(addForm, [both('error.network')]);
      return;
    }
    if (res.status === 201) {
      added = res.body?.reviewer?.login_name ?? login;
      addForm.reset();
      renderAdded();
      return;
    }
    // The API names login_name / password; here they are new_login_name / new_password.
    showErrors(addForm, errorsOf(res).map((e) => (e.field === 'login_name' || e.field === 'password' ? { ...e, field: `new_${e.field}` } : e)));
  });
}

// ------------------------------------------------------------------ init
for (const s of ['open', 'decided']) {
  const tab = document.getElementById(`tab-${s}`);
  if (s === state) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
}
addForm.addEventListener('submit', addReviewer);
document.addEventListener('langchange', () => { render(); renderAdded(); });
initReview().then((reviewer) => { me = reviewer; return load(); }).catch(() => {});
