// Shared helpers of the browser tests: the browser (Debian's Chromium, never
// a downloaded one), fresh identities, the dev SMS outbox, screenshots.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomInt } from 'node:crypto';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';

export const BASE_URL = (process.env.BASE_URL || 'http://localhost:3000').replace(/\/$/, '');
const here = dirname(fileURLToPath(import.meta.url));
export const SCREENSHOTS = join(here, 'screenshots');

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 360, height: 740 };

/**
 * A setting tests/browser/run gives the tests (a secret of the server it
 * started). Missing means the test runs outside its runner: that fails,
 * loudly, rather than skipping and passing.
 */
export function runnerSetting(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the browser tests with tests/browser/run, which starts the server with it`);
  return value;
}

/**
 * Launches headless Chromium from /usr/bin/chromium. Playwright gives every
 * launch a fresh temporary user-data dir and removes it on close.
 */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh context (own cookies and storage) and page; console errors are collected in page.errors. */
export async function newPage(browser, viewport = DESKTOP) {
  const context = await browser.newContext({ viewport, baseURL: BASE_URL, locale: 'zh-CN' });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  return page;
}

// ------------------------------------------------------------ identities
const suffix = () => `${Date.now().toString(36)}${randomInt(36 ** 4).toString(36)}`;

export function loginName(prefix = 'bt') {
  return `${prefix}${suffix()}`;
}

export function mobile() {
  return `139${String(randomInt(1e8)).padStart(8, '0')}`;
}

const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';

/** The GB 32100-2015 check character of the first 17 characters. */
export function usccCheck(first17) {
  let sum = 0;
  let weight = 1;
  for (const c of first17) {
    sum += USCC_CHARS.indexOf(c) * weight;
    weight = (weight * 3) % 31;
  }
  return USCC_CHARS[(31 - (sum % 31)) % 31];
}

/** A random valid USCC: 9 (industry and commerce) 1 (enterprise), a Fuzhou division, random organization code. */
export function uscc() {
  let body = '91350100';
  for (let i = 0; i < 9; i++) body += USCC_CHARS[randomInt(USCC_CHARS.length)];
  return body + usccCheck(body);
}

export function orgName() {
  return `浏览器测试科技有限公司${suffix()}`;
}

export const PASSWORD = 'quiet lanterns over the river 47';

// --------------------------------------------------------------- the API
/** The newest SMS code sent to `mobile`, read from the dev outbox (not through the page). */
export async function smsCode(mobileNumber) {
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${BASE_URL}/api/registration/dev/outbox?mobile=${encodeURIComponent(mobileNumber)}`);
    assert.equal(res.status, 200, `dev outbox answered ${res.status}: is dev_outbox on?`);
    const { messages } = await res.json();
    const code = messages.find((m) => m.params?.code)?.params.code;
    if (code) return String(code);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no SMS code in the dev outbox for ${mobileNumber}`);
}

/** The newest dev-outbox message of `template` sent to `mobileNumber` (waits a little for it). */
export async function outboxMessage(mobileNumber, template) {
  for (let i = 0; i < 30; i++) {
    const res = await fetch(`${BASE_URL}/api/registration/dev/outbox?mobile=${encodeURIComponent(mobileNumber)}`);
    assert.equal(res.status, 200, `dev outbox answered ${res.status}: is dev_outbox on?`);
    const { messages } = await res.json();
    const message = messages.find((m) => m.template === template);
    if (message) return message;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${template} in the dev outbox for ${mobileNumber}`);
}

/** A page of its own with the runner's bootstrap reviewer logged in to the back office (at /review). */
export async function reviewerPage(browser) {
  const reviewer = { login: runnerSetting('REVIEWER_LOGIN'), password: runnerSetting('REVIEWER_PASSWORD') };
  const page = await newPage(browser);
  await page.goto('/review/login');
  await page.fill('#login_name', reviewer.login);
  await page.fill('#password', reviewer.password);
  await page.click('#login-submit');
  await page.waitForURL((url) => url.pathname === '/review');
  await page.locator('#reviewer-name').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#reviewer-name').innerText(), reviewer.login);
  return page;
}

/** Fills the SMS part of a registration form: send the code, read it from the outbox, type it. */
export async function fillSmsCode(page, mobileNumber) {
  await page.fill('#mobile', mobileNumber);
  await page.click('#send-code');
  await page.locator('#sms-status').waitFor({ state: 'visible' });
  assert.equal(await page.locator('#send-code').isDisabled(), true, 'the send button waits after sending');
  await page.fill('#sms_code', await smsCode(mobileNumber));
}

/** Registers a legal entity through the page and returns what was used. */
export async function registerLegalEntity(page) {
  const who = { loginName: loginName('le'), orgName: orgName(), uscc: uscc(), mobile: mobile(), password: PASSWORD };
  await page.goto(`/register/legal-entity?login_name=${who.loginName}`);
  assert.equal(await page.inputValue('#login_name'), who.loginName, 'login_name is prefilled from the query');
  await page.fill('#password', who.password);
  await page.fill('#password_confirm', who.password);
  await page.fill('#org_name', who.orgName);
  await page.fill('#uscc', who.uscc);
  await fillSmsCode(page, who.mobile);
  await page.click('#register-form button[type=submit]');
  await page.locator('#success').waitFor({ state: 'visible' });
  return who;
}

/** Registers a natural person (passport) through the page and returns what was used. */
export async function registerNaturalPerson(page) {
  const who = {
    loginName: loginName('np'), realName: 'Anna Schmidt', passport: `C${randomInt(1e8).toString().padStart(8, '0')}`,
    mobile: mobile(), password: PASSWORD,
  };
  await page.goto('/register/natural-person');
  await page.fill('#login_name', who.loginName);
  await page.fill('#password', who.password);
  await page.fill('#password_confirm', who.password);
  await page.fill('#real_name', who.realName);
  await page.selectOption('#document_type', 'passport');
  await page.locator('#nationality').waitFor({ state: 'visible' });
  await page.fill('#document_number', who.passport);
  await page.fill('#nationality', 'DEU');
  await fillSmsCode(page, who.mobile);
  await page.click('#register-form button[type=submit]');
  await page.locator('#success').waitFor({ state: 'visible' });
  return who;
}

// ----------------------------------------------------------- screenshots
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Text of the error summary's list, or null when hidden. */
export async function summaryText(page) {
  const summary = page.locator('#error-summary');
  if (!(await summary.isVisible())) return null;
  return summary.locator('ul').innerText();
}

// ------------------------------------------------------------ test files
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid RGB PNG: a coloured card with a white stripe (stands in for a scan). */
export function png(width, height, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const stripe = y > height / 3 && y < height / 2;
      raw.set(stripe ? [255, 255, 255] : [r, g, b], row + 1 + x * 3);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A minimal one-page PDF with a line of text and a correct xref table. */
export function pdf(text) {
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
