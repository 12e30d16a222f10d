import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, freshPhone, shot, enterCode, registerAs, smsCode, codesSent } from './support.mjs';

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

  // The code arrives by SMS (the outbox); the button counts down.
  await enterCode(page, number, 'register');
  await byTest(page, 'send-code').getByText(/秒后重发/).waitFor();
  await byTest(page, 'input-display_name').fill('雄关小蜜蜂');
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  // Without consent: said beside the checkbox, nothing lost.
  await byTest(page, 'register-submit').click();
  await byTest(page, 'error-agree').getByText('请阅读并同意隐私政策').waitFor();
  assert.equal(await byTest(page, 'input-display_name').inputValue(), '雄关小蜜蜂');
  await shot(page, 'register-code');
  await byTest(page, 'input-agree').check();
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

test('sign in by SMS code, and reset a forgotten password', async () => {
  const { context, page, errors } = await phone(browser);
  const number = freshPhone();
  await registerAs(page, number, '忘了密码的人');
  const registered = Date.now();
  await byTest(page, 'logout').click();
  await page.waitForURL(`${BASE}/`);

  // 验证码登录, with a number that has had no code yet (one a minute each).
  await page.goto(`${BASE}/login`);
  await byTest(page, 'login-by-code').click();
  await page.waitForURL(`${BASE}/login?by=code`);
  await enterCode(page, '13900000004', 'login'); // the demo citizen
  await shot(page, 'login-by-code');
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}/me`);
  await byTest(page, 'logout').click();
  await page.waitForURL(`${BASE}/`);
  // The registration's code was a minute ago by now? Not necessarily: wait
  // out the rest of the minute before the reset code.
  await page.waitForTimeout(Math.max(0, 61000 - (Date.now() - registered)));

  // 忘记密码: a wrong code is refused in place, the right one sets the new
  // password, and the old one no longer works.
  await page.goto(`${BASE}/login`);
  await byTest(page, 'to-reset').click();
  await page.waitForURL(`${BASE}/reset`);
  const code = await enterCode(page, number, 'reset');
  await byTest(page, 'input-sms_code').fill(code === '000000' ? '111111' : '000000');
  await byTest(page, 'input-new_password').fill('a-brand-new-passphrase');
  await byTest(page, 'reset-submit').click();
  await byTest(page, 'form-error').getByText('验证码错误或已失效').waitFor();
  await shot(page, 'reset-wrong-code');
  // A plain form: the page came back with the number, not the password.
  await byTest(page, 'input-sms_code').fill(code);
  await byTest(page, 'input-new_password').fill('a-brand-new-passphrase');
  await byTest(page, 'reset-submit').click();
  await page.waitForURL(`${BASE}/login?reset=1`);
  await byTest(page, 'reset-done').waitFor();
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'login-submit').click();
  await byTest(page, 'form-error').getByText('手机号或密码错误').waitFor();
  await byTest(page, 'input-password').fill('a-brand-new-passphrase');
  await byTest(page, 'login-submit').click();
  await page.waitForURL(`${BASE}/me`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('register shows server errors next to the fields', async () => {
  const { context, page } = await phone(browser);
  await page.goto(`${BASE}/register`);
  await enterCode(page, '13900000001', 'register'); // the demo admin's number
  await byTest(page, 'input-display_name').fill('重复的人');
  await byTest(page, 'input-password').fill('12345678');
  // Leaving the field already says so (the message moves the form down:
  // wait for it before ticking the box below).
  await byTest(page, 'input-password').press('Tab');
  await byTest(page, 'error-password').getByText('这个密码太常见').waitFor();
  await byTest(page, 'input-agree').check();
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
  await registerAs(citizen.page, number, '待授权的人');

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

test('隐私与账号: public name, my data, and deleting the account', async () => {
  const { context, page, errors } = await phone(browser);
  const number = freshPhone();
  await registerAs(page, number, '要走的人');
  await byTest(page, 'privacy-settings-link').click();
  await page.waitForURL(`${BASE}/me/privacy`);
  await byTest(page, 'privacy-link').waitFor();
  await shot(page, 'me-privacy');

  // Show my nickname on the boards.
  assert.equal(await byTest(page, 'input-show-name').isChecked(), false);
  await byTest(page, 'input-show-name').check();
  await byTest(page, 'profile-submit').click();
  await byTest(page, 'profile-saved').waitFor();
  assert.equal(await byTest(page, 'input-show-name').isChecked(), true);

  // Download my data: one JSON file with the whole number.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    byTest(page, 'export-link').click(),
  ]);
  const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
  assert.equal(data.profile.phone, number);
  assert.equal(data.profile.display_name, '要走的人');
  assert.equal(data.profile.show_name, true);
  assert.equal(data.consents.length, 1);

  // Delete: a wrong password is refused on the page; the right one erases.
  await byTest(page, 'input-delete-password').fill('not-my-password');
  await byTest(page, 'delete-submit').click();
  await byTest(page, 'form-error').getByText('密码不正确').waitFor();
  await shot(page, 'delete-refused');
  await byTest(page, 'input-delete-password').fill('jiayuguan-2026');
  await byTest(page, 'delete-submit').click();
  await page.waitForURL(`${BASE}/?deleted=1`);
  await byTest(page, 'account-deleted').waitFor();
  await shot(page, 'account-deleted');
  await page.goto(`${BASE}/me`);
  await byTest(page, 'anonymous').waitFor();
  await page.goto(`${BASE}/login`);
  await byTest(page, 'input-phone').fill(number);
  await byTest(page, 'input-password').fill('jiayuguan-2026');
  await byTest(page, 'login-submit').click();
  await byTest(page, 'form-error').getByText('手机号或密码错误').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
