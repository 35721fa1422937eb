// Recovery appeals (/appeal/legal-entity, /appeal/natural-person; FAQ 1(2),
// 2, 3.3, 3.4): the form's data-kind says which. The new mobile is verified
// by an SMS code; the scans go with the fields as multipart/form-data
// (FormData: the browser sets the boundary). Files are checked here for
// type and size so a wrong one is caught before uploading 5 MB, but the
// server decides by the bytes and names the file field in its answer.
import { t, both, formatTime, formatSize } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';
import { smsCode } from './sms-code.js';

const form = document.getElementById('appeal-form');
const kind = form.dataset.kind;

const MAX_FILE_BYTES = 5 * 1024 * 1024;
const EXTENSIONS = /\.(jpe?g|png|pdf)$/i;
const TYPES = new Set(['image/jpeg', 'image/png', 'application/pdf']);
// Documents whose holder states a nationality (docs/design.md, "Identity rules").
const NATIONALITY_DOCS = new Set(['passport', 'permanent_resident_id']);

const SPEC = {
  legal_entity: {
    text: ['org_name', 'uscc', 'legal_representative_name', 'applicant_name', 'applicant_document_type',
      'applicant_document_number', 'new_mobile', 'sms_code'],
    docType: 'applicant_document_type',
    docNumber: 'applicant_document_number',
    nationality: 'applicant_nationality',
    files: { id_front: 'file.id_front', id_back: 'file.id_back', business_licence: 'file.business_licence' },
    required: ['id_front', 'id_back'],
    labels: {
      org_name: 'field.org_name', uscc: 'field.uscc', legal_representative_name: 'field.legal_representative_name',
      applicant_name: 'field.applicant_name', applicant_document_type: 'field.applicant_document_type',
      applicant_document_number: 'field.applicant_document_number', new_mobile: 'field.new_mobile', sms_code: 'field.sms_code',
    },
  },
  natural_person: {
    text: ['real_name', 'document_type', 'document_number', 'new_mobile', 'sms_code'],
    docType: 'document_type',
    docNumber: 'document_number',
    nationality: 'nationality',
    files: { document_front: 'file.document_front', document_back: 'file.document_back' },
    required: ['document_front', 'document_back'],
    labels: {
      real_name: 'field.real_name', document_type: 'field.document_type', document_number: 'field.document_number',
      new_mobile: 'field.new_mobile', sms_code: 'field.sms_code',
    },
  },
}[kind];

// ------------------------------------------------------------- SMS code
/** The code endpoint names the number `mobile`; on this page it is `new_mobile`. */
const onNewMobile = (name) => (name === 'mobile' || !name ? 'new_mobile' : name);

const sms = smsCode({
  button: document.getElementById('send-code'),
  status: document.getElementById('sms-status'),
  form,
  beside: 'sms_code',
  request: () => {
    const mobile = form.new_mobile.value.trim();
    if (!mobile) return { error: { field: 'new_mobile', ...both('sms.need_mobile') } };
    return { path: '/api/appeals/sms-codes', json: { mobile } };
  },
  field: onNewMobile,
  onSent: () => form.sms_code.focus(),
});

// ------------------------------------------------------ document fields
function renderDocumentFields() {
  const type = form[SPEC.docType].value;
  const hint = document.getElementById(`${SPEC.docNumber}-hint`);
  const key = type ? `doc.${type}.hint` : 'field.document_number.hint';
  hint.dataset.i18n = key;
  hint.textContent = t(key);
  document.getElementById(`field-${SPEC.nationality}`).hidden = !NATIONALITY_DOCS.has(type);
}

// ----------------------------------------------------------------- files
function fileLabel(name) { return both(SPEC.files[name]); }

/** The browser-side check of one chosen file (null when it looks right). */
function fileProblem(name, file) {
  if (!file) return SPEC.required.includes(name) ? { field: name, ...both('file.required', { f: fileLabel(name) }) } : null;
  if (!(TYPES.has(file.type) || EXTENSIONS.test(file.name))) {
    return { field: name, ...both('file.wrong_type', { f: fileLabel(name) }) };
  }
  if (file.size > MAX_FILE_BYTES) {
    return { field: name, ...both('file.too_large', { f: fileLabel(name), size: formatSize(file.size) }) };
  }
  return null;
}

function renderChosen(name) {
  const input = form[name];
  const note = document.getElementById(`${name}-chosen`);
  const file = input.files[0];
  note.hidden = !file;
  note.textContent = file ? t('file.chosen', { name: file.name, size: formatSize(file.size) }) : '';
}

function onFileChange(event) {
  const name = event.target.name;
  renderChosen(name);
  const problem = fileProblem(name, event.target.files[0]);
  if (problem) showErrors(form, [problem], { focus: false });
}

// ---------------------------------------------------------------- submit
function localErrors() {
  const errors = [];
  for (const name of SPEC.text) {
    if (form[name].value.trim() === '') {
      const key = form[name].tagName === 'SELECT' ? 'reg.missing_choice' : 'reg.missing';
      errors.push({ field: name, ...both(key, { f: both(SPEC.labels[name]) }) });
    }
  }
  for (const name of Object.keys(SPEC.files)) {
    const problem = fileProblem(name, form[name].files[0]);
    if (problem) errors.push(problem);
  }
  return errors;
}

function formData() {
  const data = new FormData();
  data.append('kind', kind);
  for (const name of SPEC.text) {
    let value = form[name].value.trim();
    if (name === 'uscc' || name === SPEC.docNumber) value = value.toUpperCase();
    data.append(name, value);
  }
  if (NATIONALITY_DOCS.has(form[SPEC.docType].value) && form[SPEC.nationality].value.trim()) {
    data.append(SPEC.nationality, form[SPEC.nationality].value.trim().toUpperCase());
  }
  for (const name of Object.keys(SPEC.files)) {
    const file = form[name].files[0];
    if (file) data.append(name, file, file.name);
  }
  return data;
}

let filed = null; // { number, due_at, mobile }

function renderSuccess() {
  if (!filed) return;
  document.getElementById('success-number').textContent = filed.number;
  document.getElementById('success-due').textContent = formatTime(filed.due_at);
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors();
  const errors = localErrors();
  if (errors.length) {
    showErrors(form, errors);
    return;
  }
  await busy(document.getElementById('appeal-submit'), async () => {
    let res;
    try {
      res = await api('/api/appeals', { method: 'POST', body: formData() });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (res.status === 201) {
      filed = { ...res.body, mobile: form.new_mobile.value.trim() };
      renderSuccess();
      const query = new URLSearchParams({ number: filed.number }); // never the mobile in a URL
      document.getElementById('success-status').href = `/appeal/status?${query}`;
      sms.stop();
      form.hidden = true;
      document.getElementById('appeal-intro').hidden = true;
      const success = document.getElementById('success');
      success.hidden = false;
      success.focus();
      return;
    }
    // 400 per field (the SMS code on sms_code, the files on their inputs),
    // 404 no matching account (on uscc / document_number with the
    // register-instead guidance), 409 already open, 413 a file too large.
    showErrors(form, errorsOf(res).map((e) => (e.field === 'mobile' ? { ...e, field: 'new_mobile' } : e)));
  });
}

// ------------------------------------------------------------------ init
initHeader();
document.getElementById('send-code').addEventListener('click', sms.send);
form.addEventListener('submit', onSubmit);
form[SPEC.docType].addEventListener('change', renderDocumentFields);
renderDocumentFields();
for (const name of Object.keys(SPEC.files)) {
  form[name].addEventListener('change', onFileChange);
  renderChosen(name);
}
document.addEventListener('langchange', () => {
  for (const name of Object.keys(SPEC.files)) renderChosen(name);
  renderSuccess();
});
