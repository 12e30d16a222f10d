// 志愿 on a phone with a faked, granted location: find a shift, sign up,
// be refused outside the fence (with the distance), check in inside it,
// check out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, launch, phone, byTest, shot, login, DEMO, freshPhone } from './support.mjs';

const POST = { latitude: 39.7735, longitude: 98.2870 };
const FAR = { latitude: 39.7835, longitude: 98.2870 }; // ~1.1 km north

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** Creates a post and a shift starting in 10 minutes, through the admin API. */
async function postWithShift(request) {
  const login = await request.post(`${BASE}/api/v1/auth/login`, { data: { phone: DEMO.admin[0], password: DEMO.admin[1] } });
  const token = (await login.json()).token;
  const headers = { Authorization: `Bearer ${token}` };
  const name = `体育场路口文明交通岗${Date.now() % 100000}`;
  const post = await (await request.post(`${BASE}/api/v1/admin/posts`, {
    headers, data: { name, lat: POST.latitude, lon: POST.longitude, description: '劝导行人走斑马线' },
  })).json();
  const start = new Date(Date.now() + 10 * 60 * 1000);
  const end = new Date(start.getTime() + 2 * 3600 * 1000);
  const shift = await (await request.post(`${BASE}/api/v1/admin/shifts`, {
    headers, data: { post_id: post.id, starts_at: start.toISOString(), ends_at: end.toISOString(), capacity: 2 },
  })).json();
  assert.ok(shift.id, JSON.stringify(shift));
  return { post, shift };
}

test('find a shift, sign up, check in inside the fence, check out', async () => {
  const far = await phone(browser, { geolocation: FAR, permissions: ['geolocation'] });
  const { shift } = await postWithShift(far.page.request);
  const number = freshPhone();
  await far.page.goto(`${BASE}/register`);
  await byTest(far.page, 'input-phone').fill(number);
  await byTest(far.page, 'input-display_name').fill('劝导志愿者');
  await byTest(far.page, 'input-password').fill('jiayuguan-2026');
  await byTest(far.page, 'register-submit').click();
  await far.page.waitForURL(`${BASE}/me`);

  await byTest(far.page, 'tab-volunteer').click();
  await far.page.waitForURL(`${BASE}/volunteer`);
  const row = byTest(far.page, `shift-${shift.id}`);
  await row.waitFor();
  assert.match(await row.textContent(), /剩余2个名额/);
  await shot(far.page, 'volunteer-week');
  await row.locator('[data-test-id="signup"]').click();
  await far.page.waitForURL(`${BASE}/volunteer`);
  const mine = byTest(far.page, `my-shift-${shift.id}`);
  assert.equal(await mine.locator('[data-test-id="my-status"]').textContent(), '已报名');
  assert.match(await byTest(far.page, `shift-${shift.id}`).textContent(), /剩余1个名额/);

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
  await byTest(far.page, `my-shift-${shift.id}`).waitFor({ state: 'detached' });
  const me = await (await far.page.request.get(`${BASE}/api/v1/me/shifts`)).json();
  assert.equal(me.items[0].status, 'completed');
  assert.deepEqual(far.errors.filter((e) => !/status of 409/.test(e)), []);
  await far.context.close();
});
