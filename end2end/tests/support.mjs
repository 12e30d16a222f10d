// Shared set-up: Debian's Chromium driven by playwright-core on a phone screen.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:3000';
export const SHOTS = new URL('../screenshots/', import.meta.url).pathname;
mkdirSync(SHOTS, { recursive: true });

export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  locale: 'zh-CN',
  userAgent:
    'Mozilla/5.0 (Linux; Android 13; Redmi Note 12) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36',
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync',
    ],
    // Under scripts/test-shifted.sh, Chromium cannot run with libfaketime
    // preloaded; its pages get the moved time from Playwright's clock instead.
    env: { ...process.env, LD_PRELOAD: '' },
  });
}

let addresses = 0;
/** A context of its own (no cookies) on an address of its own: each person
 * in a test is a different phone on a different network, as in the city.
 * The test server trusts X-Forwarded-For (ZHUOMU_TRUST_PROXY, as behind the
 * city's proxy), so the per-address limits (30 logins a minute) count each
 * person apart instead of the whole suite as one address. */
export async function context(browser, options = {}) {
  addresses += 1;
  const address = `10.${(process.pid >> 8) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
  return browser.newContext({ ...options, extraHTTPHeaders: { 'X-Forwarded-For': address } });
}

/** A fresh context (no cookies) on the phone screen. With JavaScript, a
 * page counts as arrived once its islands are awake (`<html data-awake>`,
 * set after the load event): `goto` and `waitForURL` wait for it, as a
 * person waits for the page to respond; `{ awake: false }` leaves that to
 * the test. */
export async function phone(browser, options = {}) {
  const { awake = options.javaScriptEnabled !== false, ...rest } = options;
  const own = await context(browser, { ...PHONE, ...rest });
  // Node's clock is the moved one there: the pages see the same time.
  if (process.env.FAKETIME) await own.clock.install({ time: Date.now() });
  const page = await own.newPage();
  if (awake) {
    const woken = () => page.waitForSelector('html[data-awake]', { state: 'attached' });
    for (const name of ['goto', 'waitForURL', 'reload']) {
      const original = page[name].bind(page);
      page[name] = async (...args) => {
        const r = await original(...args);
        await woken();
        return r;
      };
    }
  }
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // A refused login (401) or form (422, 409, 429) is logged by the browser
    // as a failed resource; that is the app working, not an error.
    const expected = /Failed to load resource: the server responded with a status of (401|409|422|429)/;
    if (m.type() === 'error' && !expected.test(m.text())) errors.push(m.text());
  });
  return { context: own, page, errors };
}

export const byTest = (page, id) => page.locator(`[data-test-id="${id}"]`);

let counter = 0;
/** A phone number no other test run has used. */
export function freshPhone() {
  const n = (Date.now() % 100000000) * 10 + (counter++ % 10);
  return `137${String(n).padStart(8, '0').slice(-8)}`;
}

export async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/** Logs in through the login page and waits for 我的 (or `next`). */
export async function login(page, phoneNumber, password, next = '/me') {
  await page.goto(`${BASE}/login?next=${encodeURIComponent(next)}`);
  await byTest(page, 'input-phone').fill(phoneNumber);
  await byTest(page, 'input-password').fill(password);
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}${next}`);
}

/** The demo accounts `zhuomu seed --demo-users` creates. */
export const DEMO = {
  admin: ['13900000001', 'zhuomu-admin-2026'],
  moderator: ['13900000002', 'zhuomu-mod-2026'],
  unit: ['13900000003', 'zhuomu-unit-2026'],
  citizen: ['13900000004', 'zhuomu-demo-2026'],
};

/** A real JPEG made by the browser itself (a screenshot of a coloured page). */
export async function jpegPhoto(browser, colour = '#c0392b') {
  const page = await browser.newPage({ viewport: { width: 320, height: 240 } });
  await page.setContent(`<body style="margin:0;background:${colour}"><h1 style="color:#fff;font:48px sans-serif;padding:40px">photo</h1></body>`);
  const buffer = await page.screenshot({ type: 'jpeg', quality: 80 });
  await page.close();
  return { name: 'photo.jpg', mimeType: 'image/jpeg', buffer };
}

/** The newest code the server's SMS outbox (ZHUOMU_SMS=outbox:…, path in
 * SMS_OUTBOX) holds for a number and purpose: what the person reads on
 * their phone. Waits up to 10 s for it. */
export async function smsCode(number, purpose, after = 0) {
  const path = process.env.SMS_OUTBOX;
  assert.ok(path, 'SMS_OUTBOX names the server\'s outbox');
  for (let i = 0; i < 100; i++) {
    let lines = [];
    try { lines = readFileSync(path, 'utf8').trim().split('\n').filter(Boolean); } catch { /* not yet */ }
    const found = lines.map((l) => JSON.parse(l))
      .filter((m) => m.to === number && m.purpose === purpose);
    if (found.length > after) return found[found.length - 1].code;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${purpose} code for ${number} in ${path}`);
}

/** How many codes the outbox holds for a number and purpose. */
export function codesSent(number, purpose) {
  try {
    return readFileSync(process.env.SMS_OUTBOX, 'utf8').trim().split('\n').filter(Boolean)
      .map((l) => JSON.parse(l)).filter((m) => m.to === number && m.purpose === purpose).length;
  } catch { return 0; }
}

/** Types the number, taps 获取验证码 and types the code that arrives. */
export async function enterCode(page, number, purpose) {
  const before = codesSent(number, purpose);
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'send-code').click();
  const code = await smsCode(number, purpose, before);
  await byTest(page, 'code-sent').getByText('验证码已发送').waitFor();
  await byTest(page, 'input-sms_code').fill(code);
  return code;
}

/** Registers `number` through the page (code, consent) and waits for 我的. */
export async function registerAs(page, number, name, password = 'jiayuguan-2026') {
  await page.goto(`${BASE}/register`);
  await enterCode(page, number, 'register');
  await byTest(page, 'input-display_name').fill(name);
  await byTest(page, 'input-password').fill(password);
  await byTest(page, 'input-agree').check();
  await byTest(page, 'register-submit').click();
  await page.waitForURL(`${BASE}/me`);
}

/** Registers a fresh account through the page and waits for 我的. */
export async function register(page, name) {
  await registerAs(page, freshPhone(), name);
}

/** A bearer header for an account, logged in from a context of its own (a
 * shared cookie without an Origin header is refused by the CSRF rule). */
export async function bearer(browser, [phoneNumber, password]) {
  const own = await context(browser);
  const r = await own.request.post(`${BASE}/api/v1/auth/login`, { data: { phone: phoneNumber, password } });
  assert.equal(r.status(), 200, `login of ${phoneNumber}: ${await r.text()}`);
  const header = { Authorization: `Bearer ${(await r.json()).token}` };
  await own.close();
  return header;
}
