// A stand-in for the city's tile service (天地图 and the like) in the tests:
// any /{z}/{x}/{y}.svg is a 256 × 256 tile with a street grid and its own
// address written on it, so a screenshot shows where each tile landed.
// Prints its port; counts what it served at /count.
import { createServer } from 'node:http';

let served = 0;
const server = createServer((req, res) => {
  const m = req.url.match(/^\/(\d+)\/(\d+)\/(\d+)\.svg$/);
  if (req.url === '/count') {
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end(String(served));
    return;
  }
  if (!m) {
    res.writeHead(404).end();
    return;
  }
  served += 1;
  const [, z, x, y] = m;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">
<rect width="256" height="256" fill="#f4f1ea"/>
<path d="M0 64H256M0 192H256M64 0V256M192 0V256" stroke="#fff" stroke-width="10"/>
<path d="M0 128H256M128 0V256" stroke="#fbe3a8" stroke-width="14"/>
<rect x="0.5" y="0.5" width="255" height="255" fill="none" stroke="#d8d2c6"/>
<text x="8" y="20" font-size="12" fill="#9a9286">${z}/${x}/${y}</text></svg>`;
  res.writeHead(200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': 'max-age=3600' }).end(svg);
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(server.address().port));
