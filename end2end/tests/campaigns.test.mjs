// 好人 campaigns on a phone: a citizen nominates someone with a photo, a
// moderator approves it, another citizen votes, sees the votes left, and is
// refused a 4th vote in words; after voting the admin marks the winner,
// who appears on the 红榜.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, bearer, launch, phone, byTest, shot, login, DEMO, register, jpegPhoto, context } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const iso = (ms) => new Date(ms).toISOString();
const STORY = '他每天清晨在雄关广场义务清扫落叶和垃圾，坚持了整整八年，还带动了二十多位邻居一起参加。';

test('nominate, approve, vote until the day is used up, winners on the 红榜', async () => {
  const apiContext = await context(browser);
  const api = apiContext.request;
  const admin = await bearer(browser, DEMO.admin);
  const mod = await bearer(browser, DEMO.moderator);
  const now = Date.now();
  const title = `雄关好人测试${now % 100000}`;
  const created = await api.post(`${BASE}/api/v1/admin/campaigns`, {
    headers: admin,
    data: {
      title, nomination_starts_at: iso(now - 3600e3), nomination_ends_at: iso(now + 86400e3),
      voting_starts_at: iso(now - 3600e3), voting_ends_at: iso(now + 2 * 86400e3),
      votes_per_day: 3, min_account_age_hours: 0,
    },
  });
  assert.equal(created.status(), 201, await created.text());
  const campaign = await created.json();

  // A citizen nominates 王秀兰 with a photo, from the campaign page.
  const nominator = await phone(browser);
  await register(nominator.page, '推荐市民');
  await nominator.page.goto(`${BASE}/campaigns/${campaign.id}`);
  await byTest(nominator.page, 'countdown').waitFor();
  await byTest(nominator.page, 'nominate-link').click();
  await nominator.page.waitForURL(`${BASE}/campaigns/${campaign.id}/nominate`);
  await nominator.page.fill('#nominee_name', '王秀兰');
  await nominator.page.selectOption('#category', '孝老爱亲');
  await nominator.page.fill('#story', STORY);
  await byTest(nominator.page, 'nominee-photo').setInputFiles(await jpegPhoto(browser, '#2e7d32'));
  await shot(nominator.page, 'nominate-form');
  await byTest(nominator.page, 'nominate-submit').click();
  await nominator.page.waitForURL(`${BASE}/campaigns/${campaign.id}?nominated=1`);
  await byTest(nominator.page, 'nominated').waitFor();
  await byTest(nominator.page, 'my-nominations').getByText('待审核').waitFor();

  // Three more, by API, approved by API, so there are four to vote for.
  const nominatorApi = nominator.page.request;
  const others = [];
  for (const [name, category] of [['赵铁柱', '见义勇为'], ['孙敬业', '敬业奉献'], ['钱诚信', '诚实守信']]) {
    const r = await nominatorApi.post(`${BASE}/api/v1/campaigns/${campaign.id}/nominations`, {
      headers: { Origin: BASE }, data: { nominee_name: name, category, story: STORY },
    });
    assert.equal(r.status(), 201, await r.text());
    const n = await r.json();
    const ok = await api.post(`${BASE}/api/v1/nominations/${n.id}/review`, { headers: mod, data: { decision: 'approve' } });
    assert.equal(ok.status(), 200, await ok.text());
    others.push(n.id);
  }

  // The moderator approves 王秀兰 from the queue.
  const moderator = await phone(browser);
  await login(moderator.page, ...DEMO.moderator);
  await byTest(moderator.page, 'nominations-link').click();
  await moderator.page.waitForURL(`${BASE}/manage/nominations`);
  const card = moderator.page.locator('[data-test-id^="review-"]').filter({ hasText: '王秀兰' });
  await card.locator('img').waitFor();
  await shot(moderator.page, 'nomination-queue');
  await card.locator('[data-test-id="approve"]').click();
  await byTest(moderator.page, 'reviewed').waitFor();
  await nominator.page.goto(`${BASE}/me/messages`);
  await nominator.page.getByText('好人推荐已通过').first().waitFor();

  // Another citizen votes three times, then is refused the fourth.
  const voter = await phone(browser);
  await register(voter.page, '投票市民');
  await voter.page.goto(`${BASE}/campaigns/${campaign.id}`);
  assert.match(await byTest(voter.page, 'votes-left').textContent(), /今天还可以投 3 票/);
  const cards = voter.page.locator('[data-test-id^="nomination-"]');
  assert.equal(await cards.count(), 4);
  const wang = cards.filter({ hasText: '王秀兰' });
  assert.ok(await wang.locator('img.nominee-photo').evaluate((i) => i.complete && i.naturalWidth > 0), 'the photo loads');
  await shot(voter.page, 'campaign-page');
  await wang.locator('[data-test-id="vote"]').click();
  await byTest(voter.page, 'voted').waitFor();
  assert.match(await byTest(voter.page, 'voted').textContent(), /今天还可以投2票/);
  assert.equal(await wang.locator('[data-test-id="vote-count"]').textContent(), '1');
  assert.equal(await wang.locator('[data-test-id="vote"]').textContent(), '今日已投');
  for (const [i, left] of [[0, /还可以投 1 票/], [1, /还可以投 0 票/]]) {
    await byTest(voter.page, `nomination-${others[i]}`).locator('[data-test-id="vote"]').click();
    await voter.page.waitForURL(new RegExp(`voted=${others[i]}`));
    assert.match(await byTest(voter.page, 'votes-left').textContent(), left);
  }
  await shot(voter.page, 'votes-used');
  await byTest(voter.page, `nomination-${others[2]}`).locator('[data-test-id="vote"]').click();
  await byTest(voter.page, 'form-error').waitFor();
  assert.match(await byTest(voter.page, 'form-error').textContent(), /每天最多投3票，今天的票已经用完了/);
  await shot(voter.page, 'fourth-vote-refused');

  // The share page of a nomination.
  const wangId = (await wang.getAttribute('data-test-id')).replace('nomination-', '');
  await voter.page.goto(`${BASE}/nominations/${wangId}`);
  assert.equal(await byTest(voter.page, 'share-url').inputValue(), `${BASE}/nominations/${wangId}`);
  await shot(voter.page, 'nomination-share');

  // Voting ends; the admin marks the winner, who is on the 红榜.
  const closed = await api.patch(`${BASE}/api/v1/admin/campaigns/${campaign.id}`, {
    headers: admin, data: { nomination_ends_at: iso(Date.now() + 500), voting_ends_at: iso(Date.now() + 1000) },
  });
  assert.equal(closed.status(), 200, await closed.text());
  await new Promise((r) => setTimeout(r, 1500));
  const office = await phone(browser);
  await login(office.page, ...DEMO.admin, `/campaigns/${campaign.id}/results`);
  const top = office.page.locator('[data-test-id^="rank-"]').first();
  assert.match(await top.textContent(), /王秀兰/);
  await top.locator('[data-test-id="mark-winner"]').click();
  await office.page.locator('[data-test-id^="rank-"]').first().locator('.tag.winner').waitFor();
  await shot(office.page, 'results-final');
  await office.page.goto(`${BASE}/honors`);
  const roll = byTest(office.page, `honors-${campaign.id}`);
  await roll.getByText('王秀兰').waitFor();
  assert.equal(await roll.locator('[data-test-id^="honor-"]').count(), 1);
  await shot(office.page, 'honors');

  assert.deepEqual([...nominator.errors, ...moderator.errors, ...voter.errors, ...office.errors], []);
  for (const p of [nominator, moderator, voter, office]) await p.context.close();
  await apiContext.close();
});
