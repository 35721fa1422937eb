// Registration of a legal entity (/register/legal-entity) or a natural
// person (/register/natural-person): the form's data-kind says which.
// The mobile is verified by an SMS code; the confirmation password is
// checked here only (it is not sent).
import { t, api, both, errorsOf, retryAfter } from './i18n.js';
import { clearErrors, showErrors, busy } from './form.js';
import { initHeader } from './header.js';

const form = document.getElementById('register-form');
const kind = form.dataset.kind;
const sendButton = document.getElementById('send-code');
const smsStatus = document.getElementById('sms-status');

// Documents whose holder states a nationality (DESIGN.md identity rules).
const NATIONALITY_DOCS = new Set(['passport', 'permanent_resident_id']);

const REQUIRED = {
  legal_entity: ['login_name', 'password', 'password_confirm', 'org_name', 'uscc', 'mobile', 'sms_code'],
  natural_person: ['login_name', 'password', 'password_confirm', 'real_name', 'document_type', 'document_number', 'mobile', 'sms_code'],
}[kind];

// ------------------------------------------------------------- SMS code
let countdown = null; // { until: ms timestamp, timer }
let smsNote = null; // () => text of the status line, re-run on language change

function renderSendButton() {
  if (countdown) {
    const left = Math.max(0, Math.ceil((countdown.until - Date.now()) / 1000));
    if (left > 0) {
      sendButton.disabled = true;
      sendButton.textContent = t('sms.resend_in', { n: left });
      return;
    }
    clearInterval(countdown.timer);
    countdown = null;
    sendButton.disabled = false;
    sendButton.textContent = t('sms.resend');
    return;
  }
  sendButton.textContent = t(sendButton.dataset.sent ? 'sms.resend' : 'sms.send');
}

function startCountdown(seconds) {
  if (countdown) clearInterval(countdown.timer);
  countdown = { until: Date.now() + seconds * 1000, timer: setInterval(renderSendButton, 1000) };
  renderSendButton();
}

function setSmsNote(fn) {
  smsNote = fn;
  smsStatus.textContent = fn ? fn() : '';
  smsStatus.hidden = !fn;
}

async function sendCode() {
  clearErrors();
  const mobile = form.mobile.value.trim();
  if (!mobile) {
    showErrors(form, [{ field: 'mobile', ...both('sms.need_mobile') }]);
    return;
  }
  sendButton.disabled = true;
  sendButton.textContent = t('sms.sending');
  try {
    const res = await api('/api/registration/sms-codes', { json: { mobile, purpose: 'registration' } });
    if (res.status === 202) {
      const { mobile_masked: masked, expires_in_seconds: expires, resend_after_seconds: resend } = res.body;
      sendButton.dataset.sent = 'true';
      setSmsNote(() => t('sms.sent', { m: masked, n: Math.max(1, Math.round(expires / 60)) }));
      startCountdown(Number(resend) > 0 ? Number(resend) : 60);
      form.sms_code.focus();
      return;
    }
    const errors = errorsOf(res);
    if (res.status === 429) {
      const wait = retryAfter(res);
      if (wait) startCountdown(wait);
      // The wait concerns the code: show it there unless the API named a field.
      showErrors(form, errors.map((e) => (e.field && e.field !== 'purpose' ? e : { ...e, field: 'sms_code' })));
      return;
    }
    showErrors(form, errors);
  } catch {
    showErrors(form, [both('error.network')]);
  } finally {
    if (!countdown) { sendButton.disabled = false; renderSendButton(); }
  }
}

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
  const dl = document.getElementById('success-facts');
  dl.replaceChildren(...facts.filter(([, v]) => v).flatMap(([key, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = t(key);
    const dd = document.createElement('dd');
    dd.textContent = value;
    return [dt, dd];
  }));
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
sendButton.addEventListener('click', sendCode);
form.addEventListener('submit', onSubmit);
if (kind === 'natural_person') {
  form.document_type.addEventListener('change', renderDocumentFields);
  renderDocumentFields();
}
document.addEventListener('langchange', () => {
  renderSendButton();
  if (smsNote) smsStatus.textContent = smsNote();
  renderSuccess();
});
