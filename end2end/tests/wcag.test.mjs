// WCAG 2.1 AA on every page: axe-core injected into each page of the app, on
// the phone screen, for each role that uses it, with data on it (a report in
// every status, a shift signed up for, a redemption, a nomination). A serious
// or critical violation anywhere fails the build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import {
  BASE, DEMO, launch, phone, login, register, bearer, jpegPhoto, shot, context,
} from './support.mjs';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The audit injects axe-core into the page: the app's CSP would refuse it. */
const AUDITED = { bypassCSP: true };

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

/** The serious and critical violations axe finds on the page as it is now. */
async function axe(page) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    resultTypes: ['violations'],
  }));
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => `${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(1, 2).join(' ').trim()}`),
    }));
}

/** The city with data in it, through the API as its people make it. */
async function city() {
  const api = (await context(browser)).request;
  const [mod, unit, admin] = await Promise.all([DEMO.moderator, DEMO.unit, DEMO.admin].map((a) => bearer(browser, a)));
  const citizen = await phone(browser, AUDITED);
  await register(citizen.page, '无障碍测试市民');
  const me = await (await citizen.page.request.get(`${BASE}/api/v1/me`)).json();
  const unitId = (await (await api.get(`${BASE}/api/v1/me`, { headers: unit })).json()).unit_id;
  assert.ok(unitId, 'the demo unit staff belong to a unit');
  const category = (await (await api.get(`${BASE}/api/v1/categories`)).json())[0];
  const photo = await jpegPhoto(browser);
  const file = async (description) => {
    const r = await citizen.page.request.post(`${BASE}/api/v1/reports`, {
      headers: { Origin: BASE },
      multipart: { category_id: String(category.id), description, lat: '39.7735', lon: '98.2870', address: '新华中路与雄关东路口', photo },
    });
    assert.equal(r.status(), 201, await r.text());
    return (await r.json()).id;
  };
  const ok = async (r) => assert.ok(r.ok(), `${r.url()}: ${r.status()} ${await r.text()}`);
  const approve = (id) => api.post(`${BASE}/api/v1/reports/${id}/review`, { headers: mod, data: { decision: 'approve', unit_id: unitId } });
  const rectify = (id) => api.post(`${BASE}/api/v1/reports/${id}/rectify`, { headers: unit, multipart: { note: '已清理', photo } });

  const ids = {};
  ids.pending = await file('人行道上堆放建筑垃圾，待审核');
  ids.rejected = await file('照片看不清的举报');
  await ok(await api.post(`${BASE}/api/v1/reports/${ids.rejected}/review`, { headers: mod, data: { decision: 'reject', reason: '照片不清' } }));
  ids.assigned = await file('井盖缺失，已交办');
  await ok(await approve(ids.assigned));
  await ok(await api.post(`${BASE}/api/v1/reports/${ids.assigned}/urge`, { headers: mod, data: { note: '请尽快处理' } }));
  ids.returned = await file('路灯不亮，被退回');
  await ok(await approve(ids.returned));
  await ok(await api.post(`${BASE}/api/v1/reports/${ids.returned}/return`, { headers: unit, data: { reason: '路灯归供电公司管理' } }));
  ids.rectified = await file('乱贴小广告，已整改');
  await ok(await approve(ids.rectified));
  await ok(await rectify(ids.rectified));
  ids.closed = await file('垃圾桶满溢，已销号');
  await ok(await approve(ids.closed));
  await ok(await rectify(ids.closed));
  await ok(await api.post(`${BASE}/api/v1/reports/${ids.closed}/verify`, { headers: mod, data: { decision: 'close' } }));

  // A shift signed up for, points, a redemption.
  const post = (await (await api.get(`${BASE}/api/v1/posts`)).json())[0];
  const shifts = (await (await api.get(`${BASE}/api/v1/shifts?post_id=${post.id}`)).json()).items;
  const shift = shifts.find((s) => new Date(s.starts_at) > new Date(Date.now() + 3 * 3600 * 1000)) ?? shifts[shifts.length - 1];
  await ok(await citizen.page.request.post(`${BASE}/api/v1/shifts/${shift.id}/signup`, { headers: { Origin: BASE } }));
  await ok(await api.post(`${BASE}/api/v1/admin/points/adjust`, { headers: mod, data: { user_id: me.id, delta: 500, reason: '无障碍测试' } }));
  const gift = (await (await api.get(`${BASE}/api/v1/gifts`)).json())[0];
  await ok(await citizen.page.request.post(`${BASE}/api/v1/gifts/${gift.id}/redeem`, { headers: { Origin: BASE } }));

  // A campaign open for nominations and votes, with a nomination in it.
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  const campaign = await (await api.post(`${BASE}/api/v1/admin/campaigns`, {
    headers: admin,
    data: {
      title: '无障碍测试好人评选', nomination_starts_at: iso(now - 3600e3), nomination_ends_at: iso(now + 7 * 86400e3),
      voting_starts_at: iso(now - 3600e3), voting_ends_at: iso(now + 14 * 86400e3), votes_per_day: 3, min_account_age_hours: 0,
    },
  })).json();
  assert.ok(campaign.id, JSON.stringify(campaign));
  const nomination = await (await citizen.page.request.post(`${BASE}/api/v1/campaigns/${campaign.id}/nominations`, {
    headers: { Origin: BASE }, data: { nominee_name: '张师傅', category: '助人为乐', story: '张师傅退休后十多年如一日，义务为社区里的独居老人修理家电、疏通管道，从不收一分钱，邻居们都叫他“万能张”。' },
  })).json();
  assert.ok(nomination.id, JSON.stringify(nomination));
  await ok(await api.post(`${BASE}/api/v1/nominations/${nomination.id}/review`, { headers: mod, data: { decision: 'approve' } }));

  return { citizen, ids, post, shift, campaign, nomination };
}

test('axe-core finds no serious or critical violation on any page, for any role', async () => {
  const data = await city();
  const { ids, post, shift, campaign, nomination } = data;
  const pages = {
    anyone: [
      '/', '/reports', `/reports/${ids.assigned}`, `/reports/${ids.closed}`, '/volunteer', `/volunteer/posts/${post.id}`,
      '/volunteer/stars', '/campaigns', `/campaigns/${campaign.id}`, `/campaigns/${campaign.id}/results`,
      `/nominations/${nomination.id}`, '/honors', '/dashboard', '/mailbox', '/gifts', '/login', '/register',
      '/privacy', '/reset', '/report',
    ],
    citizen: [
      '/', '/report', '/me', '/me/reports', '/me/messages', '/me/privacy', '/me/redemptions', '/points',
      `/reports/${ids.pending}`, `/reports/${ids.rejected}`, `/reports/${ids.rectified}`, `/reports/${ids.returned}`,
      `/campaigns/${campaign.id}/nominate`, `/nominations/${nomination.id}`, `/volunteer/posts/${post.id}`, '/gifts',
    ],
    moderator: [
      '/manage/review', `/manage/review?id=${ids.pending}`, '/manage/verify', '/manage/shifts', `/manage/shifts/${shift.id}`,
      '/manage/nominations', '/manage/suggestions', '/dashboard', '/dashboard/units', '/me',
      `/reports/${ids.returned}`,
    ],
    unit: ['/manage/unit', '/manage/fulfil', `/reports/${ids.assigned}`, '/me'],
    admin: [
      '/admin/posts', `/admin/posts/${post.id}`, '/admin/campaigns', '/admin/audit', '/admin/gifts', '/admin/points',
      '/admin/users', '/admin/city', '/admin/apikeys', '/me',
    ],
  };
  const found = [];
  for (const [role, paths] of Object.entries(pages)) {
    let person;
    if (role === 'citizen') person = data.citizen;
    else {
      person = await phone(browser, AUDITED);
      if (role !== 'anyone') await login(person.page, ...DEMO[role]);
    }
    for (const path of paths) {
      const response = await person.page.goto(`${BASE}${path}`);
      assert.ok(response.status() < 400, `${role} ${path}: ${response.status()}`);
      await person.page.waitForLoadState('networkidle');
      for (const v of await axe(person.page)) found.push({ role, path, ...v });
    }
    await shot(person.page, `wcag-${role}`);
    if (person !== data.citizen) await person.context.close();
  }
  assert.deepEqual(found, [], `axe-core violations:\n${found.map((f) => `${f.role} ${f.path}: [${f.impact}] ${f.id} — ${f.help}\n    ${f.nodes.join('\n    ')}`).join('\n')}`);
});
