// (b) A legal entity registers, logs in at 法人登录, sees its account, logs
// out. (d) A USCC with a wrong check character gets the error summary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, registerLegalEntity, fillSmsCode, loginName, mobile, orgName, uscc, summaryText, screenshot, PASSWORD,
} from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('register a legal entity end to end, log in, see the account, log out', async () => {
  const page = await newPage(browser);
  const who = await registerLegalEntity(page);
  const success = await page.locator('#success').innerText();
  assert.match(success, /注册成功/);
  assert.ok(success.includes(who.loginName) && success.includes(who.orgName), success);

  // The success link leads to 法人登录 with the login name filled in.
  await page.click('#success-login');
  await page.waitForURL(/\/login\?/);
  assert.equal(await page.getAttribute('#tab-legal_entity', 'aria-selected'), 'true');
  assert.equal(await page.inputValue('#login_name'), who.loginName);
  await page.fill('#password', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/account');
  await page.locator('#account').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#account-login_name').innerText(), who.loginName);
  assert.equal(await page.locator('#account-kind').innerText(), '法人（单位用户）');
  assert.equal(await page.locator('#account-name').innerText(), who.orgName);
  assert.match(await page.locator('#account-mobile').innerText(), /^139\*{4}\d{4}$/);
  assert.match(await page.locator('#account-nav').innerText(), new RegExp(who.loginName), 'the header names who is logged in');
  await screenshot(page, 'account-desktop');

  // Logged in, the home page's entries lead straight to the entry pages.
  await page.goto('/');
  await page.locator('#account-nav a[href="/account"]').waitFor();
  assert.equal(await page.getAttribute('#entry-work-permit', 'href'), '/entry/work-permit');
  await page.click('#account-nav a[href="/account"]');
  await page.locator('#account').waitFor({ state: 'visible' });

  await page.click('#logout');
  await page.waitForURL((url) => url.pathname === '/');
  assert.match(await page.locator('#account-nav').innerText(), /登录/);
  await page.goto('/account');
  await page.waitForURL((url) => url.pathname === '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/account');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a registered login name gets the 409 with its guidance next to the field', async () => {
  const page = await newPage(browser);
  const first = await registerLegalEntity(page);
  await page.goto(`/register/legal-entity?login_name=${first.loginName}`);
  await page.fill('#password', PASSWORD);
  await page.fill('#password_confirm', PASSWORD);
  await page.fill('#org_name', orgName());
  await page.fill('#uscc', uscc());
  await fillSmsCode(page, mobile());
  await page.click('#register-form button[type=submit]');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#login_name', 'aria-invalid'), 'true');
  const guidance = page.locator('#field-login_name .field-guidance');
  await guidance.waitFor({ state: 'visible' });
  assert.ok(await guidance.locator('a[href^="/password-reset"]').count(), 'the guidance leads to the password reset');
  await screenshot(page, 'legal-entity-409');
  await page.context().close();
});

test('a wrong USCC check character: summary at the top, field marked, link focuses it', async () => {
  const page = await newPage(browser);
  await page.goto('/register/legal-entity');
  await page.fill('#login_name', loginName('uscc'));
  await page.fill('#password', PASSWORD);
  await page.fill('#password_confirm', PASSWORD);
  await page.fill('#org_name', orgName());
  await page.fill('#uscc', '91350100M000100Y44');
  await page.fill('#mobile', mobile());
  await page.fill('#sms_code', '000000');
  await page.click('#register-form button[type=submit]');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  const box = await page.locator('#error-summary').boundingBox();
  const form = await page.locator('#register-form').boundingBox();
  assert.ok(box.y < form.y, 'the summary is above the form');
  assert.match(await summaryText(page), /统一社会信用代码|校验/);
  assert.equal(await page.getAttribute('#uscc', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#uscc-error').isVisible(), true);
  await screenshot(page, 'legal-entity-bad-uscc');
  await page.click('#error-summary a[href="#uscc"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'uscc');
  await page.context().close();
});

test('the organization check shows the USCC error the same way', async () => {
  const page = await newPage(browser);
  await page.goto('/register#organization');
  await page.fill('#uscc', '91350100M000100Y44');
  await page.click('#organization button[type=submit]');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#uscc', 'aria-invalid'), 'true');
  await page.click('#error-summary a[href="#uscc"]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'uscc');
  await page.context().close();
});

test('the organization check answers "not registered" with guidance for a fresh USCC', async () => {
  const page = await newPage(browser);
  const code = uscc();
  await page.goto('/register');
  await page.fill('#org_name', orgName());
  await page.fill('#uscc', code);
  await page.click('#organization button[type=submit]');
  await page.locator('#org-result').waitFor({ state: 'visible' });
  const text = await page.locator('#org-result').innerText();
  assert.match(text, new RegExp(`统一社会信用代码 ${code} 未被注册`));
  assert.ok((await page.locator('#org-result-message').innerText()).length > 0, 'the guidance message is shown');
  await page.context().close();
});
