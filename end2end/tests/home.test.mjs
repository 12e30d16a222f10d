// The first screen as a new citizen meets it: one large 随手拍 first, each
// "可以拍什么" row opening the form with its category, and 长辈版 switched on
// from the home screen itself (large text, 48 px targets, four things).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, shot, register } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a category row on the home page opens 随手拍 with that category chosen', async () => {
  const { context, page } = await phone(browser);
  await register(page, '首页测试市民');
  await page.goto(`${BASE}/`);
  // 随手拍 comes first, above every other way in.
  const first = byTest(page, 'home-report');
  const quick = page.locator('nav.quick');
  assert.ok((await first.boundingBox()).y < (await quick.boundingBox()).y);
  // Who runs the portal, at the foot of the page: the office and a number to call.
  const footer = byTest(page, 'portal-footer');
  assert.match(await footer.textContent(), /主办单位：.*文明办/);
  assert.match(await byTest(page, 'portal-hotline-link').getAttribute('href'), /^tel:\d+$/);
  const row = byTest(page, 'categories').locator('a').nth(2);
  const name = (await row.locator('.cat-name').textContent()).trim();
  await row.click();
  await page.waitForURL(/\/report\?category_id=\d+/);
  const chosen = new URL(page.url()).searchParams.get('category_id');
  const select = byTest(page, 'input-category');
  await select.waitFor();
  assert.equal(await select.inputValue(), chosen);
  assert.equal((await select.locator('option:checked').textContent()).trim(), name);
  await shot(page, 'report-category-chosen');
  await context.close();
});

test('长辈版 from the home screen: large text, big targets, the four things people do most', async () => {
  const { context, page } = await phone(browser);
  await page.goto(`${BASE}/`);
  assert.equal(await page.locator('nav.quick a:visible').count(), 8, 'the standard home shows every way in');
  await byTest(page, 'font-toggle').click();
  await page.waitForFunction(() => document.body.classList.contains('font-large'));
  await page.goto(`${BASE}/`);
  const style = await page.evaluate(() => {
    const s = getComputedStyle(document.querySelector('.categories li a .cat-name').parentElement.parentElement);
    return { size: parseFloat(getComputedStyle(document.body).fontSize), line: parseFloat(s.lineHeight) / parseFloat(s.fontSize) };
  });
  assert.ok(style.size >= 20, `body text ${style.size}px`);
  assert.ok(style.line >= 1.5, `line spacing ${style.line}`);
  // The report action plus three more, in words, and a way to the rest.
  const visible = await page.locator('nav.quick a:visible').allTextContents();
  assert.deepEqual(visible, ['大家的报告', '志愿岗位', '积分兑换', '更多服务（我的）']);
  const small = await page.evaluate(() => [...document.querySelectorAll('.btn, nav.quick a, .categories a')]
    .filter((e) => e.offsetParent !== null)
    .map((e) => [e.textContent.trim(), e.getBoundingClientRect().height])
    .filter(([, h]) => h < 48));
  assert.deepEqual(small, [], 'every target on the home screen is at least 48 px high');
  await shot(page, 'home-elder');
  // Nothing is cut off sideways on the phone.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth));

  // Off again, from the same switch; it holds across a reload.
  await byTest(page, 'font-toggle').click();
  await page.waitForFunction(() => !document.body.classList.contains('font-large'));
  await page.reload();
  assert.doesNotMatch((await page.locator('body').getAttribute('class')) ?? '', /font-large/);
  await context.close();
});
