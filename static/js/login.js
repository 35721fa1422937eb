// Login (/login): 法人登录 / 自然人登录 tabs, then login name + password.
// Errors lead somewhere (FAQ preface and 1): the wrong login type says which
// one to use, "wrong login name or password" lists the WP+name, other type,
// check and reset steps.
import { t, both } from './i18n.js';
import { api, errorsOf, retryAfter } from './api.js';
import { clearErrors, showErrors, guidanceBox, busy } from './form.js';
import { initHeader } from './header.js';

const form = document.getElementById('login-form');
const help = document.getElementById('login-help');
const tabs = [...document.querySelectorAll('[role=tab]')];
const TYPES = ['legal_entity', 'natural_person'];

let helpState = null; // what the help box shows: { kind, ... }; re-rendered on language change

/** `next` if it is a path on this site ("/x", not "//host" or "/\\host"), else /account. */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/account';
  if (/[\u0000-\u001f\\]/.test(next)) return '/account';
  return next;
}

function accountType() { return form.account_type.value; }

function selectType(type) {
  if (!TYPES.includes(type)) return;
  form.account_type.value = type;
  for (const tab of tabs) {
    const selected = tab.dataset.accountType === type;
    tab.setAttribute('aria-selected', String(selected));
    if (selected) form.setAttribute('aria-labelledby', tab.id);
  }
  const hint = document.getElementById('login-type-hint');
  hint.dataset.i18n = `login.${type}.hint`;
  hint.textContent = t(hint.dataset.i18n);
}

function switchButton(type, after) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'secondary';
  button.id = `use-${type}`;
  button.textContent = t(type === 'natural_person' ? 'login.use_natural_person' : 'login.use_legal_entity');
  button.addEventListener('click', () => {
    selectType(type);
    clearErrors();
    setHelp(null);
    after?.();
  });
  return button;
}

function setHelp(state) {
  helpState = state;
  renderHelp();
}

function renderHelp() {
  help.replaceChildren();
  help.className = 'help-box';
  if (!helpState) { help.hidden = true; return; }
  const state = helpState;
  if (state.kind === 'wrong_type') {
    // FAQ preface: an old account that became a natural-person account.
    const h = document.createElement('h2');
    h.textContent = t('login.wrong_type.heading');
    const row = document.createElement('p');
    row.append(switchButton(state.use, () => form.querySelector('button[type=submit]').focus()));
    help.append(h, row);
  } else if (state.kind === 'invalid') {
    // FAQ 1: WP + old name, then the other login type, then check, then reset.
    const h = document.createElement('h2');
    h.textContent = t('login.help.heading');
    const ol = document.createElement('ol');
    const name = state.loginName;
    const wp = document.createElement('li');
    wp.append(t('login.help.wp'));
    if (name && !/^wp/i.test(name)) {
      const tryWp = document.createElement('button');
      tryWp.type = 'button';
      tryWp.className = 'link-button';
      tryWp.id = 'try-wp';
      tryWp.textContent = t('login.help.try_wp', { name: `WP${name}` });
      tryWp.addEventListener('click', () => {
        form.login_name.value = `WP${name}`;
        updateForgot();
        clearErrors();
        setHelp(null);
        form.password.focus();
      });
      wp.append(' ', tryWp);
    }
    const other = document.createElement('li');
    other.append(t(state.type === 'legal_entity' ? 'login.help.other_type' : 'login.help.other_type_np'), ' ');
    other.append(switchButton(state.type === 'legal_entity' ? 'natural_person' : 'legal_entity', () => form.password.focus()));
    const check = document.createElement('li');
    const checkLink = document.createElement('a');
    checkLink.href = '/register';
    checkLink.textContent = t('login.help.check');
    check.append(checkLink);
    const reset = document.createElement('li');
    const resetLink = document.createElement('a');
    resetLink.href = name ? `/password-reset?login_name=${encodeURIComponent(name)}` : '/password-reset';
    resetLink.textContent = t('login.help.reset');
    reset.append(resetLink);
    ol.append(wp, other, check, reset);
    help.append(h, ol);
  } else if (state.kind === 'guidance') {
    help.append(guidanceBox(state.guidance));
  }
  help.hidden = false;
}

async function onSubmit(event) {
  event.preventDefault();
  clearErrors();
  setHelp(null);
  const loginName = form.login_name.value.trim();
  const password = form.password.value;
  const missing = [];
  if (!loginName) missing.push({ field: 'login_name', ...both('reg.missing', { f: both('field.login_name') }) });
  if (!password) missing.push({ field: 'password', ...both('reg.missing', { f: both('field.password') }) });
  if (missing.length) {
    showErrors(form, missing);
    return;
  }
  const type = accountType();
  await busy(form.querySelector('button[type=submit]'), async () => {
    let res;
    try {
      res = await api('/api/auth/login', { json: { account_type: type, login_name: loginName, password } });
    } catch {
      showErrors(form, [both('error.network')]);
      return;
    }
    if (res.ok) {
      location.assign(safeNext(new URLSearchParams(location.search).get('next')));
      return;
    }
    const errors = errorsOf(res);
    const error = res.body?.error;
    const code = error?.code;
    if (code === 'auth.wrong_account_type') {
      const use = error.details?.use_account_type;
      if (TYPES.includes(use)) setHelp({ kind: 'wrong_type', use });
      showErrors(form, errors.map((e) => ({ ...e, field: null })));
      return;
    }
    if (code === 'auth.invalid_credentials') {
      // Not the password field's fault alone: the summary names the error,
      // the help box below (richer than the API's guidance) the way out.
      showErrors(form, errors.map((e) => ({ ...e, field: null, details: undefined })));
      setHelp({ kind: 'invalid', loginName, type });
      return;
    }
    if (res.status === 429) {
      const wait = retryAfter(res);
      const note = wait ? both('login.retry_in', { n: wait }) : null;
      // The API's message usually names the wait already; add it only when not.
      const names = (e) => `${e.message_zh ?? ''}${e.message_en ?? ''}`.includes(String(wait));
      showErrors(form, errors.map((e) => (note && !names(e) ? {
        ...e,
        message: undefined,
        message_zh: `${e.message_zh ?? ''} ${note.message_zh}`.trim(),
        message_en: `${e.message_en ?? ''} ${note.message_en}`.trim(),
      } : e)));
      return;
    }
    // Anything else (400 per field, 403 password disabled / not set with
    // its guidance): form.js shows it, guidance included.
    showErrors(form, errors);
  });
}

// ------------------------------------------------------------------ init
initHeader();
const params = new URLSearchParams(location.search);
selectType(TYPES.includes(params.get('account_type')) ? params.get('account_type') : 'legal_entity');
if (params.get('login_name')) form.login_name.value = params.get('login_name');
for (const tab of tabs) {
  tab.addEventListener('click', () => {
    if (tab.dataset.accountType === accountType()) return;
    selectType(tab.dataset.accountType);
    clearErrors();
    setHelp(null);
  });
  // Arrow keys move between the two tabs as well (both stay in the Tab order).
  tab.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = tabs[(tabs.indexOf(tab) + 1) % tabs.length];
    next.focus();
    next.click();
  });
}
form.addEventListener('submit', onSubmit);
document.addEventListener('langchange', renderHelp);
// 忘记密码 carries the login name typed so far to the reset page.
const forgot = document.getElementById('forgot-link');
function updateForgot() {
  const name = form.login_name.value.trim();
  forgot.href = name ? `/password-reset?login_name=${encodeURIComponent(name)}` : '/password-reset';
}
form.login_name.addEventListener('input', updateForgot);
updateForgot();
