// The review console and the scheduled work (flows 8 and 9), on a server of
// its own whose clock the test moves (tests/browser/run starts it with
// --test-clock at Friday 2026-11-27 09:00 Beijing time and a control port):
// an appeal filed on a Friday shows "due Monday" in the console; a tick on
// Tuesday marks it overdue and reminded; on Wednesday the lead (the
// bootstrap reviewer) sees it escalated, with its history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  launch, newPage, BASE_URL, runnerSetting, loginName, mobile, orgName, uscc, PASSWORD, smsCode, png, pdf, screenshot,
} from './helpers.mjs';

const CONTROL = runnerSetting('SCHEDULE_CONTROL_URL');
const REVIEWER = { login: runnerSetting('REVIEWER_LOGIN'), password: runnerSetting('REVIEWER_PASSWORD') };
/** 2026-11-27 09:00 in Beijing (a Friday), where the server's clock starts. */
const FRIDAY_9H = 1_795_741_200;
const DAY = 86_400;

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function control(path) {
  const res = await fetch(`${CONTROL}${path}`, { method: 'POST' });
  assert.equal(res.status, 200, `control ${path}: ${res.status}`);
  return res.json();
}

async function setClock(unix) {
  await control(`/clock?unix=${unix}`);
}

/** One tick of the scheduled work now (the reminders component under the cron trigger). */
async function tick() {
  const { ticks } = await control('/cron');
  assert.deepEqual(ticks.map((t) => [t.component, t.ok, t.error]), [['reminders', true, null]]);
}

async function post(path, body, headers = {}) {
  const res = await fetch(`${BASE_URL}${path}`, { method: 'POST', headers: { origin: BASE_URL, ...headers }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const json = (value) => ({ body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });

/** Registers a legal entity and files its appeal through the API; returns the appeal number. */
async function fileAppeal() {
  const who = { loginName: loginName('le'), orgName: orgName(), uscc: uscc(), mobile: mobile() };
  let j = json({ mobile: who.mobile, purpose: 'registration' });
  assert.equal((await post('/api/registration/sms-codes', j.body, j.headers)).status, 202);
  j = json({ login_name: who.loginName, password: PASSWORD, org_name: who.orgName, uscc: who.uscc, mobile: who.mobile, sms_code: await smsCode(who.mobile) });
  assert.equal((await post('/api/registration/legal-entities', j.body, j.headers)).status, 201);
  const newMobile = mobile();
  j = json({ mobile: newMobile });
  assert.equal((await post('/api/appeals/sms-codes', j.body, j.headers)).status, 202);
  const form = new FormData();
  for (const [k, v] of Object.entries({
    kind: 'legal_entity', org_name: who.orgName, uscc: who.uscc, legal_representative_name: '王大明', applicant_name: 'Anna Schmidt',
    applicant_document_type: 'resident_id', applicant_document_number: '11010519491231002X', new_mobile: newMobile,
    sms_code: await smsCode(newMobile),
  })) form.append(k, v);
  form.append('id_front', new Blob([png(96, 60, [179, 18, 31])], { type: 'image/png' }), 'front.png');
  form.append('id_back', new Blob([pdf('back')], { type: 'application/pdf' }), 'back.pdf');
  const filed = await post('/api/appeals', form);
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  return filed.body.number;
}

/** The bootstrap reviewer (a lead) logged in, the console in English. */
async function consolePage() {
  const page = await newPage(browser);
  await page.addInitScript(() => localStorage.setItem('lang', 'en'));
  await page.goto('/review/login');
  await page.fill('#login_name', REVIEWER.login);
  await page.fill('#password', REVIEWER.password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === '/review');
  return page;
}

/** The queue row of the appeal `number` (found with the console's search). */
async function rowOf(page, number) {
  await page.goto(`/review?q=${encodeURIComponent(number)}`);
  const row = page.locator('#queue-body tr');
  await row.first().waitFor({ state: 'visible' });
  assert.equal(await row.count(), 1, 'the search finds the one appeal');
  return row.first();
}

test('a Friday appeal is due Monday, reminded on Tuesday, escalated to the lead on Wednesday', async () => {
  await setClock(FRIDAY_9H);
  const number = await fileAppeal();

  let page = await consolePage();
  let row = await rowOf(page, number);
  assert.match(await row.innerText(), /due Monday/);
  assert.match(await row.getAttribute('class'), /sla-later/);
  assert.match(await page.locator('#counts').innerText(), /Legal-entity recovery appeal\s+1 open · 0 overdue/);
  await screenshot(page, 'console-friday');
  await page.context().close();

  // Tuesday 10:00: overdue since Monday 09:00; the tick reminds.
  await setClock(FRIDAY_9H + 4 * DAY + 3600);
  await tick();
  page = await consolePage();
  row = await rowOf(page, number);
  assert.match(await row.getAttribute('class'), /sla-overdue/);
  assert.match(await row.innerText(), /Overdue/);
  assert.match(await row.innerText(), /reminded/);
  assert.doesNotMatch(await row.innerText(), /escalated/);
  // The queue is filled after the page loads: wait for its rows before counting.
  await page.goto('/review?sla=overdue');
  const overdueRows = page.locator('#queue-body tr');
  await overdueRows.first().waitFor({ state: 'visible' });
  assert.ok(await overdueRows.count() >= 1, 'the overdue filter lists it');
  assert.match(await overdueRows.filter({ hasText: number }).first().innerText(), /Overdue/, 'and this appeal among them');
  await page.context().close();

  // Wednesday 10:00: two working days past Monday 09:00; the lead sees it escalated.
  await setClock(FRIDAY_9H + 5 * DAY + 3600);
  await tick();
  page = await consolePage();
  row = await rowOf(page, number);
  assert.match(await row.innerText(), /escalated/);
  assert.match(await page.locator('#notification-list').innerText(), /escalated to the leads/);
  assert.match(await page.locator('#tick-list').innerText(), /escalated 1/);
  await screenshot(page, 'console-wednesday');
  await row.locator('a.item-link').click();
  await page.waitForURL((url) => url.pathname === '/review/item');
  const history = page.locator('#history');
  await history.locator('li[data-event="escalated"]').waitFor();
  const events = await history.locator('li').evaluateAll((lis) => lis.map((li) => li.dataset.event));
  assert.deepEqual(events, ['submitted', 'reminded', 'escalated']);
  assert.match(await history.innerText(), /system/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
