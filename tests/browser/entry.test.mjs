// The foreign-work system's entries (flow 7, FAQ 5, 6, 8) in the browser:
// a newly registered legal entity passes real-name verification, finds the
// work-permit entry from the home page in one look, submits its first-entry
// information (prefilled from my info), a reviewer approves it in the back
// office (seeing the legacy records that will link), and the entry opens the
// business home with the old system's records of its USCC; a natural person
// without a grant reads at the entry what to ask the administrator for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import {
  BASE_URL, launch, newPage, registerLegalEntity, registerNaturalPerson, screenshot, runnerSetting, reviewerPage, outboxMessage, summaryText, uscc,
} from './helpers.mjs';

const IMPORT_TOKEN = runnerSetting('LEGACY_IMPORT_TOKEN');
runnerSetting('IDENTITY_SERVICE_TOKEN');

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** A valid resident ID (GB 11643-1999 check) born 1985-06-15 with a random sequence. */
function residentId() {
  const first17 = `110105198506${15}${String(randomInt(1000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

async function logIn(page, kind, who, next) {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.click(`#tab-${kind}`);
  await page.fill('#login_name', who.loginName);
  await page.fill('#password', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === next);
}

/** Old-system records imported with the bearer token (as the migration tool does). */
async function importRecords(lines) {
  const res = await fetch(`${BASE_URL}/api/entry/legacy-records/imports`, {
    method: 'POST',
    headers: { authorization: `Bearer ${IMPORT_TOKEN}` },
    body: lines.map((l) => JSON.stringify(l)).join('\n'),
  });
  assert.equal(res.status, 200);
  return res.json();
}

function record(number, uscc) {
  return {
    record_number: number, kind: 'work_permit_extension', status: 'approved', submitted_on: '2018-05-02', decided_on: '2018-05-20',
    foreigner_name: 'John Smith', foreigner_nationality: 'USA', foreigner_document_type: 'passport', foreigner_document_number: 'E12345678',
    old_login_name: 'acme-old', old_org_name: '北京老单位科技有限公司', old_uscc: uscc,
  };
}

test('a verified legal entity finds its entry from the home page, onboards, and its legacy records are in its business home', async () => {
  const page = await newPage(browser);
  const who = await registerLegalEntity(page);
  const number = `WP-BT-${randomInt(1e9)}`;
  const report = await importRecords([record(number, who.uscc)]);
  assert.equal(report.imported, 1);

  // Real-name verification of the legal representative and the basic info (the scripted service matches).
  await logIn(page, 'legal_entity', who, '/my-info');
  await page.locator('#myinfo-loading').waitFor({ state: 'hidden' });
  await page.selectOption('#legal_representative_type', 'mainland');
  await page.fill('#legal_representative_name', '王大明');
  await page.selectOption('#legal_representative_document_type', 'resident_id');
  await page.fill('#legal_representative_document_number', residentId());
  await page.click('#legal_representative-save');
  await page.waitForFunction(() => document.getElementById('part-legal_representative')?.dataset.state === 'passed');
  await page.fill('#registered_address', '北京市海淀区中关村大街 1 号');
  await page.selectOption('#organization_type', 'enterprise');
  await page.fill('#contact_phone', '010-62345678');
  await page.click('#basic_info-save');
  await page.waitForFunction(() => document.getElementById('part-basic_info')?.dataset.state === 'passed');

  // FAQ 5: the entry is on the home page, with the service items one click away.
  await page.goto('/');
  await page.locator('#entry-work-permit').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#services-link').isVisible(), true);
  await page.click('#entry-work-permit');
  await page.waitForURL((url) => url.pathname === '/entry/work-permit');
  await page.locator('#onboarding').waitFor({ state: 'visible' });
  assert.match(await page.locator('#entry-message').innerText(), /首次进入/);
  assert.equal(await page.inputValue('#registered_address'), '北京市海淀区中关村大街 1 号', 'prefilled from my info');
  assert.equal(await page.inputValue('#unit_type'), 'enterprise');

  // A bad e-mail is marked at its field, nothing is submitted.
  await page.selectOption('#industry', 'information_technology');
  await page.fill('#office_address', '北京市海淀区中关村大街 1 号 5 层');
  await page.fill('#contact_person', '李小红');
  await page.fill('#contact_email', 'hr-at-example');
  await page.fill('#description', '软件研发企业，聘用外籍工程师从事研发工作。');
  await page.click('#onboarding-submit');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /联系邮箱/);
  assert.equal(await page.getAttribute('#contact_email', 'aria-invalid'), 'true');
  await page.fill('#contact_email', 'hr@example.com');
  await page.click('#onboarding-submit');
  await page.locator('#onboarding').waitFor({ state: 'hidden' });
  assert.match(await page.locator('#entry-message').innerText(), /审核中/);
  assert.match(await page.locator('#entry-due').innerText(), /预计审核完成时间/);
  await screenshot(page, 'entry-under-review');

  // The reviewer sees the submission and the legacy record that will link, and approves.
  const reviewer = await reviewerPage(browser);
  const { items } = await (await reviewer.request.get('/api/review/items?state=open')).json();
  const item = items.find((i) => i.kind === 'onboarding' && i.summary?.name === who.orgName);
  assert.ok(item, 'the first entry is in the queue');
  await reviewer.goto(`/review/item?id=${item.id}`);
  await reviewer.locator('#item').waitFor({ state: 'visible' });
  assert.match(await reviewer.locator('#submitted-facts').innerText(), /hr@example.com/);
  assert.match(await reviewer.locator('#records').innerText(), new RegExp(number));
  await reviewer.click('#claim');
  await reviewer.locator('#approve').waitFor({ state: 'visible' });
  await screenshot(reviewer, 'review-item-onboarding');
  await reviewer.click('#approve');
  await reviewer.locator('#outcome').waitFor({ state: 'visible' });
  assert.deepEqual(reviewer.errors, []);
  await reviewer.context().close();
  const sms = await outboxMessage(who.mobile, 'onboarding_approved');
  assert.equal(sms.params.entry, '外国人来华工作许可办理业务入口');

  // The entry now opens the business home with the record linked by USCC.
  await page.goto('/entry/work-permit');
  await page.waitForURL((url) => url.pathname === '/entry/home');
  await page.locator('#home-records').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#home-owner').innerText(), who.orgName);
  const row = page.locator(`#home-records-table tr[data-record="${number}"]`);
  assert.match(await row.innerText(), /工作许可延期/);
  assert.match(await row.innerText(), /E12\*\*5678/);
  assert.match(await page.locator('#home-roles').innerText(), /授权管理员/);
  assert.equal(await page.locator('#home-request').isVisible(), true, 'the organization may request legacy data');
  await screenshot(page, 'entry-business-home');

  // Records under its old USCC did not link: a legacy-data request from the home, the reviewer ticks them.
  const oldUscc = uscc();
  const older = `WP-BT-OLD-${randomInt(1e9)}`;
  assert.equal((await importRecords([record(older, oldUscc)])).linked, 0);
  await page.fill('#old_uscc', oldUscc);
  await page.fill('#note', '2018 年更名前的统一社会信用代码');
  await page.click('#request-submit');
  await page.locator('#request-filed').waitFor({ state: 'visible' });
  assert.match(await page.locator('#home-requests').innerText(), /审核中/);
  const desk = await reviewerPage(browser);
  const queue = await (await desk.request.get('/api/review/items?state=open')).json();
  const request = queue.items.find((i) => i.kind === 'legacy_data' && i.summary?.name === who.orgName);
  assert.ok(request, 'the request is in the queue');
  await desk.goto(`/review/item?id=${request.id}`);
  await desk.locator('#item').waitFor({ state: 'visible' });
  assert.match(await desk.locator('#submitted-facts').innerText(), new RegExp(oldUscc));
  assert.match(await desk.locator('#approve-note').innerText(), /勾选的历史业务/);
  await desk.click('#claim');
  await desk.locator(`#records input[value="${older}"]`).check();
  assert.match(await desk.locator('#records').innerText(), /未关联/);
  await screenshot(desk, 'review-item-legacy-data');
  await desk.click('#approve');
  await desk.locator('#outcome').waitFor({ state: 'visible' });
  assert.deepEqual(desk.errors, []);
  await desk.context().close();
  await page.reload();
  await page.locator(`#home-records-table tr[data-record="${older}"]`).waitFor({ state: 'visible' });
  assert.match(await page.locator('#home-requests').innerText(), new RegExp(`已关联：${older}`));

  await page.click('#lang-switch');
  assert.match(await row.innerText(), /Work permit extension/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a natural person without a grant is told at the entry what to ask the administrator for', async () => {
  const page = await newPage(browser);
  const who = await registerNaturalPerson(page);
  await logIn(page, 'natural_person', who, '/entry/work-permit');
  await page.locator('#entry-state').waitFor({ state: 'visible' });
  const message = await page.locator('#entry-message').innerText();
  assert.match(message, /授权管理员/);
  assert.match(message, /真实姓名/);
  assert.match(message, /实名认证/);
  assert.equal(await page.locator('#onboarding').isVisible(), false, 'no first-entry form for a person here');
  assert.equal(await page.getAttribute('#entry-next-link', 'href'), '/my-info', 'not verified yet: my info comes first');
  await screenshot(page, 'entry-needs-grant');
  // The R-visa entry is for this person: its first entry waits for verification.
  await page.goto('/entry/r-visa');
  await page.locator('#entry-state').waitFor({ state: 'visible' });
  assert.match(await page.locator('#entry-message').innerText(), /实名认证/);
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
