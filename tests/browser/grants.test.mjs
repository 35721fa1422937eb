// Grant management (flow 6, FAQ 4.1-4.4 and 7) in the browser. The accounts
// are made through the API as a user would make them (registration with the
// SMS code from the dev outbox, real-name verification against the scripted
// identity service, the first entry and a reviewer's approval); then, in the
// pages: an onboarded legal entity searches a verified person by real name
// (授权操作, with both rules said at the box and with an empty result) and
// grants business and grant_admin with an expiry date (which a tick of the
// scheduled work then notices on the page: it is within 7 days); that person grants
// business to a third verified person, enters the work-permit entry for the
// organization, and, once the organization has taken business back, cannot
// grant what it lacks (the box is disabled and the API refuses it); the
// person sees the organization under my info (法人（单位）授权办理情况).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { BASE_URL, launch, newPage, smsCode, mobile, uscc, orgName, loginName, PASSWORD, runnerSetting, screenshot } from './helpers.mjs';

runnerSetting('IDENTITY_SERVICE_TOKEN');
const REVIEWER = { login: runnerSetting('REVIEWER_LOGIN'), password: runnerSetting('REVIEWER_PASSWORD') };
const SCHEDULER_TOKEN = runnerSetting('SCHEDULER_TOKEN');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** One session of the API, as a page of the site holds it (cookie, Origin, CSRF token). */
class Session {
  constructor() { this.cookie = null; this.csrf = null; }

  async call(method, path, json) {
    const headers = { accept: 'application/json', origin: BASE_URL };
    if (json !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${BASE_URL}${path}`, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) this.cookie = setCookie.split(';')[0];
    const body = await res.json().catch(() => null);
    if (body?.csrf_token) this.csrf = body.csrf_token;
    return { status: res.status, body };
  }

  async ok(method, path, json) {
    const res = await this.call(method, path, json);
    assert.ok(res.status >= 200 && res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }
}

/** A valid resident ID (GB 11643-1999 check) born 1988-03-02 with a random sequence. */
function residentId() {
  const first17 = `110105198803${'02'}${String(randomInt(1000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

/** A name nobody else in this run has (the search is by exact real name). */
function uniqueName(first) {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const tail = Array.from({ length: 6 }, () => letters[randomInt(26)]).join('');
  return `${first} ${tail[0].toUpperCase()}${tail.slice(1)}`;
}

async function registrationCode(number) {
  await new Session().ok('POST', '/api/registration/sms-codes', { mobile: number, purpose: 'registration' });
  return smsCode(number);
}

/** A natural person registered and verified through the API; logged in. */
async function verifiedPerson(first) {
  const who = { loginName: loginName('gp'), password: PASSWORD, realName: uniqueName(first), number: residentId(), mobile: mobile() };
  const s = new Session();
  await s.ok('POST', '/api/registration/natural-persons', {
    login_name: who.loginName, password: who.password, real_name: who.realName, document_type: 'resident_id',
    document_number: who.number, mobile: who.mobile, sms_code: await registrationCode(who.mobile),
  });
  await s.ok('POST', '/api/auth/login', { account_type: 'natural_person', login_name: who.loginName, password: who.password });
  const part = await s.ok('PUT', '/api/my-info/person', { real_name: who.realName, document_type: 'resident_id', document_number: who.number });
  assert.equal(part.state, 'passed');
  who.id = (await s.ok('GET', '/api/session')).account.id;
  return who;
}

/** A legal entity registered, verified and onboarded (first entry approved by the runner's reviewer). */
async function onboardedOrganization() {
  const who = { loginName: loginName('go'), password: PASSWORD, orgName: orgName(), uscc: uscc(), mobile: mobile() };
  const s = new Session();
  await s.ok('POST', '/api/registration/legal-entities', {
    login_name: who.loginName, password: who.password, org_name: who.orgName, uscc: who.uscc, mobile: who.mobile,
    sms_code: await registrationCode(who.mobile),
  });
  await s.ok('POST', '/api/auth/login', { account_type: 'legal_entity', login_name: who.loginName, password: who.password });
  await s.ok('PUT', '/api/my-info/legal_representative', {
    legal_representative_type: 'mainland', legal_representative_name: '王大明',
    legal_representative_document_type: 'resident_id', legal_representative_document_number: residentId(),
  });
  await s.ok('PUT', '/api/my-info/basic_info', {
    org_name: who.orgName, uscc: who.uscc, registered_address: '北京市海淀区中关村大街 1 号', organization_type: 'enterprise', contact_phone: '010-62345678',
  });
  await s.ok('POST', '/api/entry/work_permit/onboarding', {
    unit_type: 'enterprise', industry: 'research', registered_address: '北京市海淀区中关村大街 1 号',
    office_address: '北京市海淀区中关村大街 1 号 5 层', contact_person: '李小红', contact_phone: '010-62345678',
    contact_email: 'hr@example.cn', description: '一家聘用外国专家的研究机构。',
  });
  who.id = (await s.ok('GET', '/api/session')).account.id;
  const reviewer = new Session();
  await reviewer.ok('POST', '/api/review/login', { login_name: REVIEWER.login, password: REVIEWER.password });
  const queue = await reviewer.ok('GET', '/api/review/items?state=open');
  const item = queue.items.find((i) => i.kind === 'onboarding' && JSON.stringify(i).includes(who.orgName));
  assert.ok(item, 'the first entry is in the review queue');
  await reviewer.ok('POST', `/api/review/items/${item.id}/decision`, { decision: 'approve' });
  return who;
}

async function logIn(browserContextPage, kind, who, next) {
  const page = browserContextPage;
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.click(`#tab-${kind}`);
  await page.fill('#login_name', who.loginName);
  await page.fill('#password', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

/** 授权操作: search `name`, choose the person `id`, tick `roles`, give the expiry, grant. */
async function grantInPage(page, org, person, roles, expiresAt) {
  await page.goto(`/grants/new?organization=${org.id}`);
  await page.locator('#search-section').waitFor({ state: 'visible' });
  await page.fill('#real_name', person.realName);
  await page.click('#search-button');
  const choose = page.locator(`#search-rows button[data-person="${person.id}"]`);
  await choose.waitFor({ state: 'visible' });
  await choose.click();
  await page.locator('#grant-section').waitFor({ state: 'visible' });
  for (const role of roles) await page.check(`#role-grant-roles-${role}`);
  if (expiresAt) await page.fill('#expires_at', expiresAt);
  await page.click('#grant-submit');
  await page.locator('#grant-done').waitFor({ state: 'visible' });
}

test('a legal entity grants by real name with an expiry; that person grants only what it holds and enters the work-permit entry', async () => {
  const [org, first, third, fourth] = await Promise.all([
    onboardedOrganization(), verifiedPerson('Lena'), verifiedPerson('Marco'), verifiedPerson('Yuki'),
  ]);
  // Three days ahead: within the 7 days of the scheduled work's expiry notice.
  const expiry = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);

  // The legal entity: 授权操作 says both rules at the box, and again with an empty result.
  const orgPage = await newPage(browser);
  await logIn(orgPage, 'legal_entity', org, '/grants');
  await orgPage.locator('#grants-list').waitFor({ state: 'visible' });
  assert.equal(await orgPage.locator('#grants-empty').isVisible(), true, 'no grants yet');
  await orgPage.click('#grants-new');
  await orgPage.waitForURL((url) => url.pathname === '/grants/new');
  await orgPage.locator('#search-section').waitFor({ state: 'visible' });
  const rules = await orgPage.locator('#search-rules').innerText();
  assert.match(rules, /只能搜索已完成实名认证的自然人/);
  assert.match(rules, /请填写自然人姓名，而不是登录名/);
  await orgPage.fill('#real_name', first.loginName);
  await orgPage.click('#search-button');
  await orgPage.locator('#search-empty').waitFor({ state: 'visible' });
  assert.match(await orgPage.locator('#search-empty').innerText(), /而不是登录名/, 'a login name finds nobody, and the rules are repeated');
  await grantInPage(orgPage, org, first, ['business', 'grant_admin'], expiry);
  await orgPage.goto('/grants');
  const row = orgPage.locator('#grants-rows tr', { hasText: first.realName });
  await row.waitFor({ state: 'visible' });
  assert.match(await row.innerText(), new RegExp(expiry));
  await screenshot(orgPage, 'grants-legal-entity');

  // The person: an administrator now, holding both roles.
  const personPage = await newPage(browser);
  await logIn(personPage, 'natural_person', first, '/grants');
  await personPage.locator('#grants-org').waitFor({ state: 'visible' });
  assert.match(await personPage.locator('#grants-org-facts').innerText(), new RegExp(org.orgName));
  await grantInPage(personPage, org, third, ['business']);
  // ... under my info, the organization that authorized it.
  await personPage.goto('/my-info');
  const mine = personPage.locator('#my-grants-rows tr', { hasText: org.orgName });
  await mine.waitFor({ state: 'visible' });
  assert.match(await mine.innerText(), new RegExp(expiry));
  assert.equal(await mine.locator('a').innerText(), '修改', 'a grant administrator may complete the organization info');
  // ... and the work-permit entry opens the organization's business home.
  await personPage.goto('/entry/work-permit');
  await personPage.waitForURL((url) => url.pathname === '/entry/home');
  await personPage.locator('#home-owner').waitFor({ state: 'visible' });
  assert.match(await personPage.locator('#home-owner').innerText(), new RegExp(org.orgName));

  // The organization takes business back from the person.
  await orgPage.goto('/grants');
  const firstRow = orgPage.locator('#grants-rows tr', { hasText: first.realName });
  await firstRow.locator('button', { hasText: '修改' }).click();
  await orgPage.locator('#grant-change').waitFor({ state: 'visible' });
  await orgPage.uncheck('#role-change-roles-business');
  await orgPage.click('#change-save');
  await orgPage.locator('#grants-done').waitFor({ state: 'visible' });

  // Now it cannot grant what it lacks: the box is disabled, and the API refuses it.
  await personPage.goto(`/grants/new?organization=${org.id}`);
  await personPage.locator('#search-section').waitFor({ state: 'visible' });
  await personPage.fill('#real_name', fourth.realName);
  await personPage.click('#search-button');
  await personPage.locator(`#search-rows button[data-person="${fourth.id}"]`).click();
  await personPage.locator('#grant-section').waitFor({ state: 'visible' });
  assert.equal(await personPage.locator('#role-grant-roles-business').isDisabled(), true);
  assert.equal(await personPage.locator('#role-grant-roles-grant_admin').isDisabled(), false);
  const refused = await personPage.evaluate(async ({ orgId, personId }) => {
    const session = await (await fetch('/api/session')).json();
    const res = await fetch(`/api/grants/organizations/${orgId}/grants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrf_token },
      body: JSON.stringify({ person_id: personId, roles: ['business'] }),
    });
    return { status: res.status, body: await res.json() };
  }, { orgId: org.id, personId: fourth.id });
  assert.equal(refused.status, 403);
  assert.equal(refused.body.error.code, 'grants.role_not_held');
  await screenshot(personPage, 'grants-person-lacks-business');

  // The third person was granted business by the person, and it stays.
  await orgPage.goto('/grants');
  const thirdRow = orgPage.locator('#grants-rows tr', { hasText: third.realName });
  await thirdRow.waitFor({ state: 'visible' });
  assert.match(await thirdRow.innerText(), /办理业务/);

  // The scheduled work notices the grant expiring within 7 days; the grant
  // management page shows it. One tick now, through the route a scheduler
  // calls where there is no cron trigger (docs/deployment.md), rather than
  // waiting for the server's minute.
  const tick = await fetch(`${BASE_URL}/api/internal/schedule/tick`, {
    method: 'POST', headers: { authorization: `Bearer ${SCHEDULER_TOKEN}` },
  });
  assert.equal(tick.status, 200, await tick.text());
  await orgPage.goto('/grants');
  await orgPage.locator('#grants-rows tr', { hasText: first.realName }).waitFor({ state: 'visible' });
  const notice = orgPage.locator('#grants-rows tr', { hasText: first.realName }).locator('.expiry-notice');
  assert.match(await notice.innerText(), /即将到期/);
  assert.match(await notice.innerText(), new RegExp(expiry));
  assert.equal(await orgPage.locator('#grants-rows tr', { hasText: third.realName }).locator('.expiry-notice').count(), 0, 'no expiry: no notice');
  await screenshot(orgPage, 'grants-expiry-notice');
  await orgPage.context().close();
  await personPage.context().close();
});

test('a legal entity not onboarded yet is told to enter the foreign-work system first (FAQ 4.4)', async () => {
  const who = { loginName: loginName('gn'), password: PASSWORD, orgName: orgName(), uscc: uscc(), mobile: mobile() };
  await new Session().ok('POST', '/api/registration/legal-entities', {
    login_name: who.loginName, password: who.password, org_name: who.orgName, uscc: who.uscc, mobile: who.mobile,
    sms_code: await registrationCode(who.mobile),
  });
  const page = await newPage(browser);
  await logIn(page, 'legal_entity', who, '/grants');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await page.locator('#error-summary').innerText(), /首次进入审核/);
  assert.equal(await page.locator('#error-summary a[href="/entry/work-permit"]').count(), 1, 'the way to the entry');
  assert.equal(await page.locator('#grants-list').isVisible(), false);
  await page.context().close();
});
