// 审核事项 (/review): the queue, open or decided (?state=), filtered by
// kind, SLA state (?sla=) and a search (?q=), most urgent first as the API
// gives it: type, submitted, due ("due Monday", 已超时), claimed by, state,
// with the SLA colour and the reminded / escalated marks; the counts per
// kind and the notifications above it. Below it: add a reviewer (with an
// optional mobile and a role), the reviewers (disable, reset a password),
// the failed SMS with "retry now", and the last ticks of the scheduled work.
import { t, pick, both, formatTime } from './i18n.js';
import { errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initReview, reviewApi, dueTime } from './review-common.js';

const params = new URLSearchParams(location.search);
const state = params.get('state') === 'decided' ? 'decided' : 'open';
let me = null;
let lead = false;
let items = null;
let reviewers = {};
let counts = [];
let notices = [];
let people = [];
let failed = [];
let ticks = [];

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
    tr.className = [item.overdue ? 'overdue' : '', item.sla ? `sla-${item.sla}` : ''].filter(Boolean).join(' ');
    tr.dataset.item = item.id;
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
    for (const [mark, at] of [['reminded', item.reminded_at], ['escalated', item.escalated_at]]) {
      if (at === null || at === undefined || item.state !== 'open') continue;
      const badge = document.createElement('span');
      badge.className = `badge badge-${mark}`;
      badge.textContent = t(`review.badge.${mark}`);
      stateText.append(' ', badge);
    }
    const claimer = document.createElement('span');
    claimer.append(who(state === 'open' ? item.claimed_by : item.decided_by));
    const mine = item.claimed_by === me?.id;
    if (state === 'open' && item.claimed_by !== null && item.claimed_by !== undefined && (lead || mine)) {
      const release = document.createElement('button');
      release.type = 'button';
      release.className = 'link-button release';
      release.textContent = t('review.release');
      release.addEventListener('click', () => releaseItem(item.id));
      claimer.append(' ', release);
    }
    tr.append(
      cell('review.col.id', a),
      cell('review.col.kind', about),
      cell('review.col.submitted', formatTime(item.submitted_at)),
      cell(state === 'open' ? 'review.col.due' : 'review.col.decided', when),
      cell('review.col.claimed', claimer),
      cell('review.col.state', stateText),
    );
    return tr;
  }));
}

function status(id, text) {
  const el = document.getElementById(id);
  el.hidden = !text;
  el.textContent = text || '';
}

function renderCounts() {
  document.getElementById('counts').replaceChildren(...counts.filter((c) => c.open > 0 || c.kind === params.get('kind')).map((c) => {
    const li = document.createElement('li');
    li.dataset.kind = c.kind;
    const name = document.createElement('strong');
    name.textContent = pick(c, 'label');
    li.append(name, ' ', t('review.count.line', { open: c.open, overdue: c.overdue, today: c.due_today }));
    return li;
  }));
  const select = document.getElementById('filter-kind');
  const chosen = params.get('kind') || '';
  select.replaceChildren(select.options[0], ...counts.map((c) => {
    const o = document.createElement('option');
    o.value = c.kind;
    o.textContent = pick(c, 'label');
    return o;
  }));
  select.options[0].textContent = t('review.filter.kind.all');
  select.value = chosen;
}

function renderNotices() {
  const box = document.getElementById('notifications');
  box.hidden = notices.length === 0;
  document.getElementById('notification-list').replaceChildren(...notices.map((n) => {
    const li = document.createElement('li');
    li.className = `notification notification-${n.kind}`;
    const a = document.createElement('a');
    a.href = `/review/item?id=${encodeURIComponent(n.review_item_id)}`;
    a.textContent = t('review.notification.line', { n: n.review_item_id, what: pick(n, 'label') });
    li.append(a, ` · ${formatTime(n.created_at)}`);
    return li;
  }));
}

function renderPeople() {
  document.getElementById('reviewers-body').replaceChildren(...people.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.reviewer = r.login_name;
    const actions = document.createElement('span');
    if (r.id !== me?.id) {
      const reset = document.createElement('button');
      reset.type = 'button';
      reset.className = 'link-button';
      reset.textContent = t('review.reviewers.reset');
      reset.addEventListener('click', () => showReset(actions, r));
      actions.append(reset);
      if (lead && !r.disabled_at && r.created_by !== null) {
        const off = document.createElement('button');
        off.type = 'button';
        off.className = 'link-button danger-link';
        off.textContent = t('review.reviewers.disable');
        off.addEventListener('click', () => disableReviewer(r));
        actions.append(' ', off);
      }
    }
    tr.append(
      cell('review.reviewers.col.name', r.login_name),
      cell('review.reviewers.col.role', pick(r, 'role_label')),
      cell('review.reviewers.col.mobile', r.mobile_masked || t('review.none')),
      cell('review.reviewers.col.status', t(r.disabled_at ? 'review.reviewers.disabled' : 'review.reviewers.active')),
      cell('review.reviewers.reset', actions),
    );
    return tr;
  }));
}

function showReset(box, r) {
  const input = document.createElement('input');
  input.type = 'password';
  input.autocomplete = 'new-password';
  input.maxLength = 128;
  input.setAttribute('aria-label', t('review.reviewers.new_password', { name: r.login_name }));
  const go = document.createElement('button');
  go.type = 'button';
  go.className = 'secondary';
  go.textContent = t('review.reviewers.reset');
  go.addEventListener('click', async () => {
    const res = await reviewApi(`/api/review/reviewers/${encodeURIComponent(r.id)}/password`, { json: { password: input.value } });
    if (res.ok) status('reviewers-status', t('review.reviewers.reset_done', { name: r.login_name }));
    else showErrors(null, errorsOf(res));
  });
  box.replaceChildren(input, ' ', go);
  input.focus();
}

async function disableReviewer(r) {
  const res = await reviewApi(`/api/review/reviewers/${encodeURIComponent(r.id)}/disable`, { json: {} });
  if (!res.ok) { showErrors(null, errorsOf(res)); return; }
  await loadPeople();
}

function renderFailed() {
  const list = document.getElementById('sms-list');
  if (!failed.length) {
    const li = document.createElement('li');
    li.textContent = t('review.sms.empty');
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...failed.map((m) => {
    const li = document.createElement('li');
    li.dataset.sms = m.id;
    const why = [pick(m, 'failure_label'), m.last_error].filter(Boolean).join(' · ');
    li.append(t('review.sms.line', { to: m.recipient_masked, template: m.template, attempts: m.attempts, why }), ` · ${formatTime(m.failed_at)} `);
    if (m.retryable) {
      const retry = document.createElement('button');
      retry.type = 'button';
      retry.className = 'link-button';
      retry.textContent = t('review.sms.retry');
      retry.addEventListener('click', async () => {
        const res = await reviewApi(`/api/review/sms/${encodeURIComponent(m.id)}/retry`, { json: {} });
        if (!res.ok) { showErrors(null, errorsOf(res)); return; }
        status('sms-status', t('review.sms.retried'));
        await loadFailed();
      });
      li.append(retry);
    }
    return li;
  }));
}

function renderTicks() {
  const list = document.getElementById('tick-list');
  if (!ticks.length) {
    const li = document.createElement('li');
    li.textContent = t('review.ticks.empty');
    list.replaceChildren(li);
    return;
  }
  list.replaceChildren(...ticks.slice(0, 10).map((tick) => {
    const r = tick.report || {};
    const h = r.housekeeping || {};
    const deleted = Object.values(h).reduce((a, b) => a + (Number(b) || 0), 0);
    const li = document.createElement('li');
    li.textContent = t('review.ticks.line', {
      at: formatTime(tick.started_at), trigger: tick.trigger, sent: r.sms?.sent ?? 0, failed: r.sms?.failed ?? 0,
      gave_up: (r.sms?.gave_up ?? 0) + (r.sms?.code_expired ?? 0), reminded: r.reminders?.items ?? 0,
      escalated: r.escalations?.items ?? 0, grant_expiry: r.grant_expiry?.grants ?? 0, deleted,
    });
    return li;
  }));
}

async function releaseItem(id) {
  const res = await reviewApi(`/api/review/items/${encodeURIComponent(id)}/release`, { json: {} });
  if (!res.ok) { showErrors(null, errorsOf(res)); return; }
  status('queue-status', t('review.released', { n: id }));
  await load();
}

async function loadPeople() {
  const res = await reviewApi('/api/review/reviewers');
  if (res.ok) { people = res.body.reviewers || []; renderPeople(); }
}

async function loadFailed() {
  const res = await reviewApi('/api/review/sms/failed');
  if (res.ok) { failed = res.body.messages || []; renderFailed(); }
}

async function loadTicks() {
  const res = await reviewApi('/api/review/schedule');
  if (res.ok) { ticks = res.body.ticks || []; renderTicks(); }
}

async function load() {
  const query = new URLSearchParams({ state });
  for (const name of ['kind', 'sla', 'q']) if (params.get(name)) query.set(name, params.get(name));
  const res = await reviewApi(`/api/review/items?${query}`);
  if (!res.ok) {
    document.getElementById('queue-loading').hidden = true;
    showErrors(null, errorsOf(res));
    return;
  }
  items = res.body.items || [];
  reviewers = res.body.reviewers || {};
  counts = res.body.counts || [];
  notices = res.body.notifications || [];
  lead = Boolean(res.body.me?.lead);
  render();
  renderCounts();
  renderNotices();
}

function applyFilters(event) {
  event.preventDefault();
  const next = new URLSearchParams({ state });
  for (const [name, id] of [['kind', 'filter-kind'], ['sla', 'filter-sla'], ['q', 'filter-q']]) {
    const v = document.getElementById(id).value.trim();
    if (v) next.set(name, v);
  }
  location.assign(`/review?${next}`);
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
      const mobile = addForm.new_reviewer_mobile.value.trim();
      const role = addForm.new_role.value;
      res = await reviewApi('/api/review/reviewers', { json: { login_name: login, password, mobile, role } });
    } catch {
      showErrors(addForm, [both('error.network')]);
      return;
    }
    if (res.status === 201) {
      added = res.body?.reviewer?.login_name ?? login;
      addForm.reset();
      renderAdded();
      await loadPeople();
      return;
    }
    // The API names login_name / password / mobile / role; here they have ids of their own.
    const ids = { login_name: 'new_login_name', password: 'new_password', mobile: 'new_reviewer_mobile', role: 'new_role' };
    showErrors(addForm, errorsOf(res).map((e) => (ids[e.field] ? { ...e, field: ids[e.field] } : e)));
  });
}

// ------------------------------------------------------------------ init
for (const s of ['open', 'decided']) {
  const tab = document.getElementById(`tab-${s}`);
  if (s === state) tab.setAttribute('aria-current', 'page'); else tab.removeAttribute('aria-current');
}
document.getElementById('filter-sla').value = params.get('sla') || '';
document.getElementById('filter-q').value = params.get('q') || '';
document.getElementById('filters').addEventListener('submit', applyFilters);
addForm.addEventListener('submit', addReviewer);
document.addEventListener('langchange', () => { render(); renderAdded(); renderCounts(); renderNotices(); renderPeople(); renderFailed(); renderTicks(); });
initReview()
  .then((reviewer) => { me = reviewer; return Promise.all([load(), loadPeople(), loadFailed(), loadTicks()]); })
  .catch(() => {});
