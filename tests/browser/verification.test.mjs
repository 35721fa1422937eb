// Real-name verification in "my info" (flow 5, FAQ 3.1-3.7), in the browser,
// against the scripted identity service tests/browser/run starts: a natural
// person saves a passport identity (the page says before saving that it goes
// to manual review), uploads its photo page, a reviewer approves it in the
// back office next to the claimed data, "my info" then shows it passed and
// the SMS arrived; a legal entity fills its three parts with the FAQ 3.6
// mistake (China under "other"), reads the message that names the fix,
// corrects it, and passes the automatic checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomInt } from 'node:crypto';
import {
  launch, newPage, registerNaturalPerson, registerLegalEntity, summaryText, screenshot, runnerSetting, PHONE, outboxMessage, reviewerPage,
} from './helpers.mjs';

// The runner started the scripted identity service with this token.
runnerSetting('IDENTITY_SERVICE_TOKEN');
runnerSetting('REVIEWER_LOGIN');

let browser;
let dir;
before(async () => {
  browser = await launch();
  dir = mkdtempSync(join(tmpdir(), 'verification-files-'));
  writeFileSync(join(dir, 'passport.pdf'), pdf());
});
after(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A minimal one-page PDF with a correct xref table (stands in for a scan). */
function pdf() {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj ${o} endobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer << /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

/** A valid resident ID (GB 11643-1999 check) born 1985-06-15 with a random sequence. */
function residentId() {
  const first17 = `110105198506${15}${String(randomInt(1000)).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  return first17 + '10X98765432'[sum % 11];
}

async function logIn(page, kind, who) {
  await page.goto('/login?next=/my-info');
  await page.click(`#tab-${kind}`);
  await page.fill('#login_name', who.loginName);
  await page.fill('#password', who.password);
  await page.click('#login-form button[type=submit]');
  await page.waitForURL((url) => url.pathname === '/my-info');
  await page.locator('#myinfo-loading').waitFor({ state: 'hidden' });
}

async function stateOf(page, part) {
  return page.locator(`#part-${part}`).getAttribute('data-state');
}

async function waitForState(page, part, state) {
  await page.waitForFunction(([p, s]) => document.getElementById(`part-${p}`)?.dataset.state === s, [part, state]);
}

test('a natural person verifies a passport through upload and review, and the SMS tells the result', async () => {
  const setup = await newPage(browser);
  const who = await registerNaturalPerson(setup);
  await setup.context().close();

  const page = await newPage(browser);
  await logIn(page, 'natural_person', who);
  assert.equal(await page.locator('#part-person').isVisible(), true);
  assert.equal(await page.locator('#part-basic_info').isVisible(), false, 'a natural person has one part');
  assert.equal(await stateOf(page, 'person'), 'not_submitted');
  assert.equal(await page.inputValue('#real_name'), who.realName, 'what was registered');
  assert.match(await page.locator('#document_number-current').innerText(), /\*/, 'the number only masked');
  assert.equal(await page.locator('header a[href="/my-info"]').count(), 1, 'the header links my info');

  // Before saving, the page says a passport goes to manual review.
  await page.selectOption('#document_type', 'passport');
  const note = page.locator('#document_type-check');
  await note.waitFor({ state: 'visible' });
  assert.match(await note.innerText(), /不能在线核验.*人工审核/);
  await page.fill('#document_number', who.passport);
  await page.fill('#nationality', 'DEU');
  await page.fill('#birth_date', '1988-04-02');
  await page.click('#person-save');
  await waitForState(page, 'person', 'manual_review_required');
  assert.match(await page.locator('#person-state').innerText(), /不能在线核验/);
  await screenshot(page, 'my-info-manual-review');

  // The upload step: the photo page is enough for a passport.
  const upload = page.locator('#person-upload');
  await upload.waitFor({ state: 'visible' });
  await page.setInputFiles('#document_front', join(dir, 'passport.pdf'));
  await page.click('#person-upload-submit');
  await waitForState(page, 'person', 'under_review');
  assert.match(await page.locator('#person-state').innerText(), /实名认证审核中/);
  assert.match(await page.locator('#person-facts').innerText(), /预计审核完成/, 'the due time is shown');
  assert.equal(await upload.isVisible(), false, 'no second upload while under review');
  assert.equal(await page.locator('#person-save').isDisabled(), true, 'nothing changes while under review');

  // The reviewer sees the claimed data next to the scan, claims and approves.
  const reviewer = await reviewerPage(browser);
  const { items } = await (await reviewer.request.get('/api/review/items?state=open')).json();
  const item = items.find((i) => i.kind === 'verification' && i.summary?.name === who.realName);
  assert.ok(item, 'the upload is in the queue');
  await reviewer.goto(`/review/item?id=${item.id}`);
  await reviewer.locator('#item').waitFor({ state: 'visible' });
  assert.match(await reviewer.locator('#submitted-heading').innerText(), /申请认证的信息/);
  const claimed = await reviewer.locator('#submitted-facts').innerText();
  assert.match(claimed, new RegExp(who.passport), 'the full number, to compare with the scan');
  assert.match(claimed, /普通护照/);
  assert.equal(await reviewer.locator('#documents .document-link').count(), 1);
  await reviewer.click('#claim');
  await reviewer.locator('#approve').waitFor({ state: 'visible' });
  await screenshot(reviewer, 'review-item-verification');
  await reviewer.click('#approve');
  await reviewer.locator('#outcome').waitFor({ state: 'visible' });
  assert.deepEqual(reviewer.errors, []);
  await reviewer.context().close();

  await page.reload();
  await page.locator('#myinfo-loading').waitFor({ state: 'hidden' });
  await waitForState(page, 'person', 'passed');
  assert.equal(await page.locator('#person-state').innerText(), '自然人信息 已通过');
  assert.equal(await page.locator('#myinfo-verified').isVisible(), true);
  await page.locator('#person-history-box summary').click();
  assert.match(await page.locator('#person-history').innerText(), /审核员.*已通过/);
  const sms = await outboxMessage(who.mobile, 'verification_passed');
  assert.equal(sms.params.part, '自然人信息');

  // English: the state line too.
  await page.click('#lang-switch');
  assert.equal(await page.locator('#person-state').innerText(), 'Personal information: verified');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});

test('a legal entity corrects China under "other" (FAQ 3.6) and passes its three parts', async () => {
  const setup = await newPage(browser);
  const who = await registerLegalEntity(setup);
  await setup.context().close();

  const page = await newPage(browser);
  await logIn(page, 'legal_entity', who);
  for (const part of ['basic_info', 'authorization_info', 'legal_representative']) {
    assert.equal(await page.locator(`#part-${part}`).isVisible(), true, `${part} is a section of its own`);
    assert.equal(await stateOf(page, part), 'not_submitted');
  }
  assert.equal(await page.inputValue('#org_name'), who.orgName);

  // The legal representative with the FAQ 3.6 mistake: "other", Asia, China.
  await page.selectOption('#legal_representative_type', 'other');
  await page.fill('#legal_representative_name', '王大明');
  await page.selectOption('#legal_representative_document_type', 'passport');
  await page.fill('#legal_representative_document_number', 'E12345678');
  await page.selectOption('#legal_representative_continent', 'asia');
  await page.selectOption('#legal_representative_country', 'CHN');
  await page.click('#legal_representative-save');
  await page.locator('#error-summary').waitFor({ state: 'visible' });
  assert.match(await summaryText(page), /中华人民共和国大陆地区/, 'the message names the fix');
  assert.equal(await page.getAttribute('#legal_representative_type', 'aria-invalid'), 'true', 'on the type');
  assert.match(await page.locator('#legal_representative_type-error').innerText(), /中华人民共和国大陆地区/);
  await screenshot(page, 'my-info-faq-3-6');
  await page.setViewportSize(PHONE);
  const width = await page.evaluate(() => document.scrollingElement.scrollWidth);
  assert.ok(width <= 360, `/my-info: scrollWidth ${width} > 360`);
  await page.setViewportSize({ width: 1280, height: 900 });

  // Corrected as it says: mainland, resident ID; checked online and passed.
  await page.selectOption('#legal_representative_type', 'mainland');
  assert.equal(await page.locator('#field-legal_representative_country').isVisible(), false, 'no country for the mainland');
  await page.selectOption('#legal_representative_document_type', 'resident_id');
  await page.fill('#legal_representative_document_number', residentId());
  await page.click('#legal_representative-save');
  await waitForState(page, 'legal_representative', 'passed');
  assert.equal(await page.locator('#error-summary').isVisible(), false);
  assert.equal(await page.locator('#legal_representative-state').innerText(), '法定代表人信息 已通过');

  // The organization, checked with the representative's name.
  await page.fill('#registered_address', '福州市鼓楼区五四路 100 号');
  await page.selectOption('#organization_type', 'enterprise');
  await page.fill('#contact_phone', '0591-87654321');
  await page.click('#basic_info-save');
  await waitForState(page, 'basic_info', 'passed');

  // The main agent, like a natural person.
  await page.fill('#main_agent_name', '李小红');
  await page.selectOption('#main_agent_document_type', 'resident_id');
  assert.match(await page.locator('#main_agent_document_type-check').innerText(), /在线自动核验/);
  await page.fill('#main_agent_document_number', residentId());
  await page.fill('#main_agent_mobile', '13912345678');
  await page.click('#authorization_info-save');
  await waitForState(page, 'authorization_info', 'passed');
  assert.match(await page.locator('#main_agent_mobile-current').innerText(), /139\*\*\*\*5678/);
  assert.equal(await page.locator('#myinfo-verified').isVisible(), true);
  await screenshot(page, 'my-info-legal-entity-passed');
  assert.deepEqual(page.errors, []);
  await page.context().close();
});
