// First-load transfer of each citizen page: WASM + JS + CSS must stay within
// 150 KB (brotli) on a cheap phone. Measured from what the browser received;
// the stylesheet travels inside the page, so its brotli size is counted too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { brotliCompressSync, constants } from 'node:zlib';
import { BASE, launch, phone } from './support.mjs';

const BUDGET = 150 * 1024;
const PAGES = ['/', '/report', '/reports', '/volunteer', '/points', '/me', '/login', '/register'];

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('first-load transfer per page is within the budget', async () => {
  const rows = [];
  for (const path of PAGES) {
    const { context, page } = await phone(browser);
    const seen = [];
    page.on('requestfinished', (req) => seen.push(req));
    await page.goto(`${BASE}${path}`, { waitUntil: 'networkidle' });
    let assets = 0, html = 0, wasm = 0;
    const encodings = new Set();
    for (const req of seen) {
      const sizes = await req.sizes();
      const res = await req.response();
      const type = res?.headers()['content-type'] ?? '';
      const enc = res?.headers()['content-encoding'];
      if (enc) encodings.add(enc);
      if (type.startsWith('text/html')) html += sizes.responseBodySize;
      else if (/javascript|wasm|css/.test(type)) assets += sizes.responseBodySize;
      if (type.startsWith('application/wasm')) wasm += sizes.responseBodySize;
    }
    const css = await page.evaluate(() => [...document.querySelectorAll('style')].map((s) => s.textContent).join(''));
    const inlineCss = brotliCompressSync(Buffer.from(css), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    assets += inlineCss;
    rows.push({ path, assets, html, wasm, inlineCss, encodings: [...encodings].join(',') });
    await context.close();
  }
  mkdirSync(new URL('../test-results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('../test-results/budget.json', import.meta.url), JSON.stringify(rows, null, 2));
  for (const r of rows) {
    console.log(`first load ${r.path}: assets ${r.assets} B (${r.encodings}; CSS in the page ${r.inlineCss} B), html ${r.html} B`);
    assert.ok(r.wasm > 0, `${r.path} loaded no WASM: hydration is missing`);
    assert.ok(r.assets <= BUDGET, `${r.path}: ${r.assets} B > ${BUDGET} B`);
  }
});
