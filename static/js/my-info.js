// 我的信息 (/my-info; FAQ 3.1-3.7): the logged-in account's parts from GET
// /api/my-info (a natural person's one, a legal entity's three), each with
// its state ("xxx 已通过", "xxx 失败", 实名认证审核中 with the due time, the
// reviewer's reason), its form, the upload step when the part takes one,
// and its history; and the reserved mobile, changed with a code to the new
// number and one to the old. Before saving, the page says whether the
// chosen document can be checked online or goes to manual review. Not
// logged in: /login?next=/my-info. With ?organization=ID (FAQ 7(1), from
// "organizations that authorized me"): that organization's info, which a
// person holding its grant_admin completes and corrects (its parts and
// their scans), and others read (/api/my-info/organizations/ID; not the
// organization's reserved mobile).
import { t, both, pick, formatTime, formatSize } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts, busy } from './form.js';
import { initHeader } from './header.js';
import { smsCode } from './sms-code.js';

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const EXTENSIONS = /\.(jpe?g|png|pdf)$/i;
const TYPES = new Set(['image/jpeg', 'image/png', 'application/pdf']);
// Documents whose holder states a nationality (docs/design.md, "Identity rules").
const NATIONALITY_DOCS = new Set(['passport', 'permanent_resident_id']);
// What the page says about a document type before saving (the API's `online_check`).
const ONLINE = { yes: 'myinfo.online.yes', no: 'myinfo.online.no', '2023_version': 'myinfo.online.pr2023' };

// Each part's form: its fields with their labels (for the "please fill in"
// errors), the document fields, and what is sent upper-case.
const PARTS = {
  person: {
    labels: {
      real_name: 'field.real_name', document_type: 'field.document_type', document_number: 'field.document_number',
      nationality: 'field.nationality', birth_date: 'field.birth_date',
    },
    docType: 'document_type', docNumber: 'document_number', nationality: 'nationality',
    upper: ['document_number', 'nationality'],
    masked: ['document_number'],
  },
  basic_info: {
    labels: {
      org_name: 'field.org_name', uscc: 'field.uscc', registered_address: 'field.registered_address',
      organization_type: 'field.organization_type', contact_phone: 'field.contact_phone',
    },
    upper: ['uscc'],
    masked: [],
  },
  authorization_info: {
    labels: {
      main_agent_name: 'field.main_agent_name', main_agent_document_type: 'field.main_agent_document_type',
      main_agent_document_number: 'field.main_agent_document_number', main_agent_nationality: 'field.main_agent_nationality',
      main_agent_mobile: 'field.main_agent_mobile',
    },
    docType: 'main_agent_document_type', docNumber: 'main_agent_document_number', nationality: 'main_agent_nationality',
    upper: ['main_agent_document_number', 'main_agent_nationality'],
    masked: ['main_agent_document_number', 'main_agent_mobile'],
  },
  legal_representative: {
    labels: {
      legal_representative_type: 'field.legal_representative_type', legal_representative_name: 'field.legal_representative_name',
      legal_representative_document_type: 'field.legal_representative_document_type',
      legal_representative_document_number: 'field.legal_representative_document_number',
      legal_representative_continent: 'field.legal_representative_continent',
      legal_representative_country: 'field.legal_representative_country',
    },
    docType: 'legal_representative_document_type', docNumber: 'legal_representative_document_number',
    upper: ['legal_representative_document_number'],
    masked: ['legal_representative_document_number'],
  },
};

// FAQ 7(1): another organization's info, when the page is opened for one.
const ON_BEHALF = /^\d+$/.test(new URLSearchParams(location.search).get('organization') ?? '')
  ? new URLSearchParams(location.search).get('organization') : null;
const BASE = ON_BEHALF ? `/api/my-info/organizations/${ON_BEHALF}` : '/api/my-info';

let info = null; // GET /api/my-info
const views = {}; // part -> the API's view of it

const formOf = (part) => document.getElementById(`${part}-form`);
const uploadOf = (part) => document.getElementById(`${part}-upload`);
const visible = (input) => !input.closest('[hidden]');

// ------------------------------------------------------------ the forms
function docTypeInfo(code) {
  return (info?.document_types || []).find((d) => d.code === code);
}

/** The document fields of a part follow its document type: the number's hint, the nationality, the date of birth, the online-check note. */
function renderDocumentFields(part) {
  const spec = PARTS[part];
  if (!spec.docType) return;
  const form = formOf(part);
  const type = form[spec.docType].value;
  const hint = document.getElementById(`${spec.docNumber}-hint`);
  const key = type ? `doc.${type}.hint` : 'field.document_number.hint';
  hint.dataset.i18n = key;
  hint.textContent = t(key);
  if (spec.nationality) document.getElementById(`field-${spec.nationality}`).hidden = !NATIONALITY_DOCS.has(type);
  if (part === 'person') document.getElementById('field-birth_date').hidden = type === 'resident_id';
  const note = document.getElementById(`${spec.docType}-check`);
  const d = type ? docTypeInfo(type) : null;
  note.hidden = !d;
  if (d) {
    note.dataset.i18n = ONLINE[d.online_check] || 'myinfo.online.no';
    note.textContent = t(note.dataset.i18n);
    note.className = `field-hint check-note check-${d.online_check}`;
  }
}

/** The legal representative's type decides the documents and whether continent and country are asked (FAQ 3.5-3.7). */
function renderRepresentativeFields() {
  const form = formOf('legal_representative');
  const type = (info?.legal_representative_types || []).find((r) => r.code === form.legal_representative_type.value);
  const docs = form.legal_representative_document_type;
  for (const option of docs.options) {
    option.hidden = Boolean(option.value && type && !type.documents.includes(option.value));
  }
  if (docs.selectedOptions[0]?.hidden) docs.value = '';
  const asks = Boolean(type?.asks_country);
  document.getElementById('field-legal_representative_continent').hidden = !asks;
  document.getElementById('field-legal_representative_country').hidden = !asks;
  renderCountries();
  renderDocumentFields('legal_representative');
}

/** The countries of the chosen continent (China among them: choosing it says which type to choose instead, FAQ 3.6). */
function renderCountries() {
  const form = formOf('legal_representative');
  const select = form.legal_representative_country;
  const keep = select.value;
  const continent = form.legal_representative_continent.value;
  const first = select.options[0];
  const countries = (info?.countries || []).filter((c) => c.continent === continent);
  select.replaceChildren(first, ...countries.map((c) => {
    const option = document.createElement('option');
    option.value = c.code;
    option.textContent = `${pick(c, 'label')} (${c.code})`;
    return option;
  }));
  select.value = countries.some((c) => c.code === keep) ? keep : '';
}

/** Puts a saved part's fields into its form; numbers and mobiles are only shown masked, beside an empty input. */
function fill(part) {
  const view = views[part];
  const form = formOf(part);
  const fields = view.fields || {};
  if (part === 'legal_representative') {
    form.legal_representative_type.value = fields.legal_representative_type || '';
    form.legal_representative_continent.value = fields.legal_representative_continent || '';
    renderRepresentativeFields();
  }
  for (const name of Object.keys(PARTS[part].labels)) {
    const input = form[name];
    if (PARTS[part].masked.includes(name)) {
      input.value = '';
      const note = document.getElementById(`${name}-current`);
      const masked = fields[`${name}_masked`];
      note.hidden = !masked;
      note.textContent = masked ? t('myinfo.masked_current', { value: masked }) : '';
      continue;
    }
    if (fields[name] !== undefined) input.value = fields[name];
  }
  renderDocumentFields(part);
}

// ------------------------------------------------------------ the states
function uploadFields(part) {
  const box = document.getElementById(`${part}-upload-fields`);
  const docs = views[part].documents || [];
  const wanted = docs.map((d) => d.field).join(',');
  if (box.dataset.fields === wanted) {
    for (const d of docs) renderChosen(d.field, d);
    return;
  }
  box.dataset.fields = wanted;
  box.replaceChildren(...docs.map((d) => {
    const div = document.createElement('div');
    div.className = 'field file-field';
    div.id = `field-${d.field}`;
    const label = document.createElement('label');
    label.htmlFor = d.field;
    const name = document.createElement('span');
    name.className = 'doc-label';
    const req = document.createElement('span');
    req.className = 'req';
    label.append(name, ' ', req);
    const error = document.createElement('p');
    error.className = 'field-error';
    error.id = `${d.field}-error`;
    error.hidden = true;
    const input = document.createElement('input');
    input.type = 'file';
    input.id = d.field;
    input.name = d.field;
    input.accept = '.jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf';
    input.setAttribute('aria-describedby', `${d.field}-error ${d.field}-chosen`);
    input.addEventListener('change', () => {
      renderChosen(d.field, d);
      const problem = fileProblem(d, input.files[0]);
      if (problem) showErrors(uploadOf(part), [problem], { focus: false });
    });
    const chosen = document.createElement('p');
    chosen.className = 'file-chosen';
    chosen.id = `${d.field}-chosen`;
    chosen.hidden = true;
    div.append(label, error, input, chosen);
    return div;
  }));
  for (const d of docs) renderChosen(d.field, d);
}

function renderChosen(field, doc) {
  const input = document.getElementById(field);
  const div = document.getElementById(`field-${field}`);
  div.querySelector('.doc-label').textContent = pick(doc, 'label');
  div.querySelector('.req').textContent = t(doc.required ? 'form.required' : 'form.optional');
  const note = document.getElementById(`${field}-chosen`);
  const file = input.files[0];
  note.hidden = !file;
  note.textContent = file ? t('file.chosen', { name: file.name, size: formatSize(file.size) }) : '';
}

/** The browser-side check of one chosen file (null when it looks right); the server decides by the bytes. */
function fileProblem(doc, file) {
  const name = { message_zh: doc.label_zh, message_en: doc.label_en };
  if (!file) return doc.required ? { field: doc.field, ...both('file.required', { f: name }) } : null;
  if (!(TYPES.has(file.type) || EXTENSIONS.test(file.name))) return { field: doc.field, ...both('file.wrong_type', { f: name }) };
  if (file.size > MAX_FILE_BYTES) return { field: doc.field, ...both('file.too_large', { f: name, size: formatSize(file.size) }) };
  return null;
}

function actorText(actor) {
  return t(actor === 'you' ? 'myinfo.actor.you' : actor === 'reviewer' ? 'myinfo.actor.reviewer' : 'myinfo.actor.system');
}

function inForceText(part) {
  const f = views[part].in_force || {};
  const values = Object.keys(PARTS[part].labels).map((name) => f[name] ?? f[`${name}_masked`]).filter(Boolean);
  return values.join(' · ');
}

function renderPart(part) {
  const view = views[part];
  const section = document.getElementById(`part-${part}`);
  section.hidden = false;
  section.dataset.state = view.state;
  const state = document.getElementById(`${part}-state`);
  state.className = `part-state state-${view.state}`;
  state.textContent = pick(view, 'message');
  const result = document.getElementById(`${part}-result`);
  result.hidden = !view.result_message_zh;
  result.textContent = view.result_message_zh ? pick(view, 'result_message') : '';
  const reason = document.getElementById(`${part}-reason`);
  reason.hidden = !view.reason;
  reason.textContent = view.reason ? t('status.reason_line', { reason: view.reason }) : '';
  showFacts(document.getElementById(`${part}-facts`), [
    ['myinfo.fact.state', t(`myinfo.state.${view.state}`)],
    ['myinfo.fact.submitted', view.submitted_at ? formatTime(view.submitted_at) : null],
    ['myinfo.fact.due', view.due_at ? formatTime(view.due_at) : null],
    ['myinfo.fact.in_force', view.pending ? inForceText(part) : null],
  ]);

  const form = formOf(part);
  const readOnly = ON_BEHALF && !info.editable;
  for (const el of form.elements) el.disabled = !view.accepts_save || readOnly;
  const upload = uploadOf(part);
  upload.hidden = !view.accepts_upload || readOnly;
  if (view.accepts_upload && !readOnly) uploadFields(part);

  const history = document.getElementById(`${part}-history`);
  document.getElementById(`${part}-history-box`).hidden = !(view.history || []).length;
  history.replaceChildren(...(view.history || []).map((h) => {
    const li = document.createElement('li');
    li.textContent = t('myinfo.history.line', {
      at: formatTime(h.at), who: actorText(h.actor), state: t(`myinfo.state.${h.state}`), result: t(`myinfo.result.${h.result}`),
    });
    return li;
  }));
}

function renderAll() {
  if (!info) return;
  for (const part of Object.keys(views)) renderPart(part);
  document.getElementById('myinfo-builtin').hidden = info.identity_service !== 'builtin';
  document.getElementById('myinfo-verified').hidden = !info.verified;
  const mobile = info.account?.mobile_masked;
  document.getElementById('mobile-current').textContent = mobile ?? t('myinfo.mobile.none');
  document.getElementById('field-old_mobile_code').hidden = !mobile;
}

// ------------------------------------------------------------- saving
function body(part) {
  const form = formOf(part);
  const out = {};
  for (const name of Object.keys(PARTS[part].labels)) {
    const input = form[name];
    if (!visible(input)) continue;
    let value = input.value.trim();
    if (PARTS[part].upper.includes(name)) value = value.toUpperCase();
    if (value) out[name] = value;
  }
  return out;
}

function localErrors(part) {
  const form = formOf(part);
  const errors = [];
  for (const [name, key] of Object.entries(PARTS[part].labels)) {
    const input = form[name];
    if (!visible(input) || input.value.trim() !== '') continue;
    // The server names the legal representative's missing type itself (FAQ 3.5), so that message is the one shown.
    if (name === 'legal_representative_type') continue;
    errors.push({ field: name, ...both(input.tagName === 'SELECT' ? 'reg.missing_choice' : 'reg.missing', { f: both(key) }) });
  }
  return errors;
}

async function onSave(event) {
  event.preventDefault();
  const part = event.currentTarget.dataset.part;
  const form = formOf(part);
  clearErrors();
  const errors = localErrors(part);
  if (errors.length) {
    showErrors(form, errors);
    return;
  }
  await busy(document.getElementById(`${part}-save`), async () => {
    let res;
    try {
      res = await api(`${BASE}/${part}`, { method: 'PUT', json: body(part) });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (res.ok) {
      // The other parts and the overall state may follow (the organization needs its representative).
      try { await refresh(); } catch { /* the saved part is shown from its own answer */ }
      views[part] = res.body;
      fill(part);
      renderAll();
      document.getElementById(`${part}-state`).scrollIntoView({ block: 'center' });
      return;
    }
    // 400 per field (FAQ 3.5-3.7 on the legal representative's fields), 409 a
    // document or organization another account holds (with the appeal), or
    // the part under review.
    showErrors(form, errorsOf(res));
  });
}

async function onUpload(event) {
  event.preventDefault();
  const part = event.currentTarget.dataset.part;
  const upload = uploadOf(part);
  clearErrors();
  const docs = views[part].documents || [];
  const problems = docs.map((d) => fileProblem(d, document.getElementById(d.field).files[0])).filter(Boolean);
  if (problems.length) {
    showErrors(upload, problems);
    return;
  }
  const data = new FormData();
  for (const d of docs) {
    const file = document.getElementById(d.field).files[0];
    if (file) data.append(d.field, file, file.name);
  }
  await busy(document.getElementById(`${part}-upload-submit`), async () => {
    let res;
    try {
      res = await api(`${BASE}/${part}/documents`, { method: 'POST', body: data });
    } catch {
      showErrors(upload, [both('error.network')]);
      return;
    }
    if (res.ok) {
      views[part] = res.body;
      renderAll();
      document.getElementById(`${part}-state`).scrollIntoView({ block: 'center' });
      return;
    }
    showErrors(upload, errorsOf(res));
  });
}

// ------------------------------------------------------ the reserved mobile
const mobileForm = document.getElementById('mobile-form');
const oldStatus = document.getElementById('old-sms-status');
let oldSent = null;

function renderOldSent() {
  oldStatus.hidden = !oldSent;
  oldStatus.textContent = oldSent ? t('myinfo.mobile.old_sent', { m: oldSent }) : '';
}

const sms = smsCode({
  button: document.getElementById('send-code'),
  status: document.getElementById('sms-status'),
  form: mobileForm,
  beside: 'new_mobile_code',
  request: () => {
    const mobile = mobileForm.new_mobile.value.trim();
    if (!mobile) return { error: { field: 'new_mobile', ...both('sms.need_mobile') } };
    return { path: '/api/my-info/mobile/codes', json: { new_mobile: mobile } };
  },
  field: (name) => (name === 'mobile' || !name ? 'new_mobile' : name),
  onSent: (sent) => {
    oldSent = sent.old_mobile_masked || null;
    renderOldSent();
    mobileForm.new_mobile_code.focus();
  },
});

async function onChangeMobile(event) {
  event.preventDefault();
  clearErrors();
  const json = {
    new_mobile: mobileForm.new_mobile.value.trim(),
    new_mobile_code: mobileForm.new_mobile_code.value.trim(),
    old_mobile_code: mobileForm.old_mobile_code.value.trim(),
  };
  const errors = [];
  if (!json.new_mobile) errors.push({ field: 'new_mobile', ...both('reg.missing', { f: both('field.new_reserved_mobile') }) });
  if (!json.new_mobile_code) errors.push({ field: 'new_mobile_code', ...both('reg.missing', { f: both('field.new_mobile_code') }) });
  if (visible(mobileForm.old_mobile_code) && !json.old_mobile_code) {
    errors.push({ field: 'old_mobile_code', ...both('reg.missing', { f: both('field.old_mobile_code') }) });
  }
  if (errors.length) {
    showErrors(mobileForm, errors);
    return;
  }
  await busy(document.getElementById('mobile-submit'), async () => {
    let res;
    try {
      res = await api('/api/my-info/mobile', { method: 'PUT', json });
    } catch {
      showErrors(mobileForm, [both('error.network')]);
      return;
    }
    if (!res.ok) {
      showErrors(mobileForm, errorsOf(res));
      return;
    }
    const done = document.getElementById('mobile-done');
    done.dataset.m = res.body.mobile_masked;
    done.textContent = t('myinfo.mobile.done', { m: res.body.mobile_masked });
    done.hidden = false;
    mobileForm.reset();
    sms.reset();
    oldSent = null;
    renderOldSent();
    try { await refresh(); } catch { /* shown below from what is known */ }
    renderAll();
  });
}

// ------------------------------------------------------------------ start
async function refresh() {
  const res = await api(BASE);
  if (!res.ok) throw res;
  info = res.body;
  for (const view of info.parts) views[view.part] = view;
}

async function main() {
  const { session, status } = await initHeader();
  const loading = document.getElementById('myinfo-loading');
  if (!session) {
    if (status === 200) {
      location.replace(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    } else {
      loading.hidden = true;
      showErrors(null, [status ? both('error.status', { n: status }) : both('error.network')]);
    }
    return;
  }
  try {
    await refresh();
  } catch (res) {
    loading.hidden = true;
    showErrors(null, res?.status ? errorsOf(res) : [both('error.network')]);
    return;
  }
  loading.hidden = true;
  for (const part of Object.keys(views)) fill(part);
  renderAll();
  document.getElementById('mobile-section').hidden = Boolean(ON_BEHALF);
  if (ON_BEHALF) {
    const note = document.getElementById('myinfo-on-behalf');
    note.dataset.i18n = info.editable ? 'myinfo.on_behalf.editable' : 'myinfo.on_behalf.read_only';
    note.textContent = t(note.dataset.i18n, { org: info.account?.org_name ?? '' });
    note.dataset.org = info.account?.org_name ?? '';
    note.hidden = false;
  }
}

for (const part of Object.keys(PARTS)) {
  formOf(part).addEventListener('submit', onSave);
  uploadOf(part).addEventListener('submit', onUpload);
  const spec = PARTS[part];
  if (spec.docType) formOf(part)[spec.docType].addEventListener('change', () => renderDocumentFields(part));
}
formOf('legal_representative').legal_representative_type.addEventListener('change', renderRepresentativeFields);
formOf('legal_representative').legal_representative_continent.addEventListener('change', renderCountries);
document.getElementById('send-code').addEventListener('click', sms.send);
mobileForm.addEventListener('submit', onChangeMobile);
document.addEventListener('langchange', () => {
  if (!info) return;
  renderCountries();
  for (const part of Object.keys(views)) {
    renderDocumentFields(part);
    for (const name of PARTS[part].masked) {
      const masked = views[part].fields?.[`${name}_masked`];
      if (masked) document.getElementById(`${name}-current`).textContent = t('myinfo.masked_current', { value: masked });
    }
  }
  renderAll();
  renderOldSent();
  const note = document.getElementById('myinfo-on-behalf');
  if (!note.hidden) note.textContent = t(note.dataset.i18n, { org: note.dataset.org });
  const done = document.getElementById('mobile-done');
  if (!done.hidden) done.textContent = t('myinfo.mobile.done', { m: done.dataset.m });
});
main();
