// The loop as 12345 runs it, on a phone: the unit a report went to sends it
// back (退回), a moderator reassigns it (改派) and urges it (督办), a second
// citizen taps 我也看到 on the form's duplicate hint, the new unit
// rectifies, the moderator closes, the reporter rates it 4 stars, and the
// monthly 通报 shows the new columns.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  BASE, launch, phone, context, byTest, shot, login, DEMO, jpegPhoto, register, registerAs, freshPhone, bearer,
} from './support.mjs';

// Near 雄关广场, inside the demo city.
const HERE = { latitude: 39.7724, longitude: 98.2893 };
const CATEGORY = '店外经营与乱摆放'; // owned by 市城市管理执法局, the demo unit staff's unit
const NEW_UNIT = '市市容环卫总站';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function fillReport(page, photo, text) {
  await page.goto(`${BASE}/report`);
  await byTest(page, 'report-form').waitFor();
  await byTest(page, 'input-photos').setInputFiles(photo);
  await byTest(page, 'previews').locator('img').first().waitFor();
  await byTest(page, 'input-category').selectOption({ label: CATEGORY });
  await byTest(page, 'locate').click();
  await byTest(page, 'location').getByText('已选位置').waitFor();
  await byTest(page, 'input-description').fill(text);
}

test('退回, 改派, 督办, 我也看到 and 满意度 on the phone', async () => {
  const photo = await jpegPhoto(browser, '#7a5c2e');
  const citizen = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  await register(citizen.page, '雄关老张');
  await fillReport(citizen.page, photo, '商铺把货架摆到盲道上了');
  await byTest(citizen.page, 'report-submit').click();
  await citizen.page.waitForURL(/\/reports\/\d+\?new=1$/);
  const id = Number(new URL(citizen.page.url()).pathname.split('/').pop());

  const moderator = await phone(browser);
  await login(moderator.page, ...DEMO.moderator);
  await moderator.page.goto(`${BASE}/manage/review?open=${id}`);
  await byTest(moderator.page, `review-${id}`).locator('[data-test-id="approve"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/review?done=${id}`);

  // The unit says it is not theirs: 退回 with the reason.
  const staff = await phone(browser);
  await login(staff.page, ...DEMO.unit);
  await staff.page.goto(`${BASE}/manage/unit`);
  const task = byTest(staff.page, `task-${id}`);
  await task.waitFor();
  assert.match(await task.locator('[data-test-id="clock"]').textContent(), /^还剩 /);
  await byTest(staff.page, 'task-count').getByText('待整改').waitFor();
  await byTest(staff.page, 'tab-unit').waitFor();
  await task.locator(`[data-test-id="return-open-${id}"]`).click();
  await task.locator('[data-test-id="return-reason"]').fill('货架属环卫站的临时垃圾收集点，不是商铺');
  await shot(staff.page, 'unit-return');
  await task.locator('[data-test-id="return"]').click();
  await staff.page.waitForURL(`${BASE}/manage/unit?done=${id}`);
  await byTest(staff.page, 'returned-done').waitFor();
  assert.equal(await byTest(staff.page, `task-${id}`).count(), 0);

  // The citizen's report says it is being re-routed.
  await citizen.page.goto(`${BASE}/reports/${id}`);
  assert.equal(await byTest(citizen.page, 'status').first().textContent(), '退回改派中');
  await byTest(citizen.page, 'rerouting').waitFor();

  // The moderator sees the return first, with the reason and the unit's
  // record, and reassigns it to another unit.
  await moderator.page.goto(`${BASE}/manage/review`);
  await byTest(moderator.page, 'returned-head').waitFor();
  const returned = byTest(moderator.page, `returned-${id}`);
  await returned.waitFor();
  assert.match(await returned.locator('[data-test-id="return-reason"]').textContent(), /临时垃圾收集点/);
  await returned.locator('[data-test-id="return-history"]').waitFor();
  await byTest(moderator.page, 'tab-review').waitFor();
  await shot(moderator.page, 'review-returned');
  await returned.locator('[data-test-id="reassign-unit"]').selectOption({ label: NEW_UNIT });
  await returned.locator('[data-test-id="reassign"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/review?done=${id}`);

  // 督办 from the report's page.
  await moderator.page.goto(`${BASE}/reports/${id}`);
  await byTest(moderator.page, 'urge-note').fill('群众反映强烈，请今天内处理');
  await byTest(moderator.page, 'urge').click();
  await moderator.page.waitForURL(`${BASE}/reports/${id}`);
  assert.equal(await byTest(moderator.page, 'urge-count').textContent(), '1次');
  assert.equal(await byTest(moderator.page, 'unit').textContent(), NEW_UNIT);
  await shot(moderator.page, 'report-urged');

  // A second citizen at the same place is offered the report and taps
  // 我也看到 instead of filing it again.
  const second = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  await register(second.page, '嘉峪关路人');
  await fillReport(second.page, photo, '盲道上有货架');
  const hint = byTest(second.page, 'duplicate-hint');
  await hint.waitFor();
  await hint.locator(`button[data-seen="${id}"]`).click();
  await hint.getByText('已记下您也看到了').waitFor();
  await shot(second.page, 'report-seen-hint');
  await second.page.goto(`${BASE}/reports/${id}`);
  assert.equal(await byTest(second.page, 'seen-count').textContent(), '1人');
  assert.equal(await byTest(second.page, 'seen').count(), 0, 'once per person');

  // Staff of the new unit (an admin gives the role) rectify it.
  const number = freshPhone();
  const newStaff = await phone(browser);
  await registerAs(newStaff.page, number, '环卫站小王');
  const admin = await bearer(browser, DEMO.admin);
  const me = await (await newStaff.context.request.get(`${BASE}/api/v1/me`)).json();
  const api = await context(browser);
  const units = await (await api.request.get(`${BASE}/api/v1/units`)).json();
  const unit = units.find((u) => u.name === NEW_UNIT);
  const set = await api.request.post(`${BASE}/api/v1/admin/users/${me.id}/roles`,
    { headers: admin, data: { roles: ['citizen', 'unit_staff'], unit_id: unit.id } });
  assert.equal(set.status(), 200, await set.text());
  await api.close();
  await login(newStaff.page, number, 'jiayuguan-2026');
  await newStaff.page.goto(`${BASE}/manage/unit`);
  const mine = byTest(newStaff.page, `task-${id}`);
  await mine.waitFor();
  await shot(newStaff.page, 'unit-tasks-reassigned');
  await mine.locator('[data-test-id="rectify-note"]').fill('货架已移走，盲道恢复通行');
  await mine.locator('[data-test-id="rectify-photo"]').setInputFiles(await jpegPhoto(browser, '#1b6e3a'));
  await mine.locator('[data-test-id="rectify-submit"]').click();
  await mine.waitFor({ state: 'detached' });

  await moderator.page.goto(`${BASE}/manage/verify`);
  await byTest(moderator.page, `verify-${id}`).locator('[data-test-id="close"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/verify?done=${id}`);

  // The reporter rates the fix: 4 stars with the verdict.
  await citizen.page.goto(`${BASE}/reports/${id}`);
  await byTest(citizen.page, 'stars-4').check();
  await shot(citizen.page, 'report-rating');
  await byTest(citizen.page, 'confirm-fixed').click();
  await byTest(citizen.page, 'verdict').waitFor();
  assert.equal(await byTest(citizen.page, 'rating').textContent(), '★★★★☆');
  const steps = await byTest(citizen.page, 'timeline').locator('li strong').allTextContents();
  assert.deepEqual(steps.slice(0, 5), ['提交报告', '审核通过，已交办', '责任单位退回：不属本单位职责', '创城办重新交办', '创城办督办']);

  // The monthly 通报 has the new columns.
  await moderator.page.goto(`${BASE}/dashboard/units`);
  const head = await byTest(moderator.page, 'tongbao-table').locator('thead').textContent();
  for (const col of ['退回', '督办', '评价', '满意率']) assert.ok(head.includes(col), col);
  assert.match(await byTest(moderator.page, 'tongbao-satisfaction').textContent(), /本月群众满意率 \d/);
  await shot(moderator.page, 'tongbao-loop');

  for (const p of [citizen, moderator, staff, second, newStaff]) {
    assert.deepEqual(p.errors, [], 'no errors in the browser console');
    await p.context.close();
  }
});
