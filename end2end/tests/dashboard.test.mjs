// 数据看板 and the monthly 通报 on a phone: a unit, an area and a category
// made by the admin, a report routed there, and that unit's numbers on the
// dashboard (charts with tables), in the 通报 and in its CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, bearer, launch, phone, byTest, shot, login, DEMO, register, jpegPhoto, context } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('a report routed to a new unit shows in its numbers, the 通报 and the CSV', async () => {
  const apiContext = await context(browser);
  const api = apiContext.request;
  const mod = await bearer(browser, DEMO.moderator);
  const n = Date.now() % 100000;
  // The admin adds a unit, a category and a grid (pasted GeoJSON) on the
  // city page.
  const office = await phone(browser);
  await login(office.page, ...DEMO.admin);
  await byTest(office.page, 'admin-city-link').click();
  await office.page.waitForURL(`${BASE}/admin/city`);
  await byTest(office.page, 'unit-name').fill(`峪泉镇${n}`);
  await byTest(office.page, 'add-unit').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=unit`);
  const unit = (await (await api.get(`${BASE}/api/v1/units`)).json()).find((u) => u.name === `峪泉镇${n}`);
  assert.ok(unit, 'the unit was made');
  await byTest(office.page, 'category-name').fill(`农村人居环境${n}`);
  await byTest(office.page, 'add-category').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=category`);
  const category = (await (await api.get(`${BASE}/api/v1/categories`)).json()).find((c) => c.name === `农村人居环境${n}`);
  assert.ok(category, 'the category was made');
  await byTest(office.page, 'area-name').fill(`峪泉网格${n}`);
  await byTest(office.page, 'area-unit').selectOption(String(unit.id));
  await byTest(office.page, 'area-geojson').fill(JSON.stringify({
    type: 'Polygon', coordinates: [[[98.10, 39.60], [98.12, 39.60], [98.12, 39.62], [98.10, 39.62], [98.10, 39.60]]],
  }));
  await byTest(office.page, 'add-area').click();
  await office.page.waitForURL(`${BASE}/admin/city?saved=area`);
  await byTest(office.page, 'areas').locator('li', { hasText: `峪泉网格${n}` }).waitFor();
  await shot(office.page, 'admin-city');

  // A citizen reports inside the new grid; a moderator approves it, and the
  // place routes it to the new unit.
  const citizen = await phone(browser);
  await register(citizen.page, '峪泉市民');
  const filed = await citizen.page.request.post(`${BASE}/api/v1/reports`, {
    headers: { Origin: BASE },
    multipart: { category_id: String(category.id), description: '村口垃圾堆放', lat: '39.61', lon: '98.11', photo: await jpegPhoto(browser) },
  });
  assert.equal(filed.status(), 201, await filed.text());
  const report = await filed.json();
  const approved = await api.post(`${BASE}/api/v1/reports/${report.id}/review`, { headers: mod, data: { decision: 'approve' } });
  assert.equal(approved.status(), 200, await approved.text());
  assert.equal((await approved.json()).unit_id, unit.id);

  // The public dashboard: figures and three charts, each with its table.
  await citizen.page.goto(`${BASE}/`);
  await byTest(citizen.page, 'to-dashboard').click();
  await citizen.page.waitForURL(`${BASE}/dashboard`);
  for (const chart of ['chart-status', 'chart-category', 'chart-weekly']) {
    const svg = byTest(citizen.page, chart).locator('svg');
    assert.equal(await svg.count(), 1, chart);
    const box = await svg.boundingBox();
    assert.ok(box.width > 300 && box.width <= 390, `${chart} fits the phone: ${box.width}`);
  }
  await byTest(citizen.page, 'chart-category').locator('summary').click();
  await byTest(citizen.page, 'chart-category').locator('td', { hasText: `农村人居环境${n}` }).waitFor();
  assert.equal(await byTest(citizen.page, 'unit-table').count(), 0, 'no unit detail for citizens');
  await shot(citizen.page, 'dashboard-public');

  // Staff see the unit's row, then the month's 通报 and its CSV.
  const staff = await phone(browser);
  await login(staff.page, ...DEMO.moderator, '/dashboard');
  const row = byTest(staff.page, `unit-${unit.id}`);
  assert.deepEqual(await row.locator('td').allTextContents(), [`峪泉镇${n}`, '1', '0', '0', '—']);
  await shot(staff.page, 'dashboard-staff');
  await byTest(staff.page, 'tongbao-link').click();
  await staff.page.waitForURL(`${BASE}/dashboard/units`);
  const line = byTest(staff.page, `tongbao-${unit.id}`);
  assert.equal((await line.locator('td').allTextContents())[2], '1', '交办 1');
  await shot(staff.page, 'tongbao');
  const href = await byTest(staff.page, 'csv').getAttribute('href');
  const csv = await staff.page.request.get(`${BASE}${href}`);
  assert.equal(csv.status(), 200);
  const text = (await csv.body()).toString('utf8');
  assert.ok(text.startsWith('\ufeff'), 'a BOM so Excel reads the Chinese');
  assert.match(text, new RegExp(`峪泉镇${n},1,0,0,0,0`));

  assert.deepEqual([...office.errors, ...citizen.errors, ...staff.errors], []);
  await office.context.close();
  await citizen.context.close();
  await staff.context.close();
  await apiContext.close();
});
