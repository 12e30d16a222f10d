// The admin console on a phone: find a person by part of the name or the
// masked number, disable the account (the person is signed out and cannot
// log in, and is told why), enable it again; draw a new grid by tapping the
// city map and save it; change a category's deadline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, shot, login, DEMO, freshPhone, registerAs, context } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('an admin finds a person, disables and enables the account', async () => {
  // A citizen registers and stays signed in on their phone.
  const citizen = await phone(browser);
  const number = freshPhone();
  const name = `刘禁用${Date.now() % 10000}`;
  await registerAs(citizen.page, number, name);

  // The admin looks them up by the masked number as the app shows it.
  const office = await phone(browser);
  await login(office.page, ...DEMO.admin);
  await byTest(office.page, 'admin-users-link').click();
  await office.page.waitForURL(`${BASE}/admin/users`);
  const masked = `${number.slice(0, 3)}****${number.slice(7)}`;
  await byTest(office.page, 'admin-user-q').fill(masked);
  await byTest(office.page, 'admin-user-search').click();
  await office.page.waitForURL(/\/admin\/users\?q=/);
  const card = office.page.locator('section.user-roles', { hasText: name });
  assert.equal(await card.count(), 1, 'found by the masked number');
  // And by part of the name.
  await byTest(office.page, 'admin-user-q').fill(name.slice(0, 3));
  await byTest(office.page, 'admin-user-search').click();
  await card.waitFor();

  // Disable, with a reason.
  await card.locator('[data-test-id="disable-open"]').click();
  await card.locator('[data-test-id="disable-reason"]').fill('多次恶意举报');
  await card.locator('[data-test-id="disable-user"]').click();
  await office.page.waitForURL(/saved=/);
  const disabledCard = office.page.locator('section.user-roles', { hasText: name });
  await disabledCard.locator('[data-test-id="disabled-note"]', { hasText: '多次恶意举报' }).waitFor();
  await shot(office.page, 'admin-users-disabled');

  // The citizen's open session has ended; logging in again says why.
  await citizen.page.goto(`${BASE}/me`);
  await byTest(citizen.page, 'anonymous').waitFor();
  await citizen.page.goto(`${BASE}/login`);
  await byTest(citizen.page, 'input-phone').fill(number);
  await byTest(citizen.page, 'input-password').fill('jiayuguan-2026');
  await byTest(citizen.page, 'login-submit').click();
  await citizen.page.getByText('该账号已被停用').waitFor();
  await shot(citizen.page, 'login-disabled');

  // Enabled again: the citizen logs in.
  await disabledCard.locator('[data-test-id="enable-user"]').click();
  await office.page.waitForURL(/saved=/);
  assert.equal(await office.page.locator('section.user-roles', { hasText: name }).locator('[data-test-id="disabled-note"]').count(), 0);
  await login(citizen.page, number, 'jiayuguan-2026');
  assert.deepEqual(office.errors, []);
  await citizen.context.close();
  await office.context.close();
});

test('an admin draws a grid on the city map', async () => {
  const office = await phone(browser);
  await login(office.page, ...DEMO.admin, '/admin/city');
  const map = byTest(office.page, 'area-map').locator('svg');
  await map.scrollIntoViewIfNeeded();
  const box = await map.boundingBox();
  assert.ok(box.width <= 390, 'the map fits the phone');
  // Four taps near the map's lower right corner.
  const corners = [[0.80, 0.80], [0.95, 0.80], [0.95, 0.95], [0.80, 0.95]];
  for (const [fx, fy] of corners.slice(0, 2)) {
    await office.page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
  }
  assert.equal(await byTest(office.page, 'draw-count').textContent(), '已画2个点，至少还要1个');
  assert.equal(await byTest(office.page, 'area-geojson').inputValue(), '', 'no polygon from two points');
  // A wrong tap, taken back.
  await office.page.mouse.click(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await byTest(office.page, 'draw-undo').click();
  for (const [fx, fy] of corners.slice(2)) {
    await office.page.mouse.click(box.x + box.width * fx, box.y + box.height * fy);
  }
  assert.equal(await byTest(office.page, 'draw-count').textContent(), '已画4个点');
  const drawn = JSON.parse(await byTest(office.page, 'area-geojson').inputValue());
  assert.equal(drawn.type, 'Polygon');
  const ring = drawn.coordinates[0];
  assert.equal(ring.length, 5, 'four corners and the first again');
  assert.deepEqual(ring[4], ring[0]);
  assert.ok(ring[1][0] > ring[0][0] && ring[2][1] < ring[1][1], 'east then south, in [lon, lat]');
  await shot(office.page, 'admin-city-draw');

  const n = Date.now() % 100000;
  await byTest(office.page, 'area-name').fill(`画出的网格${n}`);
  await byTest(office.page, 'add-area').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=area`);
  await byTest(office.page, 'areas').locator('li', { hasText: `画出的网格${n}` }).waitFor();
  const areas = await (await office.page.request.get(`${BASE}/api/v1/areas`)).json();
  const saved = areas.find((a) => a.name === `画出的网格${n}`);
  assert.ok(saved, 'the area was saved');
  assert.equal(saved.kind, 'grid');

  // A category's deadline changed in place (from now on).
  const cats = await (await office.page.request.get(`${BASE}/api/v1/categories`)).json();
  const last = cats[cats.length - 1];
  await byTest(office.page, 'category-edits-open').click();
  await byTest(office.page, `edit-category-${last.id}`).click();
  const form = office.page.locator('details.edit[open] form');
  await form.scrollIntoViewIfNeeded();
  await form.locator('[data-test-id="edit-sla"]').fill(String(last.sla_days + 1));
  await shot(office.page, 'admin-city-edit-category');
  await form.locator('[data-test-id="save-category"]').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=category`);
  const changed = (await (await office.page.request.get(`${BASE}/api/v1/categories`)).json()).find((c) => c.id === last.id);
  assert.equal(changed.sla_days, last.sla_days + 1);
  // 短信额度: the city's daily SMS ceiling.
  await byTest(office.page, 'sms-ceiling-input').fill('8000');
  await byTest(office.page, 'sms-ceiling-save').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=sms`);
  await byTest(office.page, 'sms-sent-today').getByText('每日上限 8000 条').waitFor();
  await byTest(office.page, 'sms-ceiling').scrollIntoViewIfNeeded();
  await shot(office.page, 'admin-sms-ceiling');
  assert.deepEqual(office.errors, []);
  await office.context.close();
});

test('an admin issues an Open311 key, sees it once, and revokes it', async () => {
  const office = await phone(browser);
  await login(office.page, ...DEMO.admin);
  await byTest(office.page, 'apikeys-link').click();
  await office.page.waitForURL(`${BASE}/admin/apikeys`);
  const name = `数字城管${Date.now() % 10000}`;
  await byTest(office.page, 'apikey-name').fill(name);
  await byTest(office.page, 'apikey-create').click();
  await office.page.waitForURL(/\/admin\/apikeys\?created=/);
  const key = (await byTest(office.page, 'new-key').textContent()).trim();
  assert.match(key, /^zk_[0-9a-f]{48}$/);
  assert.ok((await byTest(office.page, 'endpoint').textContent()).endsWith('/open311/v2/discovery.json'));
  await shot(office.page, 'admin-apikeys-new');

  // The city system uses it: a request goes into review.
  const form = (k) => ({ api_key: k, service_code: '1', lat: '39.7721', long: '98.2891', description: '12345转来：路灯不亮' });
  const system = await context(browser);
  const api = system.request;
  const posted = await api.post(`${BASE}/open311/v2/requests.json`, { form: form(key) });
  assert.equal(posted.status(), 201, await posted.text());
  assert.ok((await posted.json())[0].token);

  // Shown once: a reload no longer shows it.
  await office.page.reload();
  assert.equal(await byTest(office.page, 'new-key').count(), 0);
  const row = office.page.locator('li.apikey', { hasText: name });
  await row.getByText('已提交1条').waitFor();
  await row.locator('[data-test-id="apikey-revoke"]').click();
  await office.page.waitForURL(/revoked=/);
  await office.page.locator('li.apikey', { hasText: name }).getByText('已停用').waitFor();
  const refused = await api.post(`${BASE}/open311/v2/requests.json`, { form: form(key) });
  assert.equal(refused.status(), 403);
  await shot(office.page, 'admin-apikeys-revoked');
  assert.deepEqual(office.errors, []);
  await system.close();
  await office.context.close();
});
