// zh-CN by default; the English switch is remembered (localStorage, and a
// `lang` cookie so the server can answer in the same language).
const texts = {
  'site.title': ['科学技术部政务服务平台', 'Ministry of Science and Technology Online Services'],
  'site.platform': ['科学技术部政务服务平台', 'MOST Online Government Services'],
  'site.system': ['外国人来华工作管理服务系统', 'Foreign Work in China Management Service System'],
  'site.skip': ['跳到主要内容', 'Skip to main content'],
  'form.error_summary': ['请修正以下问题', 'Please fix the following'],
  'field.login_name': ['登录名', 'Login name'],
  'field.login_name.hint': ['4–50 位字母、数字或 _ - . @，以字母或数字开头', '4-50 letters, digits or _ - . @, starting with a letter or digit'],
  'check.heading': ['检索登录名是否已注册', 'Check whether a login name is registered'],
  'check.intro': [
    '原外国人来华工作管理服务系统的账号迁移后登录名为 WP+原登录名。忘记是否注册过？先在这里检索。',
    'Accounts migrated from the old foreign-work system log in as WP + the old name. Not sure whether you registered? Check here first.',
  ],
  'check.submit': ['检索', 'Check'],
  'check.registered': ['登录名已被注册', 'The login name is registered'],
  'check.available': ['登录名未被注册', 'The login name is not registered'],
  'error.network': ['网络连接失败，请检查网络后重试。', 'The network request failed; check your connection and try again.'],
};

export function lang() {
  const saved = localStorage.getItem('lang');
  return saved === 'en' ? 'en' : 'zh';
}

export function t(key) {
  const pair = texts[key];
  if (!pair) return key;
  return lang() === 'en' ? pair[1] : pair[0];
}

/** Picks the message of an API object in the current language. */
export function pick(obj, base = 'message') {
  return obj[`${base}_${lang()}`] ?? obj[base];
}

export function apply() {
  const l = lang();
  document.documentElement.lang = l === 'en' ? 'en' : 'zh-CN';
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
  const sw = document.getElementById('lang-switch');
  if (sw) {
    sw.textContent = l === 'en' ? '中文' : 'English';
    sw.setAttribute('aria-label', l === 'en' ? '切换到中文' : 'Switch to English');
  }
}

export function setLang(l) {
  localStorage.setItem('lang', l);
  document.cookie = `lang=${l}; Path=/; SameSite=Lax; Max-Age=31536000`;
  apply();
  document.dispatchEvent(new CustomEvent('langchange'));
}

/** fetch() for our API: sends the UI language, parses the JSON. */
export async function api(path, options = {}) {
  const headers = { 'accept': 'application/json', 'accept-language': lang() === 'en' ? 'en' : 'zh-CN', ...(options.headers || {}) };
  const response = await fetch(path, { ...options, headers, credentials: 'same-origin' });
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  return { status: response.status, ok: response.ok, body };
}

export function init() {
  apply();
  document.getElementById('lang-switch')?.addEventListener('click', () => setLang(lang() === 'en' ? 'zh' : 'en'));
}
