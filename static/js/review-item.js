// 审核事项 (/review/item?id=N): what the item states next to the account it
// concerns (an appeal: the account it would recover; a verification: the
// claimed details, which the kind lists itself as `claimed`, next to the
// details in force), the scans (PNG/JPEG shown inline, PDF as a download),
// then claim -> approve, or reject with a reason (required; the applicant
// reads it). After the decision: the outcome. A kind that lists business
// records shows them generically: `legacy_records` (what an approval links)
// read only, `candidates` with a checkbox each and where each is linked now,
// sent as `confirm` when the kind takes it (`decision_fields.confirm`); a
// kind's own `texts` name the comparison and what an approval does.
import { t, pick, both, formatTime, formatSize } from './i18n.js';
import { errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts as facts, busy } from './form.js';
import { initReview, reviewApi, dueTime } from './review-common.js';

const id = new URLSearchParams(location.search).get('id') || '';
const rejectForm = document.getElementById('reject-form');
let me = null;
let data = null; // { item, subject, documents }
const confirmed = new Set(); // the record numbers ticked to link

const FORM_FIELDS = [
  ['org_name', 'field.org_name'], ['uscc', 'field.uscc'], ['legal_representative_name', 'field.legal_representative_name'],
  ['applicant_name', 'field.applicant_name'], ['applicant_document_type', 'field.applicant_document_type', 'doc'],
  ['applicant_document_number', 'field.applicant_document_number'],
  ['real_name', 'field.real_name'], ['document_type', 'field.document_type', 'doc'], ['document_number', 'field.document_number'],
];

function who(reviewerId) {
  if (reviewerId === null || reviewerId === undefined) return t('review.unclaimed');
  return reviewerId === me?.id ? t('review.me_named', { name: me.login_name }) : t('review.reviewer_n', { n: reviewerId });
}

function docType(code) {
  const key = `doc.${code}`;
  return t(key) === key ? code : t(key);
}

function documentUrl(doc) {
  return `/api/review/items/${encodeURIComponent(id)}/documents/${encodeURIComponent(doc.id)}`;
}

function renderDocuments() {
  const box = document.getElementById('documents');
  const docs = data.documents || [];
  if (!docs.length) {
    const p = document.createElement('p');
    p.textContent = t('review.item.no_documents');
    box.replaceChildren(p);
    return;
  }
  box.replaceChildren(...docs.map((doc) => {
    const figure = document.createElement('figure');
    figure.className = 'document';
    const purposeKey = `file.${doc.purpose}`;
    const purpose = t(purposeKey) === purposeKey ? doc.purpose : t(purposeKey);
    if (doc.content_type === 'image/png' || doc.content_type === 'image/jpeg') {
      const img = document.createElement('img');
      img.src = documentUrl(doc);
      img.alt = purpose;
      img.loading = 'lazy';
      figure.append(img);
    } else {
      const pdf = document.createElement('p');
      pdf.className = 'pdf-mark';
      pdf.textContent = 'PDF';
      pdf.setAttribute('aria-hidden', 'true');
      figure.append(pdf);
    }
    const caption = document.createElement('figcaption');
    const title = document.createElement('strong');
    title.textContent = purpose;
    const a = document.createElement('a');
    a.href = documentUrl(doc);
    a.setAttribute('download', doc.label || '');
    a.className = 'document-link';
    a.textContent = t('review.item.open_file', { name: doc.label, size: formatSize(doc.size) });
    const sha = document.createElement('small');
    sha.className = 'sha';
    sha.textContent = `${t('review.item.sha256')} ${doc.sha256}`;
    caption.append(title, a, sha);
    figure.append(caption);
    return figure;
  }));
}

/** Rows the item's kind labels itself ({label_zh, label_en, value_zh, value_en}). */
function labelledFacts(dl, rows) {
  dl.replaceChildren(...rows.flatMap((row) => {
    const dt = document.createElement('dt');
    dt.textContent = pick(row, 'label');
    const dd = document.createElement('dd');
    dd.textContent = pick(row, 'value');
    return [dt, dd];
  }));
}

/** A text element shows `key` (kept for the language switch). */
function showKey(id, key) {
  const el = document.getElementById(id);
  el.dataset.i18n = key;
  el.textContent = t(key);
}

/** A text element shows the kind's own text `name` of `texts` ({name_zh, name_en}) when it has one, else `key`. */
function showKindText(id, texts, name, key) {
  if (!texts?.[`${name}_zh`]) {
    showKey(id, key);
    return;
  }
  const el = document.getElementById(id);
  delete el.dataset.i18n;
  el.textContent = pick(texts, name);
}

/** One business record of the kind's details, with where it is linked now. */
function recordLine(record, checkbox) {
  const li = document.createElement('li');
  const label = document.createElement('label');
  if (checkbox) {
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.name = 'confirm';
    box.value = record.record_number;
    box.checked = confirmed.has(record.record_number);
    box.addEventListener('change', () => {
      if (box.checked) confirmed.add(record.record_number); else confirmed.delete(record.record_number);
    });
    label.append(box, ' ');
  }
  const owner = record.old_owner || {};
  const old = [owner.login_name, owner.org_name, owner.uscc, owner.document_number].filter(Boolean).join(' / ');
  const linked = record.linked_to && typeof record.linked_to === 'object'
    ? t('review.item.linked_to', { name: record.linked_to.name ?? record.linked_to.id })
    : record.linked_to ? t('review.item.linked_to', { name: record.linked_to }) : t('review.item.unlinked');
  const text = document.createElement('span');
  text.textContent = [
    record.record_number, pick(record, 'kind_label'), pick(record, 'status_label'), record.submitted_on,
    `${record.foreigner?.name ?? ''} (${record.foreigner?.document_masked ?? ''})`, old, linked,
  ].filter(Boolean).join(' · ');
  if (record.linked_to) li.className = 'linked-elsewhere';
  label.append(text);
  li.append(label);
  return li;
}

function renderRecords(subject, open) {
  const candidates = Array.isArray(subject?.candidates) ? subject.candidates : null;
  const preview = Array.isArray(subject?.legacy_records) ? subject.legacy_records : null;
  const panel = document.getElementById('records-panel');
  panel.hidden = !candidates && !preview;
  if (panel.hidden) return;
  const choose = Boolean(candidates && open && subject.decision_fields?.confirm && data.item.claimed_by === me?.id);
  showKey('records-hint', candidates ? (choose ? 'review.item.records.confirm' : 'review.item.records.candidates') : 'review.item.records.preview');
  const list = candidates || preview;
  const none = document.createElement('li');
  none.textContent = t('review.item.records.none');
  document.getElementById('records').replaceChildren(...(list.length ? list.map((r) => recordLine(r, choose)) : [none]));
}

/** The item's history: who did what, and when (the system's reminders and escalations too). */
function renderHistory() {
  const events = data.history || [];
  document.getElementById('history').replaceChildren(...events.map((e) => {
    const li = document.createElement('li');
    li.dataset.event = e.event;
    const key = `review.event.${e.event}`;
    const what = t(key) === key ? e.event : t(key);
    const by = e.system ? t('review.history.system') : (e.by ?? (e.reviewer_id ? t('review.reviewer_n', { n: e.reviewer_id }) : ''));
    li.textContent = [formatTime(e.at), what, by].filter(Boolean).join(' · ');
    return li;
  }));
}

function render() {
  if (!data) return;
  const { item, subject } = data;
  document.getElementById('item-loading').hidden = true;
  document.getElementById('item').hidden = false;
  const heading = document.getElementById('item-heading');
  heading.textContent = t('review.item.heading', { n: item.id });
  document.title = t('review.item.title_n', { n: item.id });

  const due = dueTime(item);
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
  renderHistory();
  facts(document.getElementById('item-facts'), [
    ['review.col.kind', pick(item, 'kind_label') || item.kind],
    ['review.item.number', subject?.number],
    ['review.item.part', subject?.part_label_zh ? pick(subject, 'part_label') : null],
    ['review.item.entry', subject?.entry_label_zh ? pick(subject, 'entry_label') : null],
    ['review.item.check', subject?.check ? t(`myinfo.result.${subject.check.result}`) : null],
    ['review.col.state', stateText],
    ['review.col.submitted', formatTime(item.submitted_at)],
    ['review.col.due', due],
    ['review.col.claimed', who(item.claimed_by)],
  ]);

  const claimed = Array.isArray(subject?.claimed) ? subject.claimed : null;
  // A kind may name these itself (`texts`); else the verification's or the appeal's.
  const own = subject?.texts;
  showKindText('submitted-heading', own, 'submitted', claimed ? 'review.item.claimed' : 'review.item.submitted');
  showKindText('account-heading', own, 'account', claimed ? 'review.item.account_in_force' : 'review.item.account');
  showKindText('compare-hint', own, 'compare', claimed ? 'review.item.compare_claim' : 'review.item.compare');
  showKindText('approve-note', own, 'approve_note', claimed ? 'review.approve.claim_note' : 'review.approve.note');
  const inForce = claimed && Array.isArray(subject.in_force) ? subject.in_force : [];
  document.getElementById('in-force-heading').hidden = !inForce.length;
  document.getElementById('in-force-facts').hidden = !inForce.length;
  labelledFacts(document.getElementById('in-force-facts'), inForce);
  const form = subject?.form || {};
  if (claimed) labelledFacts(document.getElementById('submitted-facts'), claimed);
  else facts(document.getElementById('submitted-facts'), [
    ...FORM_FIELDS.map(([name, key, type]) => [key, type === 'doc' && form[name] ? docType(form[name]) : form[name]]),
    ['review.item.new_mobile', subject?.new_mobile],
    ['review.item.filed_at', subject?.filed_at ? formatTime(subject.filed_at) : null],
  ]);
  const account = subject?.account || {};
  facts(document.getElementById('account-facts'), [
    ['field.login_name', account.login_name],
    ['review.field.kind', account.kind ? t(`account.kind.${account.kind}`) : null],
    ['review.field.org_name', account.org_name],
    ['field.uscc', account.uscc],
    ['field.real_name', account.real_name],
    ['review.field.document', account.document_masked ? `${account.document_type ? `${docType(account.document_type)} ` : ''}${account.document_masked}` : null],
    ['review.field.mobile', account.mobile_masked ?? t('review.none')],
  ]);
  renderDocuments();
  renderRecords(subject, item.state === 'open');

  // The decision: claim first; only the claimer decides.
  const open = item.state === 'open';
  const mine = item.claimed_by === me?.id;
  const other = item.claimed_by !== null && item.claimed_by !== undefined && !mine;
  document.getElementById('decision').hidden = !open;
  const note = document.getElementById('claim-note');
  note.textContent = mine ? t('review.claimed_by_me') : other ? t('review.claimed_by_other', { who: who(item.claimed_by) }) : t('review.claim_first');
  document.getElementById('claim').hidden = !open || mine || other;
  document.getElementById('decide-controls').hidden = !(open && mine);

  const outcome = document.getElementById('outcome');
  outcome.hidden = open;
  if (!open) {
    outcome.className = `success-panel outcome-${item.state}`;
    document.getElementById('outcome-heading').textContent = t('review.outcome', { state: t(`review.state.${item.state}`) });
    const reason = document.getElementById('outcome-reason');
    reason.hidden = !item.reason;
    reason.textContent = item.reason ? t('status.reason_line', { reason: item.reason }) : '';
    facts(document.getElementById('outcome-facts'), [
      ['review.col.decided', formatTime(item.decided_at)],
      ['review.outcome.by', who(item.decided_by)],
    ]);
  }
}

async function load() {
  if (!/^\d+$/.test(id)) {
    document.getElementById('item-loading').hidden = true;
    showErrors(null, [both('review.item.missing')]);
    return;
  }
  const res = await reviewApi(`/api/review/items/${id}`);
  if (!res.ok) {
    document.getElementById('item-loading').hidden = true;
    showErrors(null, errorsOf(res));
    return;
  }
  data = res.body;
  render();
}

/** After a 409 (someone else was quicker): say so, and show the item as it is now. */
async function refusal(res, form) {
  const errors = errorsOf(res);
  if (res.status === 409) await load();
  showErrors(form, errors);
}

async function claim(event) {
  clearErrors();
  await busy(event.currentTarget, async () => {
    let res;
    try {
      res = await reviewApi(`/api/review/items/${id}/claim`, { method: 'POST' });
    } catch {
      showErrors(null, [both('error.network')]);
      return;
    }
    if (res.ok) {
      data.item = res.body.item;
      render();
      document.getElementById('approve').focus();
      return;
    }
    await refusal(res, null);
  });
}

async function decide(button, decision, reason) {
  // An approval carries the kind's own fields it declares (`confirm`: the ticked records).
  const extra = decision === 'approve' && data.subject?.decision_fields?.confirm ? { confirm: [...confirmed] } : {};
  await busy(button, async () => {
    let res;
    try {
      res = await reviewApi(`/api/review/items/${id}/decision`, { json: { decision, reason, ...extra } });
    } catch {
      showErrors(rejectForm, [both('error.network')]);
      return;
    }
    if (res.ok) {
      data.item = res.body.item;
      render();
      document.getElementById('outcome').focus();
      return;
    }
    // 400 review.reason_required names `reason`: shown under the textarea.
    await refusal(res, rejectForm);
  });
}

document.getElementById('claim').addEventListener('click', claim);
document.getElementById('approve').addEventListener('click', (event) => {
  clearErrors();
  decide(event.currentTarget, 'approve', '');
});
rejectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  clearErrors();
  decide(document.getElementById('reject'), 'reject', rejectForm.reason.value);
});
document.addEventListener('langchange', render);
initReview().then((reviewer) => { me = reviewer; return load(); }).catch(() => {});
