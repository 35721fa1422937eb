// 查询申诉进度 (/appeal/status): the appeal number and the new mobile ->
// 申诉已提交 / 审核中 (not yet / taken up by a reviewer; with the due time and the scans, downloadable while open), 已通过
// (set the password with the SMS code) or 未通过 (the reason; appeal
// again). ?number=… fills the number; the mobile is typed, and goes to the
// API in the X-Appeal-Mobile header, never in a URL (history, logs,
// referrers): the scans are fetched with it and saved from a Blob.
import { t, both, formatTime, formatSize } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts, busy } from './form.js';
import { initHeader } from './header.js';

const form = document.getElementById('status-form');
const result = document.getElementById('result');
const KINDS = { legal_entity: 'appeal.le.choice', natural_person: 'appeal.np.choice' };
const SLUGS = { legal_entity: 'legal-entity', natural_person: 'natural-person' };

let shown = null; // { status body, mobile }

function render() {
  if (!shown) return;
  const { body, mobile } = shown;
  const status = ['submitted', 'under_review', 'approved', 'rejected'].includes(body.status) ? body.status : 'submitted';
  const open = status === 'submitted' || status === 'under_review';
  result.className = `status-result status-${status}`;
  document.getElementById('result-heading').textContent = t('status.result', { state: t(`status.${status}`) });
  document.getElementById('result-text').textContent = t(`status.${status}.text`);

  const reason = document.getElementById('result-reason');
  reason.hidden = !(status === 'rejected' && body.reason);
  reason.textContent = reason.hidden ? '' : t('status.reason_line', { reason: body.reason });

  const action = document.getElementById('result-action');
  action.replaceChildren();
  action.hidden = open;
  if (status === 'approved') {
    const a = document.createElement('a');
    a.className = 'button primary';
    a.id = 'set-password';
    a.href = '/password-reset?appeal=1';
    a.textContent = t('status.approved.link');
    action.append(a);
  } else if (status === 'rejected') {
    const a = document.createElement('a');
    a.className = 'button';
    a.id = 'appeal-again';
    a.href = SLUGS[body.kind] ? `/appeal/${SLUGS[body.kind]}` : '/appeal';
    a.textContent = t('status.rejected.again');
    action.append(a);
  }

  showFacts(document.getElementById('result-facts'), [
    ['appeal.number', body.number],
    ['status.kind', KINDS[body.kind] ? t(KINDS[body.kind]) : null],
    ['status.submitted_at', formatTime(body.submitted_at)],
    open ? ['status.due_at', formatTime(body.due_at)] : ['status.decided_at', formatTime(body.decided_at)],
  ]);

  const docs = Array.isArray(body.documents) ? body.documents : [];
  const box = document.getElementById('result-documents');
  box.hidden = !(open && docs.length);
  document.getElementById('documents-list').replaceChildren(...docs.map((doc) => {
    const li = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link-button';
    const purpose = `file.${doc.purpose}`;
    const label = t(purpose) === purpose ? doc.purpose : t(purpose);
    button.textContent = `${t('status.download')} ${label}`;
    button.addEventListener('click', () => busy(button, () => download(body.number, doc, mobile)));
    const meta = document.createElement('span');
    meta.className = 'doc-meta';
    meta.textContent = ` ${t('status.document_meta', { name: doc.label, size: formatSize(doc.size) })}`;
    li.append(button, meta);
    return li;
  }));
}

/** One scan: fetched with the mobile in the header, saved from an object URL. */
async function download(number, doc, mobile) {
  clearErrors();
  let res;
  try {
    res = await api(`/api/appeals/${encodeURIComponent(number)}/documents/${encodeURIComponent(doc.id)}`, {
      headers: { 'x-appeal-mobile': mobile }, as: 'blob',
    });
  } catch {
    showErrors(null, [both('error.network')]);
    return;
  }
  if (!res.ok) {
    showErrors(null, errorsOf(res));
    return;
  }
  const url = URL.createObjectURL(res.body);
  const a = document.createElement('a');
  a.href = url;
  a.download = doc.label || doc.purpose;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function lookup(event) {
  event?.preventDefault();
  clearErrors();
  const number = form.number.value.trim().toUpperCase();
  const mobile = form.mobile.value.trim();
  const errors = [];
  if (!number) errors.push({ field: 'number', ...both('status.need_number') });
  if (!mobile) errors.push({ field: 'mobile', ...both('status.need_mobile') });
  if (errors.length) {
    showErrors(form, errors);
    return;
  }
  await busy(document.getElementById('status-submit'), async () => {
    let res;
    try {
      res = await api(`/api/appeals/${encodeURIComponent(number)}`, { headers: { 'x-appeal-mobile': mobile } });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (res.ok) {
      shown = { body: res.body, mobile };
      render();
      result.hidden = false;
      result.focus();
      return;
    }
    shown = null;
    result.hidden = true;
    // 404 appeal.not_found (unknown number or another mobile: one answer)
    // belongs to the number; a malformed mobile names `mobile`.
    showErrors(form, errorsOf(res).map((e) => (e.field ? e : { ...e, field: 'number' })));
  });
}

initHeader();
form.addEventListener('submit', lookup);
const params = new URLSearchParams(location.search);
if (params.get('number')) {
  form.number.value = params.get('number').trim();
  form.mobile.focus();
}
document.addEventListener('langchange', render);
