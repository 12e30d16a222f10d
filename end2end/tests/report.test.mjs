// 随手拍 end to end on a phone: a citizen files a report with a photo
// (geolocation granted), a moderator approves it, unit staff rectify it with a
// photo, a moderator closes it, and the citizen sees 已销号 with both photos
// and the points; a second citizen is offered the duplicate hint.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, shot, login, DEMO, jpegPhoto, register } from './support.mjs';

// Near 雄关广场, inside the demo city.
const HERE = { latitude: 39.7721, longitude: 98.2891 };
const CATEGORY = '占道经营'; // the demo category owned by 市城市管理执法局 (the demo unit staff's unit)

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
  // The pin says where it is and who will fix it.
  await byTest(page, 'place').getByText('新华中路（雄关东路—胜利路） · 交市城市管理执法局').waitFor();
  await byTest(page, 'input-address').fill('雄关广场东侧人行道');
  await byTest(page, 'input-description').fill(text);
}

test('a report goes round the closed loop to 已销号', async () => {
  const photo = await jpegPhoto(browser);
  const citizen = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  await register(citizen.page, '雄关啄木鸟');

  // An empty submit says what is missing, beside the fields.
  await citizen.page.goto(`${BASE}/report`);
  await byTest(citizen.page, 'report-form').waitFor();
  await shot(citizen.page, 'report-form-empty');
  await byTest(citizen.page, 'report-submit').click();
  await byTest(citizen.page, 'error-photo').getByText('请至少上传1张照片').waitFor();
  await byTest(citizen.page, 'error-category_id').getByText('请选择问题类别').waitFor();

  await fillReport(citizen.page, photo, '人行道被摊位占满，行人只能走机动车道');
  await shot(citizen.page, 'report-form-filled');
  await byTest(citizen.page, 'report-submit').click();
  await citizen.page.waitForURL(/\/reports\/\d+\?new=1$/);
  const id = Number(new URL(citizen.page.url()).pathname.split('/').pop());
  assert.equal(await byTest(citizen.page, 'status').first().textContent(), '待审核');
  await byTest(citizen.page, 'submitted').waitFor();
  await shot(citizen.page, 'report-submitted');

  // The moderator approves; routing picked the category's unit.
  const moderator = await phone(browser);
  await login(moderator.page, ...DEMO.moderator);
  await moderator.page.goto(`${BASE}/manage/review?open=${id}`);
  const card = byTest(moderator.page, `review-${id}`);
  await card.waitFor();
  assert.equal(await card.locator('[data-test-id="review-unit"] option:checked').textContent(), '市城市管理执法局');
  await shot(moderator.page, 'review-queue');
  // Black out the top-left quarter of the photo (a face, a number plate).
  const area = card.locator('[data-test-id="redact-area"]').first();
  const before = await area.locator('img').getAttribute('src');
  // Other reports may wait above this one: bring the photo on screen first.
  await area.scrollIntoViewIfNeeded();
  const box = await area.boundingBox();
  await moderator.page.mouse.move(box.x + 5, box.y + 5);
  await moderator.page.mouse.down();
  await moderator.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
  await moderator.page.mouse.up();
  await shot(moderator.page, 'review-redacting');
  await card.locator('[data-test-id="redact-apply"]').first().click();
  await moderator.page.waitForFunction(
    ([id, old]) => document.querySelector(`[data-test-id="review-${id}"] .redact-area img`)?.getAttribute('src') !== old,
    [id, before]);
  const gone = await moderator.page.request.get(`${BASE}${before}`);
  assert.equal(gone.status(), 404, 'the unredacted photo is no longer served');
  await card.locator('[data-test-id="approve"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/review?done=${id}`);

  // Unit staff rectify with an after photo.
  const staff = await phone(browser);
  await login(staff.page, ...DEMO.unit);
  await staff.page.goto(`${BASE}/manage/unit`);
  const task = byTest(staff.page, `task-${id}`);
  await task.waitFor();
  await shot(staff.page, 'unit-tasks');
  await task.locator('[data-test-id="rectify-note"]').fill('已劝离摊位，恢复通行');
  await task.locator('[data-test-id="rectify-photo"]').setInputFiles(await jpegPhoto(browser, '#1b6e3a'));
  await task.locator('[data-test-id="rectify-submit"]').click();
  await task.waitFor({ state: 'detached' });

  // The moderator verifies and closes it.
  await moderator.page.goto(`${BASE}/manage/verify`);
  const check = byTest(moderator.page, `verify-${id}`);
  await check.waitFor();
  await shot(moderator.page, 'verify-queue');
  await check.locator('[data-test-id="close"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/verify?done=${id}`);

  // The citizen sees 已销号 with both photos, and the points.
  await citizen.page.goto(`${BASE}/reports/${id}`);
  assert.equal(await byTest(citizen.page, 'status').first().textContent(), '已销号');
  assert.equal(await byTest(citizen.page, 'photos-before').locator('img').count(), 1);
  assert.equal(await byTest(citizen.page, 'photos-after').locator('img').count(), 1);
  assert.equal(await byTest(citizen.page, 'unit').textContent(), '市城市管理执法局');
  const steps = await byTest(citizen.page, 'timeline').locator('li strong').allTextContents();
  assert.deepEqual(steps, ['提交报告', '审核通过，已交办', '责任单位已整改', '督查通过，已销号']);
  await shot(citizen.page, 'report-closed');
  await byTest(citizen.page, 'confirm-fixed').click();
  await byTest(citizen.page, 'verdict').waitFor();
  await citizen.page.goto(`${BASE}/points`);
  assert.equal(await byTest(citizen.page, 'points-balance').textContent(), '7');
  await shot(citizen.page, 'points-after-report');
  await citizen.page.goto(`${BASE}/me/messages`);
  await byTest(citizen.page, 'messages').getByText(`您的随手拍 #${id} 已销号`).waitFor();
  await shot(citizen.page, 'messages');

  // A second citizen at the same place is offered the duplicate hint.
  const second = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  await register(second.page, '嘉峪关市民');
  await fillReport(second.page, photo, '这里又有人占道摆摊');
  // The first report is closed; the hint offers open ones. File a fresh one
  // through the moderator's approval so there is an open report to find.
  assert.equal(await byTest(second.page, 'duplicate-hint').count(), 0);
  await byTest(second.page, 'report-submit').click();
  await second.page.waitForURL(/\/reports\/\d+\?new=1$/);
  const open = Number(new URL(second.page.url()).pathname.split('/').pop());
  await moderator.page.goto(`${BASE}/manage/review?open=${open}`);
  await byTest(moderator.page, `review-${open}`).locator('[data-test-id="approve"]').click();
  await moderator.page.waitForURL(`${BASE}/manage/review?done=${open}`);

  const third = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  await register(third.page, '热心市民');
  await fillReport(third.page, photo, '占道经营');
  const hint = byTest(third.page, 'duplicate-hint');
  await hint.waitFor();
  assert.ok((await hint.textContent()).includes(`#${open}`));
  await shot(third.page, 'report-duplicate-hint');

  // The public list finds it by a 2-character word, and shows the map.
  await third.page.goto(`${BASE}/reports?q=${encodeURIComponent('摆摊')}`);
  await byTest(third.page, `report-${open}`).waitFor();
  await byTest(third.page, 'reports-map').waitFor();
  await shot(third.page, 'reports-list');

  for (const p of [citizen, moderator, staff, second, third]) {
    assert.deepEqual(p.errors, [], 'no errors in the browser console');
    await p.context.close();
  }
});

test('a photo chosen before the page has woken up still shows', async () => {
  // Slow network: the WASM arrives only after the photo is chosen.
  const citizen = await phone(browser, { serviceWorkers: 'block', awake: false });
  await login(citizen.page, ...DEMO.citizen);
  let release;
  const held = new Promise((r) => { release = r; });
  await citizen.page.route('**/*.wasm', async (route) => { await held; await route.continue(); });
  await citizen.page.goto(`${BASE}/report`, { waitUntil: 'domcontentloaded' });
  await byTest(citizen.page, 'input-photos').setInputFiles(await jpegPhoto(browser, '#2e86c1'));
  await byTest(citizen.page, 'input-category').selectOption({ label: CATEGORY });
  assert.equal(await byTest(citizen.page, 'previews').locator('img').count(), 0, 'not awake yet');
  assert.ok(await byTest(citizen.page, 'report-submit').isDisabled(), 'no sending before it wakes');
  release();
  await byTest(citizen.page, 'previews').locator('img').first().waitFor();
  // The category chosen meanwhile counts: the pin now says who would fix it.
  const map = byTest(citizen.page, 'pin-map');
  const box = await map.boundingBox();
  await map.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await byTest(citizen.page, 'place').getByText(/交市城市管理执法局$/).waitFor();
  assert.deepEqual(citizen.errors, []);
  await citizen.context.close();
});

test('a refused location is explained, and the map pin still works', async () => {
  const citizen = await phone(browser, { permissions: [] });
  await login(citizen.page, ...DEMO.citizen, '/report');
  await byTest(citizen.page, 'report-form').waitFor();
  await byTest(citizen.page, 'locate').click();
  await byTest(citizen.page, 'location-note').getByText('拒绝了定位授权').waitFor();
  const map = byTest(citizen.page, 'pin-map');
  const box = await map.boundingBox();
  await map.click({ position: { x: box.width / 2, y: box.height / 2 } });
  await byTest(citizen.page, 'location').getByText('已选位置').waitFor();
  await shot(citizen.page, 'report-location-refused');
  assert.deepEqual(citizen.errors, []);
  await citizen.context.close();
});

test('the pin names its place, shows where I am, and moves by list or by drag', async () => {
  const citizen = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  const { page } = citizen;
  await login(page, ...DEMO.citizen, '/report');
  await byTest(page, 'report-form').waitFor();
  await byTest(page, 'locate').click();
  await byTest(page, 'place').getByText('新华中路（雄关东路—胜利路） · 交市住房和城乡建设局').waitFor();
  const here = page.locator('[data-test-id="pin-map"] circle.here');
  const pin = page.locator('[data-test-id="pin-map"] circle.pin.mine');
  const spot = async (c) => c.evaluate((e) => [Number(e.getAttribute('cx')), Number(e.getAttribute('cy'))]);
  const dot = await spot(here);
  assert.ok(dot[0] > 0 && dot[1] > 0, 'you are here, on the map');
  const near = (a, b) => Math.abs(a[0] - b[0]) <= 1.5 && Math.abs(a[1] - b[1]) <= 1.5;
  assert.ok(near(await spot(pin), dot), 'the pin starts where I am');
  // The streets and grids carry their names on the map.
  for (const name of ['新华中路', '雄关东路', '雄关区第一网格']) {
    await byTest(page, 'pin-map').locator('text.map-label', { hasText: name }).first().waitFor();
  }

  // Chosen from the list (keyboard, screen reader): the pin moves there.
  await byTest(page, 'input-place').selectOption({ label: '雄关东路' });
  await byTest(page, 'place').getByText('雄关东路 · 交市城市管理执法局').waitFor();
  const listed = await spot(pin);
  assert.ok(!near(listed, dot), 'the pin moved to the street');
  assert.deepEqual(await spot(here), dot, 'where I am stays');

  // Dragged with a finger (a mouse here): the pin follows and says the new place.
  // (The map in the middle of the screen, clear of the tab bar.)
  await byTest(page, 'pin-map').evaluate((m) => m.scrollIntoView({ block: 'center' }));
  const box = await pin.boundingBox();
  // To a spot inside 雄关区第一网格, away from its streets, wherever the map
  // puts it (other tests add areas, which widens the view).
  const [tx, ty] = await byTest(page, 'pin-map').evaluate((svg) => {
    const v = svg.getAttribute('data-view').split(' ').map(Number);
    const pt = svg.createSVGPoint();
    pt.x = (98.276 - v[0]) / (v[2] - v[0]) * v[4];
    pt.y = (v[3] - 39.763) / (v[3] - v[1]) * v[5];
    const s = pt.matrixTransform(svg.getScreenCTM());
    return [s.x, s.y];
  });
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(tx, ty, { steps: 8 });
  await page.mouse.up();
  await byTest(page, 'place').getByText(/雄关区第一网格/).waitFor();
  assert.notDeepEqual(await spot(pin), listed);
  await shot(page, 'report-pin-place');
  assert.deepEqual(citizen.errors, []);
  await citizen.context.close();
});

test('a report written offline is sent when the network returns', async () => {
  const photo = await jpegPhoto(browser, '#7d3c98');
  const citizen = await phone(browser, { geolocation: HERE, permissions: ['geolocation'] });
  const { page } = citizen;
  await login(page, ...DEMO.citizen, '/report');
  await fillReport(page, photo, '离线写的报告：公园门口有人摆摊');
  await citizen.context.setOffline(true);
  await byTest(page, 'report-submit').click();
  await byTest(page, 'queued').waitFor();
  assert.equal(await page.evaluate(() => window.zhuomu.pending()), 1, 'kept on the phone');
  await shot(page, 'report-queued-offline');
  await citizen.context.setOffline(false);
  await page.waitForFunction(() => window.zhuomu.pending().then((n) => n === 0), null, { timeout: 15000 });
  // Sent, not refused: a refusal would be kept as failed, with its reason.
  assert.deepEqual(await page.evaluate(() => window.zhuomu.failed().then((f) => f.map((i) => i.failed))), []);
  // Right after the network returns, Chromium's offline emulation can still
  // fail the service worker's first navigations (it then shows the saved
  // 随手拍 form): the person opens 我的报告 again, as one pulls to refresh.
  const mine = byTest(page, 'my-reports').getByText('离线写的报告：公园门口有人摆摊');
  for (let i = 0; i < 10 && !(await mine.count()); i++) {
    if (i) await page.waitForTimeout(1000);
    await page.goto(`${BASE}/me/reports`);
  }
  await mine.waitFor();
  await shot(page, 'my-reports');
  assert.deepEqual(citizen.errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)), []);
  await citizen.context.close();
});
