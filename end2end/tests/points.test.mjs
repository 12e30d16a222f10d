// 积分 on a phone: points earned show with the level's progress and an
// explained ledger; a gift is redeemed, its code shown as text and QR;
// unit staff hand it over with the code; the redemption shows 已领取.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, bearer, launch, phone, byTest, shot, login, DEMO, register, jpegPhoto, context } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });


test('earn, see the level, redeem, show the QR code, staff hand it over', async () => {
  const citizen = await phone(browser);
  // Staff calls go through a context of their own (no shared cookies).
  const apiContext = await context(browser);
  const api = apiContext.request;
  const admin = await bearer(browser, DEMO.admin);
  const name = `文明雨伞${Date.now() % 100000}`;
  const gift = await (await api.post(`${BASE}/api/v1/admin/gifts`, {
    headers: admin, data: { name, description: '印有创城标志', cost: 30, stock: 2 },
  })).json();
  assert.ok(gift.id, JSON.stringify(gift));
  const pictured = await api.post(`${BASE}/api/v1/admin/gifts/${gift.id}/photo`, {
    headers: admin, multipart: { photo: await jpegPhoto(browser, '#1f5fbf') },
  });
  assert.equal(pictured.status(), 200, await pictured.text());

  await register(citizen.page, '积分市民');
  const me = await (await citizen.page.request.get(`${BASE}/api/v1/me`)).json();
  const mod = await bearer(browser, DEMO.moderator);
  const earned = await api.post(`${BASE}/api/v1/admin/points/adjust`, {
    headers: mod, data: { user_id: me.id, delta: 40, reason: '文明交通劝导活动奖励' },
  });
  assert.equal(earned.status(), 201, await earned.text());

  await byTest(citizen.page, 'tab-points').click();
  await citizen.page.waitForURL(`${BASE}/points`);
  assert.equal(await byTest(citizen.page, 'points-balance').textContent(), '40');
  await citizen.page.getByText('再得 60 分升级为啄木鸟').waitFor();
  await byTest(citizen.page, 'ledger').getByText('人工调整：文明交通劝导活动奖励').waitFor();
  await shot(citizen.page, 'points-tab');

  await byTest(citizen.page, 'shop-link').click();
  await citizen.page.waitForURL(`${BASE}/gifts`);
  const card = byTest(citizen.page, `gift-${gift.id}`);
  assert.match(await card.locator('[data-test-id="stock"]').textContent(), /剩余2件/);
  assert.match(await card.locator('img.gift-photo').getAttribute('src'), /^\/photos\//);
  assert.ok(await card.locator('img.gift-photo').evaluate((i) => i.complete && i.naturalWidth > 0), 'the picture loads');
  await shot(citizen.page, 'gift-shop');
  await card.locator('[data-test-id="redeem"]').click();
  await citizen.page.waitForURL(/\/me\/redemptions\?new=\d+/);
  await byTest(citizen.page, 'redeemed').waitFor();
  const code = await byTest(citizen.page, 'code').first().textContent();
  assert.match(code, /^[A-Z2-9]{8}$/);
  assert.equal(await byTest(citizen.page, 'qr').first().locator('svg').count(), 1);
  await shot(citizen.page, 'redemption-code');

  // Unit staff photograph the QR code on the citizen's phone (the camera
  // picture is a screenshot of it here) and hand the gift over.
  const qrPhoto = await byTest(citizen.page, 'qr').first().screenshot();
  const staff = await phone(browser);
  await login(staff.page, ...DEMO.unit);
  await byTest(staff.page, 'fulfil-link').click();
  await staff.page.waitForURL(`${BASE}/manage/fulfil`);
  // A picture without a code: the console says so.
  const blank = await byTest(staff.page, 'fulfil-code').screenshot();
  await byTest(staff.page, 'scan-photo').setInputFiles({ name: 'blank.png', mimeType: 'image/png', buffer: blank });
  await byTest(staff.page, 'scan-error').getByText(/没有找到领取码/).waitFor();
  await byTest(staff.page, 'scan-photo').setInputFiles({ name: 'qr.png', mimeType: 'image/png', buffer: qrPhoto });
  await staff.page.waitForURL(`${BASE}/manage/fulfil?code=${code}`);
  await byTest(staff.page, 'fulfil-preview').getByText(name).waitFor();
  await shot(staff.page, 'fulfil-scanned');
  await byTest(staff.page, 'fulfil').click();
  await byTest(staff.page, 'fulfilled').waitFor();
  await shot(staff.page, 'fulfil-console');

  await citizen.page.reload();
  const mine = citizen.page.locator('[data-test-id^="redemption-"]').first();
  assert.equal(await mine.locator('[data-test-id="redemption-status"]').textContent(), '已领取');
  assert.equal(await mine.locator('[data-test-id="qr"]').count(), 0);
  await citizen.page.goto(`${BASE}/points`);
  assert.equal(await byTest(citizen.page, 'points-balance').textContent(), '10');
  await byTest(citizen.page, 'badge-first_gift').getByText('已获得').waitFor();
  assert.deepEqual([...citizen.errors, ...staff.errors], []);
  await citizen.context.close();
  await staff.context.close();
  await apiContext.close();
});
