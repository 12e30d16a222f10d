// Lighthouse (mobile preset: simulated slow 4G, 4× CPU slowdown) on the pages
// a citizen meets first: home, 随手拍, the report list, one report, 志愿, 积分
// and a campaign. Run by scripts/bench-lighthouse.sh against a fresh server
// with the demo city; prints one Markdown row per page (figures go to
// docs/PERFORMANCE.md). LIGHTHOUSE is the CLI to run.
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { BASE, DEMO, launch, context, jpegPhoto } from '../tests/support.mjs';

const LIGHTHOUSE = process.env.LIGHTHOUSE ?? 'lighthouse';
const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);

const browser = await launch();
const api = (await context(browser)).request;
// Each login from a context of its own (a context holding a session cookie
// is refused requests without an Origin, by the CSRF rule); `api` stays
// without cookies and sends bearer tokens.
const login = async ([phone, password]) => {
  const own = await context(browser);
  const r = await own.request.post(`${BASE}/api/v1/auth/login`, { data: { phone, password } });
  assert.equal(r.status(), 200, await r.text());
  const token = (await r.json()).token;
  await own.close();
  return token;
};
const citizen = await login(DEMO.citizen);
const moderator = await login(DEMO.moderator);
const unit = await login(DEMO.unit);
const auth = (t) => ({ Authorization: `Bearer ${t}` });

// One report through the loop to 已整改, so its page has photos and a timeline.
const category = (await (await api.get(`${BASE}/api/v1/categories`)).json())[0];
const photo = await jpegPhoto(browser);
const filed = await api.post(`${BASE}/api/v1/reports`, {
  headers: auth(citizen),
  multipart: { category_id: String(category.id), description: '人行道上堆放建筑垃圾', lat: '39.7735', lon: '98.2870', address: '新华中路与雄关东路口', photo },
});
assert.equal(filed.status(), 201, await filed.text());
const id = (await filed.json()).id;
const unitId = (await (await api.get(`${BASE}/api/v1/me`, { headers: auth(unit) })).json()).unit_id;
assert.ok((await api.post(`${BASE}/api/v1/reports/${id}/review`, { headers: auth(moderator), data: { decision: 'approve', unit_id: unitId } })).ok());
assert.ok((await api.post(`${BASE}/api/v1/reports/${id}/rectify`, { headers: auth(unit), multipart: { note: '已清理', photo } })).ok());
const campaign = (await (await api.get(`${BASE}/api/v1/campaigns`)).json())[0];
await browser.close();

const pages = [
  ['首页', '/', null],
  ['随手拍', '/report', citizen],
  ['大家的报告', '/reports', null],
  ['一个报告', `/reports/${id}`, null],
  ['志愿', '/volunteer', null],
  ['积分', '/points', citizen],
  ['好人评选', campaign ? `/campaigns/${campaign.id}` : '/campaigns', null],
];

const dir = mkdtempSync(join(tmpdir(), 'zhuomu-lighthouse-'));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`Lighthouse ${execFileSync(LIGHTHOUSE, ['--version']).toString().trim()}, mobile preset, ${RUNS} runs per page (median)`);
console.log('| page | performance | accessibility | best practices | LCP | TBT | CLS |');
console.log('|---|---|---|---|---|---|---|');
for (const [name, path, token] of pages) {
  const runs = [];
  for (let i = 0; i < RUNS; i += 1) {
    const out = join(dir, `${i}.json`);
    const args = [
      `${BASE}${path}`, '--quiet', '--output=json', `--output-path=${out}`,
      '--only-categories=performance,accessibility,best-practices',
      '--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-quic --no-first-run --disable-component-update --disable-sync',
    ];
    if (token) args.push(`--extra-headers=${JSON.stringify({ Cookie: `zhuomu_session=${token}` })}`);
    execFileSync(LIGHTHOUSE, args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CHROME_PATH: process.env.CHROMIUM ?? '/usr/bin/chromium' } });
    const r = JSON.parse(readFileSync(out, 'utf8'));
    if (r.runtimeError) throw new Error(`${path}: ${r.runtimeError.message}`);
    runs.push({
      perf: Math.round(r.categories.performance.score * 100),
      a11y: Math.round(r.categories.accessibility.score * 100),
      bp: Math.round(r.categories['best-practices'].score * 100),
      lcp: r.audits['largest-contentful-paint'].numericValue,
      tbt: r.audits['total-blocking-time'].numericValue,
      cls: r.audits['cumulative-layout-shift'].numericValue,
      failed: Object.values(r.audits).filter((a) => a.score !== null && a.score < 1 && ['binary', 'numeric'].includes(a.scoreDisplayMode)).map((a) => a.id),
      finalUrl: r.finalDisplayedUrl ?? r.finalUrl,
    });
  }
  const m = (k) => median(runs.map((r) => r[k]));
  assert.ok(!token || !runs[0].finalUrl.includes('/login'), `${path} was seen signed in`);
  console.log(`| ${name} \`${path.replace(/\d+$/, '{id}')}\` | ${m('perf')} | ${m('a11y')} | ${m('bp')} | ${(m('lcp') / 1000).toFixed(2)} s | ${Math.round(m('tbt'))} ms | ${m('cls').toFixed(3)} |`);
  console.error(`  ${path}: audits below full score: ${[...new Set(runs.flatMap((r) => r.failed))].join(', ') || 'none'}`);
}
