// The page's language and its texts. zh-CN by default; the English switch
// is remembered in localStorage (the API hears it as Accept-Language, see
// api.js).
//
// Every user-facing string lives in texts.json as [zh, en]; the server
// fills the Chinese into the page when it serves it (shared::site), and
// apply() puts the chosen language in. Pages mark an element's text with
// data-i18n="key" and its attributes with
// data-i18n-attr="aria-label:key; placeholder:key"; data-i18n-lang="en"
// keeps an element in that language whichever is chosen.
import texts from './texts.json' with { type: 'json' };

const LANGS = ['zh', 'en'];

/** The chosen language: 'zh' or 'en'. */
export function lang() {
  let saved = null;
  try { saved = localStorage.getItem('lang'); } catch { saved = null; }
  return saved === 'en' ? 'en' : 'zh';
}

/** The language tag of `l` (for <html lang> and Accept-Language). */
export function langTag(l = lang()) {
  return l === 'en' ? 'en' : 'zh-CN';
}

function fill(s, vars, pickVar) {
  return s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? pickVar(vars[k]) : m));
}

function textIn(l, key) {
  const pair = texts[key];
  return pair ? pair[LANGS.indexOf(l)] : key;
}

/** The text of `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars) {
  const s = textIn(lang(), key);
  return vars ? fill(s, vars, String) : s;
}

/**
 * Both languages of `key`, as an API-style object (for form.js errors). A
 * value in `vars` may itself be such an object (e.g. both('field.uscc')).
 */
export function both(key, vars = {}) {
  const [zh, en] = LANGS.map((l) => fill(textIn(l, key), vars, (v) => (typeof v === 'object' ? v[`message_${l}`] : String(v))));
  return { message_zh: zh, message_en: en };
}

/** Picks the message of an API object in the current language. */
export function pick(obj, base = 'message') {
  if (!obj) return '';
  return obj[`${base}_${lang()}`] ?? obj[base] ?? '';
}

/** Puts the current language into every marked element below `root`. */
export function apply(root = document) {
  const l = lang();
  document.documentElement.lang = langTag(l);
  const own = (el) => (LANGS.includes(el.dataset.i18nLang) ? el.dataset.i18nLang : l);
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = textIn(own(el), el.dataset.i18n);
  }
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const part of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = part.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, textIn(own(el), key));
    }
  }
}

/** Switches the language: remembered, applied, and announced ('langchange') to what re-renders itself. */
export function setLang(l) {
  try { localStorage.setItem('lang', l); } catch { /* private mode: this page only */ }
  apply();
  document.dispatchEvent(new CustomEvent('langchange'));
}

/** A time (ms since the epoch) in China time, in the current language. */
export function formatTime(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(Number(ms))) return '—';
  return new Intl.DateTimeFormat(langTag(), {
    timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  }).format(new Date(Number(ms)));
}

/** A size in bytes as KB / MB. */
export function formatSize(bytes) {
  const n = Number(bytes) || 0;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
