// Shared set-up: Debian's Chromium driven by playwright-core on a phone screen.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';

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
  });
}

/** A fresh context (no cookies) on the phone screen. */
export async function phone(browser, options = {}) {
  const context = await browser.newContext({ ...PHONE, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    // A refused login (401) or form (422, 409, 429) is logged by the browser
    // as a failed resource; that is the app working, not an error.
    const expected = /Failed to load resource: the server responded with a status of (401|409|422|429)/;
    if (m.type() === 'error' && !expected.test(m.text())) errors.push(m.text());
  });
  return { context, page, errors };
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
