// The SMS-code button (static/js/sms-code.js), the one implementation of
// registration, password reset and the appeals: asked again within the
// minute (the page reloaded, so the countdown was lost), the API answers 429;
// every page shows it beside the button, on the input next to it, and the
// button counts the wait down, in the page's language.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, registerLegalEntity, mobile, summaryText } from './helpers.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/**
 * Sends a code on `path`, reloads, sends again: the second answer is a 429.
 * `fill` fills what the page needs before sending; `beside` is the input
 * next to the button.
 */
async function sendTwice(page, path, fill, beside) {
  await page.goto(path);
  await fill();
  await page.click('#send-code');
  await page.locator('#sms-status').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#send-code').isDisabled(), true, 'the button counts down after sending');

  await page.reload();
  assert.equal(await page.locator('#send-code').isDisabled(), false, 'a new page, no countdown');
  await fill();
  await page.click('#send-code');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /秒后/, 'the wait is named');
  assert.equal(await page.getAttribute(`#${beside}`, 'aria-invalid'), 'true', `the error is on #${beside}, beside the button`);
  assert.match(await page.locator(`#${beside}-error`).innerText(), /秒后/);
  assert.equal(await page.locator('#send-code').isDisabled(), true, 'the button waits');
  assert.match(await page.locator('#send-code').innerText(), /重新发送（\d+ 秒）/);

  // In English, re-rendered without a new request.
  await page.click('#lang-switch');
  assert.match(await page.locator('#send-code').innerText(), /^Resend in \d+ s$/);
  assert.match(await summaryText(page), /seconds/);
  assert.deepEqual(page.errors, []);
}

test('registration: a second code within the minute waits, beside the button', async () => {
  const page = await newPage(browser);
  const number = mobile();
  await sendTwice(page, '/register/legal-entity', () => page.fill('#mobile', number), 'sms_code');
  await page.context().close();
});

test('appeal: a second code within the minute waits, beside the button', async () => {
  const page = await newPage(browser);
  const number = mobile();
  await sendTwice(page, '/appeal/natural-person', () => page.fill('#new_mobile', number), 'sms_code');
  await page.context().close();
});

test('password reset: a second code within the minute waits, beside the button', async () => {
  const setup = await newPage(browser);
  const who = await registerLegalEntity(setup);
  await setup.context().close();
  const page = await newPage(browser);
  await sendTwice(page, '/password-reset', () => page.fill('#login_name', who.loginName), 'login_name');
  await page.context().close();
});
