// 志愿 on a phone with a faked, granted location: find the nearest post,
// sign up from its week, be refused outside the fence (with the distance),
// check in inside it, check out; a moderator confirms the time and the
// volunteer sees hours and points. The waitlist is joined and promoted; an
// admin places a post by tapping the map and schedules its week.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, shot, login, DEMO, register } from './support.mjs';

const POST = { latitude: 39.7735, longitude: 98.2870 };
const FAR = { latitude: 39.7835, longitude: 98.2870 }; // ~1.1 km north

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

async function adminHeaders(request) {
  const login = await request.post(`${BASE}/api/v1/auth/login`, { data: { phone: DEMO.admin[0], password: DEMO.admin[1] } });
  return { Authorization: `Bearer ${(await login.json()).token}` };
}

/** A post at POST and a 2 h shift starting at `start`, through the admin API. */
async function postWithShift(request, start, capacity) {
  const headers = await adminHeaders(request);
  const name = `体育场路口文明交通岗${Date.now() % 100000}`;
  const post = await (await request.post(`${BASE}/api/v1/admin/posts`, {
    headers, data: { name, lat: POST.latitude, lon: POST.longitude, description: '劝导行人走斑马线' },
  })).json();
  const end = new Date(start.getTime() + 2 * 3600 * 1000);
  const shift = await (await request.post(`${BASE}/api/v1/admin/shifts`, {
    headers, data: { post_id: post.id, starts_at: start.toISOString(), ends_at: end.toISOString(), capacity },
  })).json();
  assert.ok(shift.id, JSON.stringify(shift));
  return { post, shift };
}

/** The shift's day (YYYY-MM-DD) in Beijing time. */
const dayOf = (iso) => new Date(new Date(iso).getTime() + 8 * 3600 * 1000).toISOString().slice(0, 10);

test('find the nearest post, sign up, check in inside the fence, check out, see hours and points', async () => {
  const far = await phone(browser, { geolocation: FAR, permissions: ['geolocation'] });
  // Starts in 45 s: time to sign up before it starts, and for the moderator
  // to confirm attendance once it has.
  const start = new Date(Date.now() + 45 * 1000);
  const { post, shift } = await postWithShift(far.page.request, start, 2);
  await register(far.page, '劝导志愿者');

  await byTest(far.page, 'tab-volunteer').click();
  await far.page.waitForURL(`${BASE}/volunteer`);
  await byTest(far.page, 'hours').getByText('0小时').first().waitFor();
  await byTest(far.page, 'near').click();
  await far.page.waitForURL(/\/volunteer\?near=39\.78/);
  const item = byTest(far.page, `post-${post.id}`);
  assert.match(await item.locator('[data-test-id="distance"]').textContent(), /约1\.1公里/);
  await byTest(far.page, 'me-pin').waitFor();
  await shot(far.page, 'volunteer-posts-near');
  await item.locator('a').click();
  await far.page.waitForURL(`${BASE}/volunteer/posts/${post.id}`);
  const row = byTest(far.page, `shift-${shift.id}`);
  assert.match(await row.textContent(), /剩余2个名额/);
  await shot(far.page, 'volunteer-post-week');
  await row.locator('[data-test-id="signup"]').click();
  await far.page.waitForURL(`${BASE}/volunteer/posts/${post.id}`);
  assert.match(await byTest(far.page, `shift-${shift.id}`).textContent(), /剩余1个名额.*我：已报名/);

  await byTest(far.page, 'tab-volunteer').click();
  await far.page.waitForURL(`${BASE}/volunteer`);
  const mine = byTest(far.page, `my-shift-${shift.id}`);
  assert.equal(await mine.locator('[data-test-id="my-status"]').textContent(), '已报名');

  // Too far away: refused, and told how far.
  await mine.locator('[data-test-id="checkin"]').click();
  await mine.locator('[data-test-id="checkin-message"]').getByText(/您距离岗位约\d+米/).waitFor();
  await shot(far.page, 'volunteer-too-far');

  // At the post: checked in, then out.
  await far.context.setGeolocation(POST);
  await mine.locator('[data-test-id="checkin"]').click();
  await far.page.waitForLoadState('load');
  await byTest(far.page, `my-shift-${shift.id}`).locator('[data-test-id="my-status"]').getByText('已签到').waitFor();
  await shot(far.page, 'volunteer-checked-in');
  await byTest(far.page, `my-shift-${shift.id}`).locator('[data-test-id="checkout"]').click();
  // Out before the start: nothing to credit yet, and it says so.
  await byTest(far.page, 'checkout-message').getByText('已签退：本次计入0分钟，共获得0积分').waitFor();
  await byTest(far.page, `my-shift-${shift.id}`).waitFor({ state: 'detached' });

  // The moderator confirms the real time on the attendance list (possible
  // once the shift has started).
  await new Promise((r) => setTimeout(r, Math.max(0, start.getTime() - Date.now() + 1500)));
  const mod = await phone(browser);
  await login(mod.page, ...DEMO.moderator);
  await byTest(mod.page, 'shifts-link').click();
  await mod.page.waitForURL(/\/manage\/shifts/);
  await mod.page.goto(`${BASE}/manage/shifts?date=${dayOf(shift.starts_at)}`);
  await byTest(mod.page, `day-shift-${shift.id}`).locator('[data-test-id="attendance"]').click();
  await mod.page.waitForURL(`${BASE}/manage/shifts/${shift.id}`);
  const person = mod.page.locator('.attendance', { hasText: '劝导志愿者' });
  assert.match(await person.locator('[data-test-id="signup-status"]').textContent(), /已完成/);
  await person.locator('[data-test-id="minutes"]').fill('90');
  await person.locator('[data-test-id="confirm-minutes"]').click();
  await mod.page.waitForURL(/saved=/);
  await mod.page.locator('.attendance', { hasText: '劝导志愿者' }).getByText('计入1小时30分钟 · 15积分').waitFor();
  await shot(mod.page, 'volunteer-attendance');
  await mod.context.close();

  await far.page.reload();
  assert.equal(await byTest(far.page, 'hours-total').textContent(), '1.5小时');
  assert.equal(await byTest(far.page, 'hours-points').textContent(), '15');
  await shot(far.page, 'volunteer-hours');
  await byTest(far.page, 'tab-points').click();
  await far.page.waitForURL(`${BASE}/points`);
  await far.page.getByText('15', { exact: true }).first().waitFor();
  assert.deepEqual(far.errors.filter((e) => !/status of 409/.test(e)), []);
  await far.context.close();
});

test('a full shift has a waitlist; a cancellation promotes the first in line', async () => {
  const a = await phone(browser);
  const b = await phone(browser);
  const start = new Date(Date.now() + 26 * 3600 * 1000);
  const { post, shift } = await postWithShift(a.page.request, start, 1);
  const week = `${BASE}/volunteer/posts/${post.id}?from=${dayOf(shift.starts_at)}`;
  await register(a.page, '先报名的人');
  await register(b.page, '候补的人');

  await a.page.goto(week);
  await byTest(a.page, `shift-${shift.id}`).locator('[data-test-id="signup"]').click();
  await a.page.waitForURL(week);
  await b.page.goto(week);
  const row = byTest(b.page, `shift-${shift.id}`);
  assert.match(await row.locator('[data-test-id="places"]').textContent(), /已满 · 候补0人/);
  assert.equal(await row.locator('[data-test-id="signup"]').textContent(), '候补');
  await row.locator('[data-test-id="signup"]').click();
  await b.page.waitForURL(week);
  assert.match(await byTest(b.page, `shift-${shift.id}`).textContent(), /候补1人.*我：候补中/);
  await shot(b.page, 'volunteer-waitlisted');
  await b.page.goto(`${BASE}/volunteer`);
  assert.equal(await byTest(b.page, `my-shift-${shift.id}`).locator('[data-test-id="my-status"]').textContent(), '候补第1位');

  // The first volunteer cancels from the tab; the waitlisted one gets the seat.
  await a.page.goto(`${BASE}/volunteer`);
  await byTest(a.page, `my-shift-${shift.id}`).locator('[data-test-id="leave"]').click();
  await a.page.waitForURL(`${BASE}/volunteer`);
  await byTest(a.page, `my-shift-${shift.id}`).waitFor({ state: 'detached' });
  await b.page.reload();
  assert.equal(await byTest(b.page, `my-shift-${shift.id}`).locator('[data-test-id="my-status"]').textContent(), '已报名');
  await shot(b.page, 'volunteer-promoted');
  // The shift in the phone's calendar, through a private link.
  await byTest(b.page, 'new-calendar').click();
  await b.page.waitForURL(/calendar=[0-9a-f]{40}/);
  const href = await byTest(b.page, 'calendar-url').getAttribute('href');
  assert.ok(href.startsWith(`${BASE}/calendar.ics?key=`), href);
  assert.match(await byTest(b.page, 'calendar-subscribe').getAttribute('href'), /^webcal:\/\//);
  const feed = await (await b.page.request.get(href)).text();
  assert.match(feed, /BEGIN:VEVENT[\s\S]*体育场路口文明交通岗/);
  await shot(b.page, 'volunteer-calendar');
  assert.deepEqual([...a.errors, ...b.errors], []);
  await a.context.close();
  await b.context.close();
});

test('an admin places a post by tapping the map and schedules its week', async () => {
  const { context, page, errors } = await phone(browser);
  await login(page, ...DEMO.admin);
  await byTest(page, 'admin-posts-link').click();
  await page.waitForURL(`${BASE}/admin/posts`);
  const map = byTest(page, 'posts-map').locator('svg');
  const box = await map.boundingBox();
  await page.mouse.click(box.x + box.width * 0.4, box.y + box.height * 0.6);
  const lat = Number(await byTest(page, 'post-lat').inputValue());
  const lon = Number(await byTest(page, 'post-lon').inputValue());
  assert.ok(lat > 39.6 && lat < 39.9 && lon > 98.1 && lon < 98.5, `${lat},${lon}`);
  assert.notEqual(await byTest(page, 'pick-pin').getAttribute('cx'), '-20');
  await byTest(page, 'post-name').fill(`新华路口文明交通岗${Date.now() % 100000}`);
  await byTest(page, 'post-description').fill('早晚高峰劝导');
  await shot(page, 'admin-post-pick');
  await byTest(page, 'create-post').click();
  await page.waitForURL(/\/admin\/posts\/\d+$/);

  const tomorrow = dayOf(new Date(Date.now() + 24 * 3600 * 1000).toISOString());
  await byTest(page, 'bulk-from').fill(tomorrow);
  await byTest(page, 'bulk-to').fill(tomorrow);
  await byTest(page, 'bulk-capacity').fill('3');
  await byTest(page, 'bulk-schedule').click();
  await page.waitForURL(/created=4$/);
  await byTest(page, 'created').getByText('已新增4个班次').waitFor();
  const shifts = page.locator('[data-test-id="week"] [data-test-id^="shift-"]');
  assert.equal(await shifts.count(), 4);
  assert.match(await shifts.first().textContent(), /07:00–09:00.*0\/3人/);
  await shot(page, 'admin-post-week');
  // Again: nothing new.
  await byTest(page, 'bulk-schedule').click();
  await page.waitForURL(/created=0$/);
  await byTest(page, 'created').getByText('没有重复创建').waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});
