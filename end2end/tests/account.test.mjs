import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, freshPhone, shot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('register → logout → login → 我的 shows the name', async () => {
  const { context, page, errors } = await phone(browser);
  const number = freshPhone();
  await page.goto(`${BASE}/`);
  await shot(page, 'home');
  await byTest(page, 'tab-me').click();
  await page.waitForURL(`${BASE}/me`);
  await shot(page, 'me-anonymous');
  await byTest(page, 'go-register').click();
  await page.waitForURL(`${BASE}/register`);

  // The island checks the phone as soon as the field is left (hydrated WASM).
  await byTest(page, 'input-phone').fill('12345');
  await byTest(page, 'input-display_name').focus();
  await assert.doesNotReject(byTest(page, 'error-phone').getByText('手机号应为11位数字').waitFor({ timeout: 10000 }));
  await shot(page, 'register-live-error');

  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-display_name').fill('雄关小蜜蜂');
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'register-submit').click();
  await page.waitForURL(`${BASE}/me`);
  assert.equal(await byTest(page, 'profile-name').textContent(), '雄关小蜜蜂');
  assert.equal(await byTest(page, 'profile-level').textContent(), '见习啄木鸟');
  await shot(page, 'me');

  await byTest(page, 'logout').click();
  await page.waitForURL(`${BASE}/`);
  await page.goto(`${BASE}/me`);
  await byTest(page, 'anonymous').waitFor();

  await page.goto(`${BASE}/login`);
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-password').fill('wrong-password');
  await byTest(page, 'login-submit').click();
  await byTest(page, 'form-error').getByText('手机号或密码错误').waitFor();
  await shot(page, 'login-error');
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}/me`);
  assert.equal(await byTest(page, 'profile-name').textContent(), '雄关小蜜蜂');

  await page.goto(`${BASE}/points`);
  await byTest(page, 'points-balance').waitFor();
  assert.equal(await byTest(page, 'points-balance').textContent(), '0');
  await shot(page, 'points');
  assert.deepEqual(errors, []);
  await context.close();
});

test('register shows server errors next to the fields', async () => {
  const { context, page } = await phone(browser);
  await page.goto(`${BASE}/register`);
  await byTest(page, 'input-phone').fill('13900000001'); // the demo admin's number
  await byTest(page, 'input-display_name').fill('重复的人');
  await byTest(page, 'input-password').fill('12345678');
  await byTest(page, 'register-submit').click();
  await byTest(page, 'error-password').getByText('这个密码太常见').waitFor();
  // Answered in place: what was typed is still there.
  assert.equal(await byTest(page, 'input-phone').inputValue(), '13900000001');
  assert.equal(await byTest(page, 'input-display_name').inputValue(), '重复的人');
  await shot(page, 'register-errors');
  // Fix the password: now the phone is the problem.
  await byTest(page, 'input-password').fill('a-fresh-passphrase');
  await byTest(page, 'register-submit').click();
  await byTest(page, 'form-error').getByText('该手机号已注册').waitFor();
  assert.equal(new URL(page.url()).pathname, '/register');
  await context.close();
});

test('large-font mode persists', async () => {
  const { context, page } = await phone(browser);
  await page.goto(`${BASE}/me`);
  await byTest(page, 'font-toggle').click();
  await page.waitForLoadState('load');
  await page.goto(`${BASE}/`);
  assert.match(await page.locator('body').getAttribute('class'), /font-large/);
  await shot(page, 'home-large-font');
  await page.goto(`${BASE}/me`);
  await byTest(page, 'font-toggle').click();
  await page.waitForLoadState('load');
  await page.goto(`${BASE}/`);
  assert.doesNotMatch((await page.locator('body').getAttribute('class')) ?? '', /font-large/);
  await context.close();
});

test('the admin grants a role in the console', async () => {
  const { context, page } = await phone(browser);
  const citizen = await phone(browser);
  const number = freshPhone();
  await citizen.page.goto(`${BASE}/register`);
  await byTest(citizen.page, 'input-phone').fill(number);
  await byTest(citizen.page, 'input-display_name').fill('待授权的人');
  await byTest(citizen.page, 'input-password').fill('jiayuguan-2026');
  await byTest(citizen.page, 'register-submit').click();
  await citizen.page.waitForURL(`${BASE}/me`);

  await page.goto(`${BASE}/login`);
  await byTest(page, 'input-phone').fill('13900000001');
  await byTest(page, 'input-password').fill('zhuomu-admin-2026');
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}/me`);
  await byTest(page, 'admin-users-link').click();
  await byTest(page, 'admin-user-q').fill(number);
  await byTest(page, 'admin-user-q').press('Enter');
  await page.waitForURL(/\/admin\/users\?q=/);
  const card = page.locator('[data-test-id^="user-"]').first();
  await card.locator('input[name="moderator"]').check();
  await card.getByRole('button', { name: '保存角色' }).click();
  await byTest(page, 'saved').waitFor();
  await shot(page, 'admin-users');

  // The citizen's old session ended with the role change; a new login carries it.
  await citizen.page.goto(`${BASE}/me`);
  await byTest(citizen.page, 'anonymous').waitFor();
  await citizen.page.goto(`${BASE}/login`);
  await byTest(citizen.page, 'input-phone').fill(number);
  await byTest(citizen.page, 'input-password').fill('jiayuguan-2026');
  await byTest(citizen.page, 'login-submit').click();
  await citizen.page.waitForURL(`${BASE}/me`);
  await citizen.page.getByText('创城办审核员').waitFor();
  await context.close();
  await citizen.context.close();
});
