// (f) Phone width, no script errors or CSP refusals, screenshots of the
// main pages (tests/browser/screenshots/, for a person to look at), and each
// page in one language: its texts, and what the API is told.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, DESKTOP, PHONE } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  ['home', '/'],
  ['services', '/services'],
  ['register', '/register'],
  ['legal-entity', '/register/legal-entity'],
  ['natural-person', '/register/natural-person'],
  ['login', '/login'],
  ['password-reset', '/password-reset'],
  ['password-reset-appeal', '/password-reset?appeal=1'],
  ['appeal', '/appeal'],
  ['appeal-legal-entity', '/appeal/legal-entity'],
  ['appeal-natural-person', '/appeal/natural-person'],
  ['appeal-status', '/appeal/status'],
  ['review-login', '/review/login'],
  ['review', '/review'],
  ['review-item', '/review/item?id=1'],
];

async function visit(page, path) {
  const refused = [];
  page.on('console', (msg) => { if (/Content Security Policy|Refused to/i.test(msg.text())) refused.push(msg.text()); });
  await page.goto(path);
  await page.waitForLoadState('networkidle');
  return refused;
}

test('the register page has no horizontal scroll at 360 px', async () => {
  const page = await newPage(browser, PHONE);
  await visit(page, '/register');
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `scrollWidth ${width} > 360`);
  await page.context().close();
});

test('every page fits 360 px, in both languages, with errors shown', async () => {
  const page = await newPage(browser, PHONE);
  for (const lang of ['zh', 'en']) {
    await page.goto('/');
    await page.evaluate((l) => localStorage.setItem('lang', l), lang);
    for (const [name, path] of PAGES) {
      await visit(page, path);
      // Long error texts must wrap too.
      if (await page.locator('form[novalidate] button[type=submit]:visible').count()) {
        await page.locator('form[novalidate] button[type=submit]:visible').first().click();
      }
      if (path === '/register/natural-person' || path === '/appeal/natural-person') await page.selectOption('#document_type', 'passport');
      if (path === '/appeal/legal-entity') await page.selectOption('#applicant_document_type', 'passport');
      const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
      assert.ok(width <= 360, `${path} (${lang}): scrollWidth ${width} > 360`);
      await screenshot(page, `${name}-phone-errors-${lang}`);
    }
  }
  await page.context().close();
});

test('pages load without script errors or CSP refusals; screenshots', async () => {
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
    const page = await newPage(browser, viewport);
    for (const [name, path] of PAGES) {
      const refused = await visit(page, path);
      assert.deepEqual(refused, [], `${path}: CSP refusals`);
      assert.deepEqual(page.errors, [], `${path}: script errors`);
      assert.notEqual(await page.locator('h1').innerText(), '', `${path} has a heading`);
      await screenshot(page, `${name}-${size}`);
    }
    await page.context().close();
  }
});

test('each page shows only texts of its language, and the API hears that language', async () => {
  const CHINESE = /[\u3400-\u9fff\uff00-\uffef]/u;
  const page = await newPage(browser);
  const heard = [];
  page.on('request', (req) => {
    if (new URL(req.url()).pathname.startsWith('/api/')) heard.push(req.headers()['accept-language']);
  });
  for (const lang of ['zh', 'en']) {
    await page.goto('/');
    await page.evaluate((l) => localStorage.setItem('lang', l), lang);
    for (const [, path] of [...PAGES, ['404', '/no-such-page']]) {
      heard.length = 0;
      await visit(page, path);
      // Every marked element has its text, none shows its bare key (an unknown key would).
      const unfilled = await page.evaluate(() => [...document.querySelectorAll('[data-i18n]')]
        .filter((el) => !el.textContent.trim() || el.textContent === el.dataset.i18n).map((el) => el.dataset.i18n));
      assert.deepEqual(unfilled, [], `${path} (${lang}): texts missing`);
      if (lang === 'en') {
        // The switch names the other language; everything else is English.
        const text = await page.evaluate(() => {
          const body = document.body.cloneNode(true);
          body.querySelector('#lang-switch')?.remove();
          document.body.after(body);
          const shown = body.innerText;
          body.remove();
          return `${document.title}\n${shown}`;
        });
        const chinese = text.split('\n').filter((line) => CHINESE.test(line));
        assert.deepEqual(chinese, [], `${path}: Chinese on the English page`);
      }
      assert.ok(heard.length > 0, `${path}: the page asked the API something`);
      assert.deepEqual([...new Set(heard)], [lang === 'en' ? 'en' : 'zh-CN'], `${path} (${lang}): Accept-Language`);
    }
  }
  assert.equal(await page.evaluate(() => document.cookie), '', 'no lang cookie (the API hears Accept-Language)');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
