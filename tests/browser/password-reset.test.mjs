// Password reset by login name (FAQ 1(1)): the code goes to the reserved
// mobile, the new password replaces the old one; an unknown name leads to the
// registration check; a wrong code is shown beside the code field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE_URL, launch, newPage, registerLegalEntity, loginName, orgName, uscc, summaryText, screenshot, runnerSetting, PHONE,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const NEW_PASSWORD = 'fresh pebbles under the bridge 82';

/** The newest password-reset code sent to `mobile`, from the dev outbox. */
async function resetCode(mobileNumber) {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${BASE_URL}/api/registration/dev/outbox?mobile=${encodeURIComponent(mobileNumber)}`);
    assert.equal(res.status, 200, `dev outbox answered ${res.status}: is dev_outbox on?`);
    const { messages } = await res.json();
    const code = messages.find((m) => m.template === 'password_reset_code')?.params?.code;
    if (code) return String(code);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no password_reset_code in the dev outbox for ${mobileNumber}`);
}

/** A registered legal entity (through its page, in a context of its own). */
async function registered() {
  const setup = await newPage(browser);
  const who = await registerLegalEntity(setup);
  await setup.context().close();
  return who;
}

/** Opens the reset page for `who` and sends the code; step 2 is then shown. */
async function sendCode(page, who) {
  await page.goto(`/password-reset?login_name=${encodeURIComponent(who.loginName)}`);
  assert.equal(await page.inputValue('#login_name'), who.loginName, 'login_name is prefilled from the query');
  assert.equal(await page.locator('#reset-form').isVisible(), false, 'step 2 waits for the code');
  await page.click('#send-code');
  await page.locator('#reset-form').waitFor({ state: 'visible' });
  const masked = `${who.mobile.slice(0, 3)}****${who.mobile.slice(7)}`;
  assert.match(await page.locator('#sms-status').innerText(), new RegExp(`验证码已发送至 ${masked.replace(/\*/g, '\\*')}`));
  assert.equal(await page.locator('#send-code').isDisabled(), true, 'the send button counts down');
  assert.match(await page.locator('#send-code').innerText(), /重新发送（\d+ 秒）/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sms_code', 'focus moves to the code');
}

test('reset by login name, then only the new password logs in', async () => {
  const who = await registered();
  const page = await newPage(browser);

  // 忘记密码 on the login page carries the login name typed there.
  await page.goto('/login');
  await page.fill('#login_name', who.loginName);
  await page.click('#forgot-link');
  await page.waitForURL((url) => url.pathname === '/password-reset');
  assert.equal(new URL(page.url()).searchParams.get('login_name'), who.loginName);

  await sendCode(page, who);
  await page.fill('#sms_code', await resetCode(who.mobile));
  await page.fill('#new_password', NEW_PASSWORD);
  await page.fill('#new_password_confirm', `${NEW_PASSWORD}x`);
  await page.click('#reset-submit');
  // A mismatch is caught here, beside the confirmation, and nothing is sent.
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#new_password_confirm', 'aria-invalid'), 'true');
  await page.fill('#new_password_confirm', NEW_PASSWORD);
  await page.click('#reset-submit');

  const success = page.locator('#success');
  await success.waitFor({ state: 'visible' });
  assert.match(await success.innerText(), /密码已重置，所有登录已退出/);
  assert.ok((await success.innerText()).includes(who.loginName));
  assert.equal(await page.locator('#reset-forms').isVisible(), false);
  await screenshot(page, 'password-reset-success');

  // The link leads to 法人登录 with the name filled in; the new password works.
  await page.click('#success-login');
  await page.waitForURL((url) => url.pathname === '/login');
  assert.equal(await page.getAttribute('#tab-legal_entity', 'aria-selected'), 'true');
  assert.equal(await page.inputValue('#login_name'), who.loginName);
  await page.fill('#password', NEW_PASSWORD);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/account');
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#account-login_name').innerText(), who.loginName);
  assert.deepEqual(page.errors, []);
  await page.context().close();

  // The old password no longer does.
  const old = await newPage(browser);
  await old.goto(`/login?login_name=${encodeURIComponent(who.loginName)}`);
  await old.fill('#password', who.password);
  await old.click('#login-form button[type=submit]');
  await old.locator('#login-help').waitFor({ state: 'visible' });
  assert.ok(await summaryText(old), 'the old password is refused');
  assert.equal(new URL(old.url()).pathname, '/login');
  await old.context().close();
});

test('an unknown login name says so and links the registration check', async () => {
  const page = await newPage(browser);
  const name = loginName('nobody');
  await page.goto('/password-reset');
  await page.fill('#login_name', name);
  await page.keyboard.press('Enter'); // the keyboard sends the code too
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /没有使用该登录名的账号/);
  assert.equal(await page.getAttribute('#login_name', 'aria-invalid'), 'true');
  assert.match(await page.locator('#login_name-error').innerText(), /WP\+原登录名/);
  const guidance = page.locator('#field-login_name .field-guidance');
  await guidance.waitFor({ state: 'visible' });
  const check = guidance.locator(`a[href="/register?login_name=${name}"]`);
  assert.equal(await check.count(), 1, 'the guidance links the registration check with the name');
  // FAQ 1: the WP + old name is one press away.
  assert.match(await page.locator('#try-wp').innerText(), new RegExp(`WP${name}`));
  assert.equal(await page.locator('#reset-form').isVisible(), false);
  await screenshot(page, 'password-reset-404-desktop');
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `scrollWidth ${width} > 360`);
  await screenshot(page, 'password-reset-404-phone');

  const answer = page.waitForResponse((r) => r.url().endsWith('/api/password-reset/codes'));
  await page.click('#try-wp');
  assert.equal((await answer).status(), 404);
  assert.equal(await page.inputValue('#login_name'), `WP${name}`);
  const wpCheck = guidance.locator(`a[href="/register?login_name=WP${name}"]`);
  await wpCheck.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#try-wp').count(), 0, 'no WPWP offer');

  await wpCheck.click();
  await page.waitForURL((url) => url.pathname === '/register');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a wrong code is shown beside the code field, with the tries left', async () => {
  const who = await registered();
  const page = await newPage(browser);
  await sendCode(page, who);
  const code = await resetCode(who.mobile);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.fill('#sms_code', wrong);
  await page.fill('#new_password', NEW_PASSWORD);
  await page.fill('#new_password_confirm', NEW_PASSWORD);
  await page.click('#reset-submit');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /验证码不正确，还可再试 \d 次/);
  assert.equal(await page.getAttribute('#sms_code', 'aria-invalid'), 'true');
  assert.match(await page.locator('#sms_code-error').innerText(), /验证码不正确/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary', 'focus goes to the summary');
  await screenshot(page, 'password-reset-wrong-code-desktop');

  // The summary's link leads to the field.
  await page.click('#error-summary a[href="#sms_code"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'sms_code');

  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `scrollWidth ${width} > 360`);
  await screenshot(page, 'password-reset-wrong-code-phone');

  // The right code still works afterwards.
  await page.fill('#sms_code', code);
  await page.click('#reset-submit');
  await page.locator('#success').waitFor({ state: 'visible' });
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('FAQ 1(1): an old-system account without a reserved mobile is led to the legal-entity appeal', async () => {
  const token = runnerSetting('LEGACY_IMPORT_TOKEN');
  const old = loginName('old');
  const line = JSON.stringify({ old_login_name: old, kind: 'legal_entity', org_name: orgName(), uscc: uscc() });
  const res = await fetch(`${BASE_URL}/api/registration/legacy-imports`, {
    method: 'POST', headers: { authorization: `Bearer ${token}` }, body: `${line}\n`,
  });
  assert.equal(res.status, 200, await res.text());

  const page = await newPage(browser);
  await page.goto(`/password-reset?login_name=WP${old}`);
  await page.click('#send-code');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /没有预留手机号/);
  assert.equal(await page.getAttribute('#login_name', 'aria-invalid'), 'true');
  const appeal = page.locator('#field-login_name .field-guidance a[href="/appeal/legal-entity"]');
  await appeal.waitFor({ state: 'visible' });
  assert.equal(await page.locator('#try-wp').count(), 0, 'no WP offer: the name is known');
  assert.equal(await page.locator('#reset-form').isVisible(), false);
  await screenshot(page, 'password-reset-409-desktop');

  // In English too, re-rendered without a new request.
  await page.click('#lang-switch');
  assert.match(await summaryText(page), /no reserved mobile/);
  assert.match(await page.locator('#field-login_name .field-guidance').innerText(), /Legal-entity recovery appeal/);
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `scrollWidth ${width} > 360`);
  await screenshot(page, 'password-reset-409-phone-en');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
