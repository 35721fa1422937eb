// (a) The registration check page (/register, FAQ 1 and 2).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, loginName, summaryText } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a free login name shows the "not registered" guidance; a bad one the error summary; English survives a reload', async () => {
  const page = await newPage(browser);
  await page.goto('/register');
  assert.equal(await page.locator('h1').innerText(), '用户注册');

  // A bad name: the summary at the top links to the field, which is marked.
  await page.fill('#login_name', 'ab');
  await page.click('#check-form button[type=submit]');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.ok(await summaryText(page), 'the summary lists the error');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary', 'focus moves to the summary');
  assert.equal(await page.getAttribute('#login_name', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#login_name-error').isVisible(), true, 'the error is also next to the field');
  await page.click('#error-summary a[href="#login_name"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'login_name', 'the summary link focuses the field');

  // A free name: "not registered" and the API's guidance with its links.
  const name = loginName('free');
  await page.fill('#login_name', name);
  await page.click('#check-form button[type=submit]');
  await page.locator('#result').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#error-summary').isVisible(), false, 'the old errors are gone');
  assert.equal(await page.getAttribute('#login_name', 'aria-invalid'), null);
  assert.equal(await page.locator('#result-title').innerText(), '登录名未被注册');
  assert.match(await page.locator('#result-message').innerText(), /该登录名未被注册/);
  assert.ok(await page.locator('#result-actions a[href="/register#organization"]').count(), 'guidance links to the organization check');
  assert.match(await page.getAttribute('#register-legal-entity', 'href'), new RegExp(`login_name=${name}`), 'the free name is carried to the form');

  // English: the page and the shown result; remembered across a reload.
  await page.click('#lang-switch');
  assert.equal(await page.locator('h1').innerText(), 'Register');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('#result-title').innerText(), 'The login name is not registered');
  assert.match(await page.locator('#result-message').innerText(), /This login name is not registered/);
  assert.match(await page.locator('#result-actions').innerText(), /Check organization name/);
  await page.reload();
  assert.equal(await page.locator('h1').innerText(), 'Register');
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(await page.locator('#lang-switch').innerText(), '中文');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a free WP name is shown as reserved for migrated accounts and is not carried to the forms', async () => {
  const page = await newPage(browser);
  await page.goto('/register');
  const name = `WP${loginName('old')}`;
  await page.fill('#login_name', name);
  await page.click('#check-form button[type=submit]');
  await page.locator('#result').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#result-title').innerText(), 'WP 开头的登录名不能注册');
  assert.match(await page.locator('#result-message').innerText(), /迁移/);
  assert.ok(await page.locator('#result-actions a[href="/login"]').count(), 'leads to login');
  assert.ok(await page.locator('#result-actions a[href="/password-reset"]').count(), 'leads to the reset');
  assert.doesNotMatch(await page.getAttribute('#register-legal-entity', 'href'), /login_name=/, 'the reserved name is not carried');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
