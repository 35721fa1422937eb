// One source of truth for every text: static/js/texts.json holds each
// user-facing string in Chinese and English; pages and scripts name keys.
// This reads the files (no server, no browser) and fails when a key lacks a
// language, when a page or script names a key the dictionary does not
// have, when a key is used nowhere, when a page writes text or a
// user-facing attribute of its own, or when a script writes Chinese.
// Form fields are expanded by the server from one definition each
// (shared/src/site/fields.rs): the keys of their labels, hints and choices
// are read from there, a page's own `hint` from its <x-field> or <x-group>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const STATIC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'static');
const texts = JSON.parse(readFileSync(join(STATIC, 'js', 'texts.json'), 'utf8'));

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}
const files = walk(STATIC);
const read = (file) => ({ name: relative(STATIC, file), text: readFileSync(file, 'utf8') });
const pages = files.filter((f) => f.endsWith('.html')).map(read);
const scripts = files.filter((f) => f.endsWith('.js')).map(read);
const LAYOUT = '_layout.html';
// Groups of fields (static/_fields/NAME.html): parts of pages, not pages.
const GROUP = /^_fields\//;

// Letters or digits in any script: text a person reads.
const READABLE = /[\p{L}\p{N}]/u;
const CHINESE = /[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]/u;
// Attributes a person reads (or hears): they come from data-i18n-attr.
const SPOKEN_ATTRIBUTES = ['aria-label', 'aria-description', 'title', 'placeholder', 'alt'];
// A slot of the layout: {{name}}.
const SLOT = /\{\{\w+\}\}/g;
const IS_SLOT = /^\{\{\w+\}\}$/;

// ------------------------------------------------------------ HTML tokens
const TOKEN = /<!--[\s\S]*?-->|<![a-zA-Z][^>]*>|<(\/?)([a-zA-Z][\w-]*)((?:\s+[^\s=>/]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*\/?>/g;
const ATTRIBUTE = /([^\s=>/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

/** A page as tokens: { tag, closing, attrs (Map), line } and { text, line }. */
function tokens(html) {
  const out = [];
  let at = 0;
  const lineOf = (i) => html.slice(0, i).split('\n').length;
  for (const m of html.matchAll(TOKEN)) {
    if (m.index > at) out.push({ text: html.slice(at, m.index), line: lineOf(at) });
    at = m.index + m[0].length;
    if (m[0].startsWith('<!')) continue;
    const attrs = new Map();
    for (const a of (m[3] || '').matchAll(ATTRIBUTE)) attrs.set(a[1].toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
    out.push({ tag: m[2].toLowerCase(), closing: m[1] === '/', attrs, line: lineOf(m.index) });
    // Script and style contents are not text.
    if (!m[1] && /^(script|style)$/i.test(m[2])) {
      const end = html.toLowerCase().indexOf(`</${m[2].toLowerCase()}`, at);
      at = end === -1 ? html.length : end;
    }
  }
  if (at < html.length) out.push({ text: html.slice(at), line: lineOf(at) });
  return out;
}

/** [attribute, key] pairs of a data-i18n-attr value. */
function attrKeys(spec) {
  return spec.split(';').map((part) => part.split(':').map((s) => s.trim())).filter(([a, k]) => a && k);
}

/** Every key a page names, with where. */
function pageKeys(page) {
  const keys = [];
  for (const tok of tokens(page.text)) {
    if (!tok.tag || tok.closing) continue;
    const where = `${page.name}:${tok.line}`;
    if (tok.attrs.has('data-i18n')) keys.push([tok.attrs.get('data-i18n'), where]);
    for (const [, key] of attrKeys(tok.attrs.get('data-i18n-attr') ?? '')) keys.push([key, where]);
    // <x-field hint="key">, <x-group name="person" document_type.hint="key">.
    if (tok.tag.startsWith('x-')) {
      for (const [attr, value] of tok.attrs) if (/(^|\.)hint$/.test(attr) && value !== 'none') keys.push([value, where]);
    }
  }
  return keys.filter(([key]) => !IS_SLOT.test(key));
}

// ------------------------------------------------------------- JS strings
/**
 * The code of a script without its comments, and its string literals
 * (quotes and template literals; a template's ${...} parts become `\0`,
 * and their own strings are scanned too).
 */
function scan(js) {
  let code = '';
  const strings = [];
  let i = 0;
  while (i < js.length) {
    const c = js[i];
    if (c === '/' && js[i + 1] === '/') {
      while (i < js.length && js[i] !== '\n') i++;
    } else if (c === '/' && js[i + 1] === '*') {
      const end = js.indexOf('*/', i + 2);
      i = end === -1 ? js.length : end + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let s = '';
      let depth = 0;
      let expr = '';
      let j = i + 1;
      for (; j < js.length; j++) {
        if (depth > 0) {
          if (js[j] === '{') depth++;
          if (js[j] === '}') depth--;
          if (depth > 0) expr += js[j];
          else strings.push(...scan(expr).strings);
          continue;
        }
        if (js[j] === '\\') { s += js[j + 1]; j++; continue; }
        if (c === '`' && js[j] === '$' && js[j + 1] === '{') { depth = 1; expr = ''; s += '\0'; j++; continue; }
        if (js[j] === c) break;
        s += js[j];
      }
      strings.push(s);
      code += js.slice(i, j + 1);
      i = j + 1;
    } else {
      code += c;
      i++;
    }
  }
  return { code, strings };
}

const KEY_SHAPE = /^[a-z][a-z_]*(\.[a-z0-9_]+)+$/;
// The dictionary's sections ('field', 'sms', ...): a string shaped like a key
// in one of them is a key (an API error code, 'auth.invalid_credentials',
// is not).
const SECTIONS = new Set(Object.keys(texts).map((key) => key.split('.')[0]));
const isKey = (str) => KEY_SHAPE.test(str) && SECTIONS.has(str.split('.')[0]);
const scanned = scripts.map((s) => ({ ...s, ...scan(s.text) }));
// The server names keys too: each area's header (shared/src/site.rs, `Area`:
// `name_key: "..."` and the nav's `("/href", "key")` links), and the form
// fields it expands (shared/src/site/fields.rs: every string shaped like a
// key, outside comments and tests).
const rust = (file) => readFileSync(join(STATIC, '..', 'shared', 'src', ...file.split('/')), 'utf8').split('#[cfg(test)]')[0]
  .split('\n').filter((line) => !line.trim().startsWith('//')).join('\n');
const SERVER = rust('site.rs');
const FIELDS = rust('site/fields.rs');
const serverKeys = [
  ...[...SERVER.matchAll(/name_key: "([^"]+)"|\("\/[^"]*", "([^"]+)"\)/g)].map((m) => [m[1] ?? m[2], 'shared/src/site.rs']),
  ...[...FIELDS.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]).filter(isKey).map((key) => [key, 'shared/src/site/fields.rs']),
];
// Literal keys in scripts: strings shaped like a dictionary key.
const scriptKeys = [...serverKeys, ...scanned.flatMap((s) => s.strings.filter(isKey).map((key) => [key, s.name]))];
// Keys a script builds (`doc.${type}.hint`): a pattern each.
const builtKeys = scanned.flatMap((s) => s.strings
  .filter((str) => str.includes('\0') && KEY_SHAPE.test(str.replaceAll('\0', 'x')))
  .map((str) => new RegExp(`^${str.split('\0').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[a-z_]+')}$`)));

// ------------------------------------------------------------------ tests
test('every text has its Chinese and its English, with the same placeholders', () => {
  const bad = [];
  for (const [key, value] of Object.entries(texts)) {
    if (!Array.isArray(value) || value.length !== 2 || value.some((s) => typeof s !== 'string' || s.trim() === '')) {
      bad.push(`${key}: ${JSON.stringify(value)} is not [zh, en]`);
      continue;
    }
    const [zh, en] = value.map((s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(','));
    if (zh !== en) bad.push(`${key}: placeholders {${zh}} in Chinese but {${en}} in English`);
  }
  assert.deepEqual(bad, []);
});

test('every key a page or a script names is in the dictionary', () => {
  const unknown = [...pages.flatMap(pageKeys), ...scriptKeys].filter(([key]) => !(key in texts)).map(([key, where]) => `${where}: ${key}`);
  assert.deepEqual(unknown, []);
});

test('every key of the dictionary is used by a page or a script', () => {
  const named = new Set([...pages.flatMap(pageKeys), ...scriptKeys].map(([key]) => key));
  const unused = Object.keys(texts).filter((key) => !named.has(key) && !builtKeys.some((re) => re.test(key)));
  assert.deepEqual(unused, []);
});

test('pages have no text of their own: every word comes from a key', () => {
  const found = [];
  for (const page of pages) {
    const toks = tokens(page.text);
    toks.forEach((tok, i) => {
      const where = `${page.name}:${tok.line}`;
      if (tok.text !== undefined) {
        const text = tok.text.replace(SLOT, '').trim();
        if (READABLE.test(text)) found.push(`${where}: text "${text.slice(0, 60)}"`);
        return;
      }
      if (tok.closing) return;
      if (tok.attrs.has('data-i18n')) {
        const next = toks[i + 1];
        const empty = next?.closing && next.tag === tok.tag;
        const blank = next?.text !== undefined && next.text.trim() === '' && toks[i + 2]?.closing && toks[i + 2].tag === tok.tag;
        if (!empty && !blank) found.push(`${where}: <${tok.tag} data-i18n="${tok.attrs.get('data-i18n')}"> has content of its own (the server fills it)`);
      }
      const filled = attrKeys(tok.attrs.get('data-i18n-attr') ?? '').map(([attr]) => attr.toLowerCase());
      for (const attr of filled) {
        if (tok.attrs.has(attr)) found.push(`${where}: <${tok.tag}> writes ${attr}, which data-i18n-attr fills`);
      }
      for (const attr of SPOKEN_ATTRIBUTES) {
        if (tok.attrs.has(attr) && !filled.includes(attr)) found.push(`${where}: <${tok.tag} ${attr}="${tok.attrs.get(attr)}"> (use data-i18n-attr)`);
      }
    });
  }
  assert.deepEqual(found, []);
});

test('a page file is only its own part; the layout has the rest once', () => {
  const problems = [];
  for (const page of pages) {
    const tags = tokens(page.text).filter((tok) => tok.tag && !tok.closing).map((tok) => tok.tag);
    if (page.name === LAYOUT) {
      for (const slot of ['{{head}}', '{{main}}', '{{nav}}']) if (!page.text.includes(slot)) problems.push(`${LAYOUT} has no ${slot}`);
      continue;
    }
    if (GROUP.test(page.name)) {
      if (tags.includes('main') || tags.includes('title')) problems.push(`${page.name}: a group of fields is part of a page's <main>`);
      continue;
    }
    if (!/^<title data-i18n="[^"]+"><\/title>\n/.test(page.text)) problems.push(`${page.name}: does not start with its <title data-i18n="...">`);
    if (tags.filter((tag) => tag === 'main').length !== 1) problems.push(`${page.name}: not exactly one <main>`);
    for (const tag of ['html', 'head', 'body', 'header', 'footer', 'meta', 'link']) {
      if (tags.includes(tag)) problems.push(`${page.name}: <${tag}> belongs to the layout`);
    }
  }
  assert.deepEqual(problems, []);
});

test('scripts write no Chinese: their texts are keys', () => {
  const found = scanned.flatMap((s) => s.code.split('\n').map((line, i) => [line, i]).filter(([line]) => CHINESE.test(line))
    .map(([line]) => `${s.name}: ${line.trim().slice(0, 80)}`));
  assert.deepEqual(found, []);
});
