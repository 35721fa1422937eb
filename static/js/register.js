// Registration of a legal entity (/register/legal-entity) or a natural
// person (/register/natural-person): the form's data-kind says which.
// The mobile is verified by an SMS code; the confirmation password is
// checked here only (it is not sent).
import { t, both } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts, busy } from './form.js';
import { initHeader } from './header.js';
import { smsCode } from './sms-code.js';

const form = document.getElementById('register-form');
const kind = form.dataset.kind;

// Documents whose holder states a nationality (docs/design.md, "Identity rules").
const NATIONALITY_DOCS = new Set(['passport', 'permanent_resident_id']);

const REQUIRED = {
  legal_entity: ['login_name', 'password', 'password_confirm', 'org_name', 'uscc', 'mobile', 'sms_code'],
  natural_person: ['login_name', 'password', 'password_confirm', 'real_name', 'document_type', 'document_number', 'mobile', 'sms_code'],
}[kind];

// ------------------------------------------------------------- SMS code
const sms = smsCode({
  button: document.getElementById('send-code'),
  status: document.getElementById('sms-status'),
  form,
  beside: 'sms_code',
  request: () => {
    const mobile = form.mobile.value.trim();
    if (!mobile) return { error: { field: 'mobile', ...both('sms.need_mobile') } };
    return { path: '/api/registration/sms-codes', json: { mobile, purpose: 'registration' } };
  },
  onSent: () => form.sms_code.focus(),
});

// --------------------------------------------------- document fields (NP)
function renderDocumentFields() {
  if (kind !== 'natural_person') return;
  const type = form.document_type.value;
  const hint = document.getElementById('document_number-hint');
  const key = type ? `doc.${type}.hint` : 'field.document_number.hint';
  hint.dataset.i18n = key;
  hint.textContent = t(key);
  document.getElementById('field-nationality').hidden = !NATIONALITY_DOCS.has(type);
}

// ---------------------------------------------------------------- submit
function payload() {
  const value = (name) => form[name].value.trim();
  const body = { login_name: value('login_name'), password: form.password.value };
  if (kind === 'legal_entity') {
    Object.assign(body, { org_name: value('org_name'), uscc: value('uscc') });
  } else {
    Object.assign(body, {
      real_name: value('real_name'),
      document_type: form.document_type.value,
      document_number: value('document_number'),
    });
    if (NATIONALITY_DOCS.has(body.document_type) && value('nationality')) body.nationality = value('nationality').toUpperCase();
  }
  Object.assign(body, { mobile: value('mobile'), sms_code: value('sms_code') });
  return body;
}

function missing(name) {
  const key = form[name].tagName === 'SELECT' ? 'reg.missing_choice' : 'reg.missing';
  return { field: name, ...both(key, { f: both(`field.${name}`) }) };
}

function localErrors() {
  const errors = [];
  for (const name of REQUIRED) {
    const value = form[name].value;
    if ((name.startsWith('password') ? value : value.trim()) === '') errors.push(missing(name));
  }
  if (form.password.value && form.password_confirm.value && form.password.value !== form.password_confirm.value) {
    errors.push({ field: 'password_confirm', ...both('reg.password_mismatch') });
  }
  return errors;
}

let account = null; // the created account, shown in the success panel

function renderSuccess() {
  if (!account) return;
  const facts = [
    ['field.login_name', account.login_name],
    ...(kind === 'legal_entity'
      ? [['field.org_name', account.org_name], ['field.uscc', account.uscc]]
      : [['field.real_name', account.real_name], ['field.document_number', account.document_masked]]),
    ['field.mobile', account.mobile_masked],
  ];
  showFacts(document.getElementById('success-facts'), facts);
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors();
  const errors = localErrors();
  if (errors.length) {
    showErrors(form, errors);
    return;
  }
  await busy(form.querySelector('button[type=submit]'), async () => {
    try {
      const res = await api(form.dataset.endpoint, { json: payload() });
      if (res.status === 201) {
        account = res.body.account;
        renderSuccess();
        const login = document.getElementById('success-login');
        login.href = `/login?account_type=${kind}&login_name=${encodeURIComponent(account.login_name)}`;
        form.hidden = true;
        document.querySelector('.lead')?.setAttribute('hidden', '');
        const success = document.getElementById('success');
        success.hidden = false;
        success.focus();
        return;
      }
      showErrors(form, errorsOf(res));
    } catch {
      showErrors(form, [both('error.network')]);
    }
  });
}

// ------------------------------------------------------------------ init
initHeader();
const params = new URLSearchParams(location.search);
if (params.get('login_name')) form.login_name.value = params.get('login_name');
document.getElementById('send-code').addEventListener('click', sms.send);
form.addEventListener('submit', onSubmit);
if (kind === 'natural_person') {
  form.document_type.addEventListener('change', renderDocumentFields);
  renderDocumentFields();
}
document.addEventListener('langchange', renderSuccess);
