// Text at 200 % and 长辈版 on the phone: every page a citizen uses, zoomed to
// 200 % (the same phone, half the CSS pixels: 195 × 422 at 4×) and in 长辈版,
// must reflow without sideways scrolling of the page (wide tables scroll in
// their own region) and keep its main content on screen. Screenshots of each
// are kept (zoom200-*, elder-*) to be looked at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, DEMO, PHONE, launch, context, login, phone, shot } from './support.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

const PAGES = [
  ['home', '/'], ['report', '/report'], ['reports', '/reports'], ['volunteer', '/volunteer'],
  ['points', '/points'], ['gifts', '/gifts'], ['campaigns', '/campaigns'], ['honors', '/honors'],
  ['dashboard', '/dashboard'], ['mailbox', '/mailbox'], ['me', '/me'], ['my-reports', '/me/reports'],
  ['messages', '/me/messages'], ['login', '/login'], ['register', '/register'], ['privacy', '/privacy'],
];

/** What sticks out sideways: the page's width beyond the screen, and the
 * elements whose right edge passes it (outside scrolling regions). */
async function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrolls = (e) => {
      for (let p = e.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX;
        if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
      }
      return false;
    };
    const out = [...document.querySelectorAll('main *, .tabbar *, .topbar *')]
      .filter((e) => e.getClientRects().length && e.getBoundingClientRect().right > width + 1 && !scrolls(e))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} "${e.textContent.trim().slice(0, 20)}" right ${Math.round(e.getBoundingClientRect().right)}`);
    return { scroll: document.documentElement.scrollWidth - width, out };
  });
}

async function walk(options, cookies, prefix) {
  const own = await context(browser, { ...PHONE, ...options });
  if (cookies) await own.addCookies(cookies);
  const page = await own.newPage();
  await login(page, ...DEMO.citizen);
  const found = [];
  for (const [name, path] of PAGES) {
    await page.goto(`${BASE}${path}`);
    await page.waitForLoadState('networkidle');
    const o = await overflow(page);
    if (o.scroll > 1 || o.out.length) found.push(`${path}: page ${o.scroll}px wider than the screen; ${o.out.join('; ')}`);
    const h1 = page.locator('main h1, main h2').first();
    if (await h1.count()) {
      const box = await h1.boundingBox();
      if (!box || box.x < 0 || box.width < 8) found.push(`${path}: the heading is off screen`);
    }
    await shot(page, `${prefix}-${name}`);
  }
  await own.close();
  return found;
}

test('every page reflows at 200 % zoom with nothing sticking out sideways', async () => {
  const found = await walk({ viewport: { width: 195, height: 422 }, deviceScaleFactor: 4 }, null, 'zoom200');
  assert.deepEqual(found, []);
});

test('every page in 长辈版 reflows on the phone', async () => {
  const host = new URL(BASE).hostname;
  const found = await walk({}, [{ name: 'zhuomu_font', value: 'large', domain: host, path: '/' }], 'elder');
  assert.deepEqual(found, []);
});

test('the maps lay the city over the base map, and keep the drawn map when tiles fail', { skip: !process.env.TILES_URL && 'no tile server (TILES_URL)' }, async () => {
  const { context: own, page } = await phone(browser);
  const before = Number(await (await fetch(`${process.env.TILES_URL}/count`)).text());
  await page.goto(`${BASE}/reports`);
  await page.waitForLoadState('networkidle');
  const map = page.locator('[data-test-id="reports-map"] svg');
  const tiles = map.locator('image.map-tile');
  assert.ok((await tiles.count()) >= 1, 'tiles under the map');
  // Tiles first (underneath), then the city's areas, then the reports.
  const order = await map.evaluate((svg) => [...svg.querySelectorAll('g.map-base, path, a')].map((e) => e.tagName.toLowerCase())[0]);
  assert.equal(order, 'g');
  const after = Number(await (await fetch(`${process.env.TILES_URL}/count`)).text());
  assert.ok(after > before, 'the browser fetched the tiles');
  assert.match(await map.locator('.map-credit').textContent(), /测试底图/);
  await shot(page, 'map-tiles');
  // Offline: every tile fails (a fresh phone, nothing cached), and the page
  // still shows the city's areas and its reports, with no script error.
  const offline = await phone(browser);
  let refused = 0;
  await offline.context.route((url) => url.href.startsWith(process.env.TILES_URL), (route) => { refused += 1; return route.abort(); });
  const served = Number(await (await fetch(`${process.env.TILES_URL}/count`)).text());
  await offline.page.goto(`${BASE}/reports`);
  await offline.page.waitForLoadState('networkidle');
  const bare = offline.page.locator('[data-test-id="reports-map"] svg');
  assert.ok(refused >= 1, 'the tiles were asked for and refused');
  assert.equal(Number(await (await fetch(`${process.env.TILES_URL}/count`)).text()), served, 'no tile got through');
  assert.ok(await bare.locator('rect.map-bg').isVisible());
  assert.ok((await bare.locator('path.map-grid, path.map-street').count()) >= 1, 'the areas are drawn');
  assert.deepEqual(offline.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no script error');
  await shot(offline.page, 'map-tiles-failed');
  await offline.context.close();
  await own.close();
});
