// Keyboard only (no mouse, no touch): a citizen signs in and signs up for a
// volunteer shift, and a moderator opens a waiting report and approves it,
// each by Tab, typing and Enter. Every stop on the way shows where focus is.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, launch, phone, context, registerAs, freshPhone, jpegPhoto, shot, byTest } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Presses Tab until the focused element matches `selector`; every element
 * focus passes on the way must show it (an outline or a box shadow). */
async function tabTo(page, selector, limit = 250) {
  for (let i = 0; i < limit; i += 1) {
    await page.keyboard.press('Tab');
    const at = await page.evaluate((sel) => {
      const e = document.activeElement;
      // Past the last stop focus leaves the page (to the browser) once.
      if (e === document.body) return { hit: false, shown: true, what: 'body' };
      const s = getComputedStyle(e);
      const shown = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none';
      return { hit: e.matches(sel), shown, what: `${e.tagName.toLowerCase()} "${(e.textContent || e.getAttribute('aria-label') || e.name || '').trim().slice(0, 20)}"` };
    }, selector);
    assert.ok(at.shown, `focus is not visible on ${at.what}`);
    if (at.hit) return i + 1;
  }
  throw new Error(`${selector} is not reached by Tab in ${limit} presses`);
}

/** Signs in on the login page by keyboard alone. */
async function keyboardLogin(page, number, password) {
  await page.goto(`${BASE}/login`);
  await tabTo(page, '[data-test-id="input-phone"]');
  await page.keyboard.type(number);
  await tabTo(page, '[data-test-id="input-password"]');
  await page.keyboard.type(password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${BASE}/me`);
}

test('a citizen signs in and signs up for a shift by keyboard alone', async () => {
  const person = await phone(browser);
  const number = freshPhone();
  await registerAs(person.page, number, '键盘志愿者');
  await person.context.clearCookies();
  await keyboardLogin(person.page, number, 'jiayuguan-2026');
  await person.page.goto(`${BASE}/volunteer`);
  await tabTo(person.page, '[data-test-id^="post-"] a');
  await person.page.keyboard.press('Enter');
  await person.page.waitForURL(/\/volunteer\/posts\/\d+/);
  await tabTo(person.page, '[data-test-id="signup"]');
  const shift = await person.page.evaluate(() => document.activeElement.closest('[data-test-id^="shift-"]').dataset.testId);
  await person.page.keyboard.press('Enter');
  await byTest(person.page, shift).getByText('我：已报名').waitFor();
  await shot(person.page, 'keyboard-signup');
  await person.context.close();
});

test('a moderator opens a waiting report and approves it by keyboard alone', async () => {
  const citizen = await context(browser);
  const login = await citizen.request.post(`${BASE}/api/v1/auth/login`, { data: { phone: DEMO.citizen[0], password: DEMO.citizen[1] } });
  const auth = { Authorization: `Bearer ${(await login.json()).token}` };
  const category = (await (await citizen.request.get(`${BASE}/api/v1/categories`)).json())[0];
  const filed = await citizen.request.post(`${BASE}/api/v1/reports`, {
    headers: auth,
    multipart: { category_id: String(category.id), description: '键盘审核测试：共享单车乱停放', lat: '39.7735', lon: '98.2870', address: '新华中路', photo: await jpegPhoto(browser) },
  });
  assert.equal(filed.status(), 201, await filed.text());
  const id = (await filed.json()).id;
  await citizen.close();

  const mod = await phone(browser);
  await keyboardLogin(mod.page, ...DEMO.moderator);
  await mod.page.goto(`${BASE}/manage/review`);
  // The queue opens its first report; ours is opened from the list unless it is that one.
  // (A long queue lists ours further on: then its address is typed.)
  if (await byTest(mod.page, `queue-${id}`).count()) {
    await tabTo(mod.page, `[data-test-id="queue-${id}"]`);
    await mod.page.keyboard.press('Enter');
  } else if (!(await byTest(mod.page, `review-${id}`).count())) {
    await mod.page.goto(`${BASE}/manage/review?open=${id}`);
  }
  await byTest(mod.page, `review-${id}`).waitFor();
  await tabTo(mod.page, `[data-test-id="review-${id}"] [data-test-id="approve"]`);
  await mod.page.keyboard.press('Enter');
  await mod.page.waitForLoadState('networkidle');
  const report = await (await mod.page.request.get(`${BASE}/api/v1/reports/${id}`)).json();
  assert.equal(report.status, 'assigned');
  await shot(mod.page, 'keyboard-approved');
  await mod.context.close();
});
