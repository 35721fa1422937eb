// Password reset by login name (/password-reset, FAQ 1(1)).
// Step 1: the login name -> an SMS code to the account's reserved mobile
// (shown masked). An unknown name leads to the registration check and the
// WP + old name hint (FAQ 1); no reserved mobile leads to the appeal of the
// account's kind (the API's guidance, shown under the field).
// Step 2: the code and the new password twice (the confirmation is checked
// here only, never sent) -> every session revoked, then log in again.
// After an approved appeal (?appeal=1, or the toggle): no step 1; the login
// name and the code come from the appeal-approved SMS (code_kind "appeal").
import { t, both } from './i18n.js';
import { api, errorsOf } from './api.js';
import { clearErrors, showErrors, showFacts, busy } from './form.js';
import { initHeader } from './header.js';
import { smsCode } from './sms-code.js';

const forms = document.getElementById('reset-forms'); // errors are placed on the inputs of both forms
const codeForm = document.getElementById('code-form');
const resetForm = document.getElementById('reset-form');
const loginInput = document.getElementById('login_name');
const sendButton = document.getElementById('send-code');
const wpTry = document.getElementById('wp-try');
const KINDS = ['legal_entity', 'natural_person'];

let sentFor = null; // the login name the last code was sent for
let wpName = null; // the WP+name offered after a 404
let done = null; // the 200 answer, shown in the success panel
let appealMode = false; // the code comes from the appeal-approved SMS
const loginField = document.getElementById('field-login_name');
const loginFieldHome = loginField.parentElement;
const toggle = document.getElementById('appeal-toggle');

// ------------------------------------------------ FAQ 1: WP + old name
function renderWpTry() {
  wpTry.replaceChildren();
  wpTry.hidden = !wpName;
  if (!wpName) return;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'link-button';
  button.id = 'try-wp';
  button.textContent = t('reset.try_wp', { name: wpName });
  button.addEventListener('click', () => {
    loginInput.value = wpName;
    onLoginNameChange();
    sendButton.focus();
    codeForm.requestSubmit();
  });
  wpTry.append(button);
}

function setWpName(name) {
  wpName = name;
  renderWpTry();
}

// ---------------------------------------------------------- step 1: code
const sms = smsCode({
  button: sendButton,
  status: document.getElementById('sms-status'),
  form: forms,
  // The API's limits name the mobile, which this page does not show: a
  // wait belongs to the send button, beside the login name.
  beside: 'login_name',
  request: () => {
    const loginName = loginInput.value.trim();
    if (!loginName) return { error: { field: 'login_name', ...both('reg.missing', { f: both('field.login_name') }) } };
    return { path: '/api/password-reset/codes', json: { login_name: loginName } };
  },
  onSent: (body, req) => {
    sentFor = req.json.login_name;
    resetForm.hidden = false;
    resetForm.sms_code.focus();
  },
  // 404 unknown name (guidance: the registration check), 409 no reserved
  // mobile (guidance: the appeal): both name login_name, so form.js puts
  // the message and the guidance under the field. An unknown name may be
  // an old one: offer WP + it (FAQ 1).
  onRefused: (res) => {
    const name = loginInput.value.trim();
    if (res.body?.error?.code === 'password_reset.unknown_login_name' && !/^wp/i.test(name)) setWpName(`WP${name}`);
  },
});

function sendCode(event) {
  event.preventDefault();
  setWpName(null);
  sms.send();
}

/** A different login name than the code was sent for: step 2 starts over. */
function onLoginNameChange() {
  if (sentFor === null || loginInput.value.trim() === sentFor) return;
  sentFor = null;
  sms.reset();
  resetForm.hidden = true;
  resetForm.sms_code.value = '';
}

// -------------------------------------------------------- step 2: confirm
function localErrors() {
  const errors = [];
  const need = (name, label) => errors.push({ field: name, ...both('reg.missing', { f: both(label) }) });
  if (appealMode && !loginInput.value.trim()) need('login_name', 'field.login_name');
  if (!resetForm.sms_code.value.trim()) need('sms_code', 'field.sms_code');
  if (!resetForm.new_password.value) need('new_password', 'reset.new_password');
  if (!resetForm.new_password_confirm.value) need('new_password_confirm', 'reset.new_password_confirm');
  if (resetForm.new_password.value && resetForm.new_password_confirm.value
    && resetForm.new_password.value !== resetForm.new_password_confirm.value) {
    errors.push({ field: 'new_password_confirm', ...both('reg.password_mismatch') });
  }
  return errors;
}

function renderSuccess() {
  if (!done) return;
  const facts = [['field.login_name', done.login_name]];
  if (KINDS.includes(done.account_kind)) facts.push(['account.kind', t(`account.kind.${done.account_kind}`)]);
  showFacts(document.getElementById('success-facts'), facts);
}

async function confirm(event) {
  event.preventDefault();
  clearErrors();
  setWpName(null);
  if (!sentFor && !appealMode) {
    showErrors(forms, [{ field: 'login_name', ...both('reset.need_code_first') }]);
    return;
  }
  const errors = localErrors();
  if (errors.length) {
    showErrors(forms, errors);
    return;
  }
  await busy(resetForm.querySelector('button[type=submit]'), async () => {
    let res;
    try {
      const json = appealMode
        ? { login_name: loginInput.value.trim(), sms_code: resetForm.sms_code.value.trim(), new_password: resetForm.new_password.value, code_kind: 'appeal' }
        : { login_name: sentFor, sms_code: resetForm.sms_code.value.trim(), new_password: resetForm.new_password.value };
      res = await api('/api/password-reset/confirmations', { json });
    } catch {
      showErrors(forms, [both('error.network')]);
      return;
    }
    if (res.ok) {
      done = res.body;
      renderSuccess();
      const login = new URLSearchParams({ login_name: done.login_name ?? (appealMode ? loginInput.value.trim() : sentFor) });
      if (KINDS.includes(done.account_kind)) login.set('account_type', done.account_kind);
      document.getElementById('success-login').href = `/login?${login}`;
      sms.stop();
      forms.hidden = true;
      document.getElementById('reset-intro').hidden = true;
      toggle.parentElement.hidden = true;
      const success = document.getElementById('success');
      success.hidden = false;
      success.focus();
      return;
    }
    // 400s name sms_code (wrong: tries left in the message; expired, used,
    // locked: get a new code with the button above), new_password (the
    // policy) or login_name; form.js puts each beside its input.
    showErrors(forms, errorsOf(res));
  });
}

// ------------------------------------------------- appeal-approved SMS
function setText(el, key) {
  el.dataset.i18n = key;
  el.textContent = t(key);
}

/**
 * Appeal mode: step 1 goes away, the login name moves into step 2 (so
 * errors naming login_name land on it), the texts say "set" not "reset".
 */
function setAppealMode(on) {
  appealMode = on;
  clearErrors();
  setWpName(null);
  if (on) {
    resetForm.querySelector('fieldset legend').after(loginField);
    sentFor = null;
    sms.reset();
  } else {
    loginFieldHome.prepend(loginField);
    resetForm.sms_code.value = '';
  }
  codeForm.hidden = on;
  resetForm.hidden = !on;
  sendButton.hidden = on;
  setText(document.getElementById('reset-heading'), on ? 'reset.appeal.heading' : 'reset.heading');
  setText(document.getElementById('reset-intro'), on ? 'reset.appeal.intro' : 'reset.intro');
  setText(document.getElementById('reset-step2'), on ? 'reset.appeal.step' : 'reset.step2');
  setText(document.getElementById('login_name-hint'), on ? 'reset.appeal.login_hint' : 'field.login_name.login_hint');
  setText(document.getElementById('sms_code-hint'), on ? 'reset.appeal.code_hint' : 'reset.sms_code.hint');
  setText(document.getElementById('reset-submit'), on ? 'reset.appeal.submit' : 'reset.submit');
  setText(document.getElementById('success-heading'), on ? 'reset.appeal.success' : 'reset.success');
  setText(toggle, on ? 'reset.normal_toggle' : 'reset.appeal_toggle');
  const url = new URL(location.href);
  if (on) url.searchParams.set('appeal', '1'); else url.searchParams.delete('appeal');
  toggle.href = on ? url.pathname : `${url.pathname}?appeal=1`;
  history.replaceState(null, '', url);
}

// ------------------------------------------------------------------ init
initHeader();
const params = new URLSearchParams(location.search);
if (params.get('login_name')) loginInput.value = params.get('login_name').trim();
toggle.addEventListener('click', (event) => {
  event.preventDefault();
  setAppealMode(!appealMode);
  (appealMode && !loginInput.value ? loginInput : appealMode ? resetForm.sms_code : loginInput).focus();
});
if (params.get('appeal') === '1') setAppealMode(true);
codeForm.addEventListener('submit', sendCode);
resetForm.addEventListener('submit', confirm);
loginInput.addEventListener('input', onLoginNameChange);
document.addEventListener('langchange', () => {
  renderWpTry();
  renderSuccess();
});
