// Service worker: pages and assets are fetched from the network first and
// kept, so the 随手拍 form opens without a network; reports written offline
// wait in the outbox (zhuomu.js) and are sent on `sync` or when a page
// comes back online.
importScripts('/zhuomu.js');
var CACHE = 'zhuomu-v2';
var SHELL = ['/report', '/pkg/zhuomu.css', '/zhuomu.js', '/favicon.svg', '/icon-192.png', '/manifest.webmanifest'];

self.addEventListener('install', function (e) {
  e.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).catch(function () {}));
  self.skipWaiting();
});
self.addEventListener('activate', function (e) {
  e.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});
// Only the shell is kept: the bundle, the stylesheet, the icons and the
// 随手拍 page (which holds no one's data), so a report can be written with no
// network. Other pages carry who is signed in and are never stored.
function cacheable(url, req) {
  if (req.mode === 'navigate') return url.pathname === '/report';
  return url.pathname.indexOf('/pkg/') === 0 || SHELL.indexOf(url.pathname) >= 0;
}
self.addEventListener('fetch', function (e) {
  var req = e.request, url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!cacheable(url, req)) {
    if (req.mode === 'navigate') {
      // Offline, any page falls back to the 随手拍 form. Tried twice: right
      // after the network returns the first fetch may still fail.
      e.respondWith(fetch(req).catch(function () { return fetch(req); }).catch(function () {
        return caches.match('/report').then(function (hit) { return hit || Response.error(); });
      }));
    }
    return;
  }
  e.respondWith(fetch(req).then(function (res) {
    if (res.ok && res.type === 'basic') {
      var copy = res.clone();
      caches.open(CACHE).then(function (c) { c.put(req, copy); });
    }
    return res;
  }).catch(function () {
    return caches.match(req).then(function (hit) { return hit || Response.error(); });
  }));
});
self.addEventListener('sync', function (e) {
  if (e.tag === 'zhuomu-outbox') e.waitUntil(self.zhuomu.flush());
});
