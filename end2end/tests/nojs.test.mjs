import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, freshPhone, shot, smsCode } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('with JavaScript off: the home page reads and login works', async () => {
  const { context, page } = await phone(browser, { javaScriptEnabled: false });
  await page.goto(`${BASE}/`);
  await byTest(page, 'city-overview').waitFor();
  assert.ok((await byTest(page, 'categories').locator('li').count()) >= 8);
  await shot(page, 'home-nojs');

  const number = freshPhone();
  await page.goto(`${BASE}/register`);
  await byTest(page, 'input-phone').fill('abc');
  await byTest(page, 'input-display_name').fill('无脚本用户');
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'register-submit').click();
  await byTest(page, 'error-phone').getByText('手机号应为11位数字').waitFor();
  await shot(page, 'register-nojs-error');

  // 获取验证码 is a plain post too: the page comes back with the number.
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'send-code').click();
  await page.waitForURL(/\/register\?phone=/);
  await byTest(page, 'code-sent').getByText('验证码已发送').waitFor();
  assert.equal(await byTest(page, 'input-phone').inputValue(), number);
  await byTest(page, 'input-sms_code').fill(await smsCode(number, 'register'));
  await byTest(page, 'input-display_name').fill('无脚本用户');
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'input-agree').check();
  await shot(page, 'register-nojs-code');
  await byTest(page, 'register-submit').click();
  await page.waitForURL(`${BASE}/me`);
  assert.equal(await byTest(page, 'profile-name').textContent(), '无脚本用户');
  await byTest(page, 'logout').click();
  await page.waitForURL(`${BASE}/`);

  await page.goto(`${BASE}/login`);
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}/me`);
  assert.equal(await byTest(page, 'profile-name').textContent(), '无脚本用户');
  await context.close();
});

test('unknown pages are a 404 with a way home', async () => {
  const { context, page } = await phone(browser);
  const res = await page.goto(`${BASE}/no/such/page`);
  assert.equal(res.status(), 404);
  await byTest(page, 'not-found').waitFor();
  await shot(page, 'not-found');
  await context.close();
});
