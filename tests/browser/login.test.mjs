// (c) The wrong-login-type hint (FAQ preface). (e) Keyboard-only login.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, registerNaturalPerson, registerLegalEntity, loginName, summaryText, screenshot } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a natural person at 法人登录 is told to use 自然人登录, and the button switches', async () => {
  const page = await newPage(browser);
  const who = await registerNaturalPerson(page);
  await page.goto('/login');
  assert.equal(await page.getAttribute('#tab-legal_entity', 'aria-selected'), 'true');
  await page.fill('#login_name', who.loginName);
  await page.fill('#password', who.password);
  await page.click('#login-form button[type=submit]');
  const button = page.locator('#use-natural_person');
  await button.waitFor({ state: 'visible' });
  assert.ok(await summaryText(page), 'the summary states the error');
  await screenshot(page, 'login-wrong-type');
  await button.click();
  assert.equal(await page.getAttribute('#tab-natural_person', 'aria-selected'), 'true');
  assert.equal(await page.getAttribute('#tab-legal_entity', 'aria-selected'), 'false');
  assert.equal(await page.locator('#login-help').isVisible(), false);
  assert.equal(await page.inputValue('#login_name'), who.loginName, 'what was typed stays');
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/account');
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#account-kind').innerText(), '自然人');
  assert.equal(await page.locator('#account-name').innerText(), who.realName);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a wrong password shows the FAQ 1 help: WP+name, other type, check, reset', async () => {
  const page = await newPage(browser);
  const name = loginName('nobody');
  await page.goto('/login');
  await page.fill('#login_name', name);
  await page.fill('#password', 'not the password at all');
  await page.click('#login-form button[type=submit]');
  const help = page.locator('#login-help');
  await help.waitFor({ state: 'visible' });
  assert.ok(await help.locator('#try-wp').count(), 'offers WP+name');
  assert.ok(await help.locator('#use-natural_person').count(), 'offers 自然人登录');
  assert.ok(await help.locator('a[href="/register"]').count(), 'links the registration check');
  assert.ok(await help.locator('a[href^="/password-reset"]').count(), 'links the password reset');
  await screenshot(page, 'login-help');
  await help.locator('#try-wp').click();
  assert.equal(await page.inputValue('#login_name'), `WP${name}`);
  await page.context().close();
});

test('the login form works with the keyboard alone', async () => {
  const setup = await newPage(browser);
  const who = await registerLegalEntity(setup);
  await setup.context().close();

  const page = await newPage(browser);
  await page.goto('/login?next=/account');
  // Tab from the top of the page to the login name, every stop visibly focused.
  const stops = [];
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      const el = document.activeElement;
      const style = getComputedStyle(el);
      return { id: el.id, tag: el.tagName, visible: style.outlineStyle !== 'none' || style.boxShadow !== 'none' };
    });
    stops.push(stop);
    assert.ok(stop.visible, `focus is visible on ${stop.tag}#${stop.id}`);
    if (stop.id === 'login_name') break;
  }
  assert.equal(stops.at(-1).id, 'login_name', `Tab reaches the login name: ${JSON.stringify(stops)}`);
  assert.ok(stops.findIndex((s) => s.id === 'tab-legal_entity') < stops.length - 1, 'the type tabs come before the fields');
  await page.keyboard.type(who.loginName);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(who.password);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname === '/account');
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#account-login_name').innerText(), who.loginName);
  await page.context().close();
});
