// (f) Phone width, no script errors or CSP refusals, and screenshots of the
// main pages (tests/browser/screenshots/, for a person to look at).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, screenshot, DESKTOP, PHONE } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  ['home', '/'],
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
