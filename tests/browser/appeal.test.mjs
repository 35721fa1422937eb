// Recovery appeals through the back office (flows 4 and 8): a legal entity
// files an appeal with scans, follows it on the status page, a reviewer
// claims and approves it, the approved SMS sets the password, the account
// logs in. A file that is not what its name says is refused by the server
// beside its input; a rejection needs a reason, which the status page then
// shows; the back office sends strangers to its login page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import {
  launch, newPage, registerLegalEntity, mobile, orgName, uscc, summaryText, screenshot, runnerSetting, PHONE,
  outboxMessage, reviewerPage, png, pdf,
} from './helpers.mjs';

const REVIEWER = { login: runnerSetting('REVIEWER_LOGIN'), password: runnerSetting('REVIEWER_PASSWORD') };
const NEW_PASSWORD = 'amber kites above the harbour 63';

let browser;
let dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'appeal-files-'));
  writeFileSync(join(dir, 'id-front.png'), png(96, 60, [179, 18, 31]));
  writeFileSync(join(dir, 'id-back.png'), png(96, 60, [26, 86, 166]));
  writeFileSync(join(dir, 'licence.pdf'), pdf('Business licence (test)'));
  writeFileSync(join(dir, 'not-an-image.png'), '<!doctype html><html><body><script>alert(1)</script></body></html>\n');
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// --------------------------------------------------------------- helpers
async function registered() {
  const setup = await newPage(browser);
  const who = await registerLegalEntity(setup);
  await setup.context().close();
  return who;
}

/** Fills the legal-entity appeal form for `who` (no files, no code yet). */
async function fillLegalEntityAppeal(page, who, newMobile) {
  await page.fill('#org_name', who.orgName);
  await page.fill('#uscc', who.uscc);
  await page.fill('#legal_representative_name', '王大明');
  await page.fill('#applicant_name', 'Anna Schmidt');
  await page.selectOption('#applicant_document_type', 'passport');
  await page.locator('#applicant_nationality').waitFor({ state: 'visible' });
  await page.fill('#applicant_document_number', `C${String(randomInt(1e8)).padStart(8, '0')}`);
  await page.fill('#applicant_nationality', 'DEU');
  await page.fill('#new_mobile', newMobile);
}

/** Files an appeal through the page; returns { number, newMobile }. */
async function fileAppeal(page, who) {
  const newMobile = mobile();
  await page.goto('/appeal');
  await page.click('#choose-legal-entity');
  await page.waitForURL((url) => url.pathname === '/appeal/legal-entity');
  await fillLegalEntityAppeal(page, who, newMobile);
  await page.click('#send-code');
  await page.locator('#sms-status').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#send-code').isDisabled(), true, 'the send button counts down');
  const sms = await outboxMessage(newMobile, 'appeal_code');
  await page.fill('#sms_code', String(sms.params.code));
  await page.setInputFiles('#id_front', join(dir, 'id-front.png'));
  await page.setInputFiles('#id_back', join(dir, 'id-back.png'));
  await page.setInputFiles('#business_licence', join(dir, 'licence.pdf'));
  assert.match(await page.locator('#id_front-chosen').innerText(), /已选择：id-front\.png/);
  await page.click('#appeal-submit');
  const success = page.locator('#success');
  await success.waitFor({ state: 'visible' });
  const number = (await page.locator('#success-number').innerText()).trim();
  assert.match(number, /^SS\d{18}$/);
  assert.match(await success.innerText(), /请记下申诉编号/);
  assert.match(await page.locator('#success-due').innerText(), /\d{4}\/\d{2}\/\d{2}/);
  return { number, newMobile };
}

/** The review item of appeal `number`, found through the reviewer's API (the queue lists items, not appeal numbers). */
async function itemIdOf(page, number) {
  const { items } = await (await page.request.get('/api/review/items?state=open')).json();
  for (const item of items) {
    const detail = await (await page.request.get(`/api/review/items/${item.id}`)).json();
    if (detail.subject?.number === number) return item.id;
  }
  throw new Error(`no open review item for appeal ${number}`);
}

/** From the queue to the item's page. */
async function openItem(page, number) {
  const id = await itemIdOf(page, number);
  await page.goto('/review');
  const link = page.locator(`#queue a[href="/review/item?id=${id}"]`);
  await link.waitFor({ state: 'visible' });
  await link.click();
  await page.waitForURL((url) => url.pathname === '/review/item');
  await page.locator('#item').waitFor({ state: 'visible' });
  return id;
}

async function fits360(page, what) {
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `${what}: scrollWidth ${width} > 360`);
}

// ----------------------------------------------------------------- tests
test('appeal -> review -> set the password -> log in', async () => {
  const who = await registered();
  const user = await newPage(browser);
  const { number, newMobile } = await fileAppeal(user, who);
  await screenshot(user, 'appeal-filed-desktop');

  // The status page: the success panel's link fills the number, never the
  // mobile (URLs stay in history and logs); the mobile goes in a header.
  await user.click('#success-status');
  await user.waitForURL((url) => url.pathname === '/appeal/status');
  assert.equal(new URL(user.url()).searchParams.get('mobile'), null, 'no mobile in the URL');
  assert.equal(await user.inputValue('#number'), number);
  assert.equal(await user.evaluate(() => document.activeElement.id), 'mobile', 'the mobile is next to type');
  const result = user.locator('#result');
  const lookUp = async () => {
    await user.fill('#mobile', newMobile);
    await user.click('#status-submit');
    await result.waitFor({ state: 'visible' });
  };
  const urls = [];
  user.on('request', (req) => urls.push(req.url()));
  await lookUp();
  assert.match(await user.locator('#result-heading').innerText(), /申诉已提交/);
  assert.match(await result.innerText(), new RegExp(number));
  const docs = user.locator('#documents-list button');
  assert.equal(await docs.count(), 3, 'the three scans, downloadable while under review');
  const [download] = await Promise.all([user.waitForEvent('download'), docs.first().click()]);
  assert.equal(await download.failure(), null);
  const saved = download.suggestedFilename();
  assert.ok(['id-front.png', 'id-back.png', 'licence.pdf'].includes(saved), saved);
  assert.deepEqual(readFileSync(await download.path()), readFileSync(join(dir, saved)), 'the scan as uploaded');
  assert.deepEqual(urls.filter((u) => u.includes(newMobile)), [], 'the mobile is in no request URL');
  await screenshot(user, 'appeal-status-desktop');
  await fits360(user, '/appeal/status');
  await screenshot(user, 'appeal-status-phone');

  // The reviewer, in a browser context of their own.
  const reviewer = await reviewerPage(browser);
  assert.equal(await reviewer.locator('#tab-open').getAttribute('aria-current'), 'page');
  await screenshot(reviewer, 'review-queue-desktop');
  await reviewer.setViewportSize(PHONE);
  const width = await reviewer.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `/review: scrollWidth ${width} > 360`);
  await screenshot(reviewer, 'review-queue-phone');
  await reviewer.setViewportSize({ width: 1280, height: 900 });

  await openItem(reviewer, number);
  assert.match(await reviewer.locator('#submitted-facts').innerText(), new RegExp(who.uscc));
  assert.match(await reviewer.locator('#account-facts').innerText(), new RegExp(who.loginName));
  const images = reviewer.locator('#documents img');
  assert.equal(await images.count(), 2, 'the PNG scans are shown inline');
  await reviewer.waitForFunction(() => [...document.querySelectorAll('#documents img')].every((i) => i.complete && i.naturalWidth > 0));
  assert.equal(await reviewer.locator('#documents .document-link').count(), 3, 'every scan, the PDF too, as a download');
  assert.equal(await reviewer.locator('#approve').isVisible(), false, 'claim first');
  await reviewer.click('#claim');
  await reviewer.locator('#approve').waitFor({ state: 'visible' });
  // Taken up by a reviewer: the appellant sees 审核中, the scans still there.
  await user.reload();
  await lookUp();
  assert.match(await user.locator('#result-heading').innerText(), /审核中/);
  assert.equal(await user.locator('#documents-list button').count(), 3);
  await screenshot(reviewer, 'review-item-desktop');
  await fits360(reviewer, '/review/item');
  await screenshot(reviewer, 'review-item-phone');
  await reviewer.click('#approve');
  await reviewer.locator('#outcome').waitFor({ state: 'visible' });
  assert.match(await reviewer.locator('#outcome-heading').innerText(), /已通过/);
  assert.equal(await reviewer.locator('#decision').isVisible(), false);
  assert.deepEqual(reviewer.errors, []);
  await reviewer.context().close();

  // The status page now says 已通过 and leads to setting the password.
  await user.reload();
  await lookUp();
  assert.match(await user.locator('#result-heading').innerText(), /已通过/);
  assert.equal(await user.locator('#documents-list button').count(), 0, 'no scans after the decision');
  await user.click('#set-password');
  await user.waitForURL((url) => url.pathname === '/password-reset' && url.searchParams.get('appeal') === '1');

  // The SMS: login name and a set-password code.
  const sms = await outboxMessage(newMobile, 'appeal_approved');
  assert.equal(sms.params.login_name, who.loginName);
  await user.locator('#reset-form #login_name').waitFor({ state: 'visible' });
  assert.equal(await user.locator('#code-form').isVisible(), false, 'no step 1 with the appeal SMS');
  await user.fill('#login_name', sms.params.login_name);
  await user.fill('#sms_code', String(sms.params.code));
  await user.fill('#new_password', NEW_PASSWORD);
  await user.fill('#new_password_confirm', NEW_PASSWORD);
  await user.click('#reset-submit');
  await user.locator('#success').waitFor({ state: 'visible' });
  await user.click('#success-login');
  await user.waitForURL((url) => url.pathname === '/login');
  assert.equal(await user.getAttribute('#tab-legal_entity', 'aria-selected'), 'true', '法人登录');
  assert.equal(await user.inputValue('#login_name'), who.loginName);
  await user.fill('#password', NEW_PASSWORD);
  await user.click('#login-form button[type=submit]');
  await user.waitForURL((url) => url.pathname === '/account');
  assert.deepEqual(user.errors, []);
  await user.context().close();
});

test('an HTML file named .png is refused by the server, beside its input', async () => {
  // A registered organization: the server checks the fields and the account
  // first, then the scans' bytes, then the code.
  const who = await registered();
  const page = await newPage(browser);
  await page.goto('/appeal/legal-entity');
  await fillLegalEntityAppeal(page, who, mobile());
  await page.fill('#sms_code', '123456');
  // The browser's own check sees a .png (image/png by its name) and lets it
  // through: the server looks at the bytes.
  await page.setInputFiles('#id_front', join(dir, 'not-an-image.png'));
  await page.setInputFiles('#id_back', join(dir, 'id-back.png'));
  assert.equal(await summaryText(page), null, 'nothing caught in the browser');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/appeals') && r.request().method() === 'POST');
  await page.click('#appeal-submit');
  const res = await answer;
  assert.equal(res.status(), 400);
  assert.equal((await res.json()).error.code, 'upload.type_not_allowed');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#id_front', 'aria-invalid'), 'true');
  const error = await page.locator('#id_front-error').innerText();
  assert.match(error, /格式不支持/);
  assert.match(error, /身份证正面/, 'the file is named by what it is, not by its field name');
  assert.doesNotMatch(error, /id_front/);
  assert.equal(await page.getAttribute('#id_back', 'aria-invalid'), null);
  await screenshot(page, 'appeal-file-error-desktop');

  // A file the browser can judge (a .txt) is caught before uploading.
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  await page.setInputFiles('#id_back', join(dir, 'notes.txt'));
  assert.match(await page.locator('#id_back-error').innerText(), /只接受 JPEG、PNG 图片或 PDF 文件/);
  await page.setInputFiles('#id_back', join(dir, 'id-back.png'));
  await page.click('#appeal-submit');
  await page.locator('#id_front-error').waitFor({ state: 'visible' });
  await fits360(page, '/appeal/legal-entity with errors');
  await screenshot(page, 'appeal-file-error-phone');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a rejection needs a reason; the status page then shows 未通过 and why', async () => {
  const who = await registered();
  const user = await newPage(browser);
  const { number, newMobile } = await fileAppeal(user, who);
  await user.context().close();

  const reviewer = await reviewerPage(browser);
  await openItem(reviewer, number);
  await reviewer.click('#claim');
  await reviewer.locator('#reject').waitFor({ state: 'visible' });
  await reviewer.click('#reject');
  await reviewer.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await reviewer.getAttribute('#reason', 'aria-invalid'), 'true');
  assert.ok((await reviewer.locator('#reason-error').innerText()).length > 0, 'the reason error beside the textarea');
  await screenshot(reviewer, 'review-reject-no-reason-desktop');
  const reason = '身份证扫描件未加盖单位公章，请盖章并签字后重新申诉。';
  await reviewer.fill('#reason', reason);
  await reviewer.click('#reject');
  await reviewer.locator('#outcome').waitFor({ state: 'visible' });
  assert.match(await reviewer.locator('#outcome-heading').innerText(), /未通过/);
  assert.match(await reviewer.locator('#outcome-reason').innerText(), /未加盖单位公章/);
  assert.deepEqual(reviewer.errors, []);

  // The decided tab lists it.
  await reviewer.goto('/review?state=decided');
  await reviewer.locator('#queue').waitFor({ state: 'visible' });
  assert.equal(await reviewer.locator('#tab-decided').getAttribute('aria-current'), 'page');
  await reviewer.context().close();

  const page = await newPage(browser);
  await page.goto('/appeal/status');
  await page.fill('#number', number);
  await page.fill('#mobile', newMobile);
  await page.keyboard.press('Enter');
  await page.locator('#result').waitFor({ state: 'visible' });
  assert.match(await page.locator('#result-heading').innerText(), /未通过/);
  assert.match(await page.locator('#result-reason').innerText(), /未加盖单位公章/);
  assert.equal(await page.locator('#appeal-again').getAttribute('href'), '/appeal/legal-entity');
  await screenshot(page, 'appeal-status-rejected-desktop');

  // Another mobile gets the same answer as an unknown number.
  await page.fill('#mobile', mobile());
  await page.click('#status-submit');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /没有找到该申诉/);
  assert.equal(await page.locator('#result').isVisible(), false);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('the back office sends strangers to its login page, and back after logging in', async () => {
  const page = await newPage(browser);
  await page.goto('/review');
  await page.waitForURL((url) => url.pathname === '/review/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/review');
  await page.goto('/review/item?id=1');
  await page.waitForURL((url) => url.pathname === '/review/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/review/item?id=1');

  // A wrong password is said at the password.
  await page.fill('#login_name', REVIEWER.login ?? 'nobody');
  await page.fill('#password', 'not the password at all');
  await page.click('#login-submit');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.equal(await page.getAttribute('#password', 'aria-invalid'), 'true');
  assert.equal(new URL(page.url()).pathname, '/review/login');

  await page.fill('#password', REVIEWER.password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === '/review/item');
  await page.click('#review-logout');
  await page.waitForURL((url) => url.pathname === '/review/login');
  await page.goto('/review');
  await page.waitForURL((url) => url.pathname === '/review/login');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
