// Browser helpers the report form island calls through `window.zhuomu`:
// shrinking photos before upload (long side ≤ 1600 px, JPEG), the phone's
// location, and an outbox in IndexedDB so a report written offline is sent
// when the network returns. The service worker (sw.js) imports this file too.
(function (g) {
  'use strict';
  var DB = 'zhuomu', STORE = 'outbox', LONG_SIDE = 1600;

  function open() {
    return new Promise(function (resolve, reject) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: 'id', autoIncrement: true }); };
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  function tx(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), result;
        Promise.resolve(work(t.objectStore(STORE))).then(function (r) { result = r; });
        t.oncomplete = function () { resolve(result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function request(r) {
    return new Promise(function (resolve, reject) {
      r.onsuccess = function () { resolve(r.result); };
      r.onerror = function () { reject(r.error); };
    });
  }
  var outbox = {
    add: function (item) { return tx('readwrite', function (s) { return request(s.add(item)); }); },
    all: function () { return tx('readonly', function (s) { return request(s.getAll()); }); },
    remove: function (id) { return tx('readwrite', function (s) { return request(s.delete(id)); }); }
  };

  // A photo shrunk to LONG_SIDE on its long side and re-encoded as JPEG, the
  // right way up. Anything the browser cannot decode goes as it is: the server
  // decides what it accepts.
  function shrink(file) {
    if (typeof createImageBitmap !== 'function' || !/^image\//.test(file.type)) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: 'from-image' }).then(function (bmp) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bmp.width, bmp.height));
      if (scale === 1 && file.size < 1500000) { bmp.close(); return file; }
      var c = document.createElement('canvas');
      c.width = Math.round(bmp.width * scale);
      c.height = Math.round(bmp.height * scale);
      c.getContext('2d').drawImage(bmp, 0, 0, c.width, c.height);
      bmp.close();
      return new Promise(function (resolve) { c.toBlob(resolve, 'image/jpeg', 0.85); }).then(function (blob) {
        return blob ? new File([blob], 'photo.jpg', { type: 'image/jpeg' }) : file;
      });
    }).catch(function () { return file; });
  }

  // The phone's own id for a report, so a retry never files it twice.
  function newRef() {
    if (g.crypto && g.crypto.randomUUID) return g.crypto.randomUUID();
    return 'r' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 12);
  }

  function entries(form) {
    var list = [];
    new FormData(form).forEach(function (v, k) { list.push([k, v]); });
    if (!list.some(function (e) { return e[0] === 'client_ref'; })) list.push(['client_ref', newRef()]);
    return Promise.all(list.map(function (e) {
      var v = e[1];
      if (typeof File !== 'undefined' && v instanceof File) {
        return v.size ? shrink(v).then(function (f) { return [e[0], f]; }) : null;
      }
      return e;
    })).then(function (all) { return all.filter(Boolean); });
  }

  function post(url, list) {
    var fd = new FormData();
    list.forEach(function (e) { fd.append(e[0], e[1]); });
    return fetch(url, { method: 'POST', body: fd, credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.text().then(function (t) { return { status: r.status, body: t }; }); });
  }

  function queue(url, list) {
    return outbox.add({ url: url, entries: list, at: Date.now() }).then(function () {
      if (g.navigator && g.navigator.serviceWorker && g.navigator.serviceWorker.ready) {
        g.navigator.serviceWorker.ready.then(function (reg) {
          if (reg.sync) reg.sync.register('zhuomu-outbox').catch(function () {});
        });
      }
      return { status: 0, body: '' };
    });
  }

  g.zhuomu = {
    // Sends a form (multipart) to url; offline, keeps it in the outbox and
    // answers status 0.
    send: function (form, url) {
      return entries(form).then(function (list) {
        if (g.navigator && g.navigator.onLine === false) return queue(url, list);
        return post(url, list).catch(function () { return queue(url, list); });
      });
    },
    // Sends what waits in the outbox, one flusher at a time (pages and the
    // service worker share a lock; the server also files a client_ref once).
    // A report the server refuses for good (4xx other than 401) is kept,
    // marked failed, and shown on the 随手拍 page; the rest waits.
    flush: function () {
      function run() {
        return outbox.all().then(function (items) {
          return items.filter(function (i) { return !i.failed; }).reduce(function (p, item) {
            return p.then(function () {
              return post(item.url, item.entries).then(function (r) {
                if (r.status >= 200 && r.status < 300) return outbox.remove(item.id);
                if (r.status >= 400 && r.status < 500 && r.status !== 401) {
                  item.failed = problemText(r);
                  return tx('readwrite', function (s) { return request(s.put(item)); });
                }
              });
            });
          }, Promise.resolve());
        }).catch(function () {});
      }
      if (g.navigator && g.navigator.locks) return g.navigator.locks.request('zhuomu-outbox', run);
      return run();
    },
    failed: function () {
      return outbox.all().then(function (i) { return i.filter(function (x) { return x.failed; }); })
        .catch(function () { return []; });
    },
    // GET a JSON document: {status, body}.
    get: function (url) {
      return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(function (r) { return r.text().then(function (t) { return { status: r.status, body: t }; }); })
        .catch(function () { return { status: 0, body: '' }; });
    },
    // POST a JSON text: {status, body}.
    postJson: function (url, json) {
      return fetch(url, { method: 'POST', body: json, credentials: 'same-origin',
        headers: { Accept: 'application/json', 'Content-Type': 'application/json' } })
        .then(function (r) { return r.text().then(function (t) { return { status: r.status, body: t }; }); })
        .catch(function () { return { status: 0, body: '' }; });
    },
    pending: function () {
      return outbox.all().then(function (i) { return i.filter(function (x) { return !x.failed; }).length; })
        .catch(function () { return 0; });
    },
    // [lat, lon]; rejects with the GeolocationPositionError code (1 refused,
    // 2 unavailable, 3 timeout).
    // `fresh`: no cached position (check-in must be where the phone is now).
    locate: function (fresh) {
      return new Promise(function (resolve, reject) {
        if (!g.navigator || !g.navigator.geolocation) { reject(2); return; }
        g.navigator.geolocation.getCurrentPosition(
          function (p) { hereDot(p.coords.latitude, p.coords.longitude); resolve([p.coords.latitude, p.coords.longitude]); },
          function (e) { reject(e.code); },
          { enableHighAccuracy: true, timeout: 15000, maximumAge: fresh ? 0 : 60000 });
      });
    }
  };

  // Staff consoles: forms that upload photos ([data-upload]) and the
  // redaction tool ([data-redact]) are plain markup made interactive here,
  // which keeps them out of the WASM every citizen downloads.
  function problemText(r) {
    try {
      var p = JSON.parse(r.body);
      var parts = [p.detail].concat((p.errors || []).map(function (e) { return e.message; }));
      return parts.filter(Boolean).join('：');
    } catch (e) { return r.status === 413 ? '照片太大了，请换一张' : '提交失败，请稍后再试'; }
  }
  function say(root, text) {
    var out = root.querySelector('[role=alert]');
    if (out) out.textContent = text;
  }
  // For public/staff.js (the consoles' own enhancements).
  g.zhuomu.problemText = problemText;
  g.zhuomu.say = say;
  // A form's fields, photos shrunk, posted now (no outbox): {status, body}.
  g.zhuomu.upload = function (form, url) {
    return entries(form).then(function (list) { return post(url, list); });
  };
  // 我也看到 on the report form's duplicate hint (inside the form, so a
  // button of its own, not a nested form): the island leaves a
  // <span data-seen="id"> per hint, made a button here (which keeps it out
  // of the WASM every citizen downloads); one POST, then the button says how
  // it went (role=status reads it out).
  function enhanceSeen(doc) {
    if (!doc.querySelector('[data-test-id="report-form"]')) return;
    new MutationObserver(function () {
      doc.querySelectorAll('span[data-seen]:empty').forEach(function (s) {
        var b = doc.createElement('button');
        b.type = 'button';
        b.className = 'btn small';
        b.setAttribute('data-seen', s.getAttribute('data-seen'));
        b.textContent = '我也看到';
        s.appendChild(b);
      });
    }).observe(doc.body, { childList: true, subtree: true });
    doc.addEventListener('click', function (ev) {
      var b = ev.target && ev.target.closest && ev.target.closest('button[data-seen]');
      if (!b || b.disabled) return;
      b.disabled = true;
      b.setAttribute('role', 'status');
      g.zhuomu.postJson('/api/v1/reports/' + b.getAttribute('data-seen') + '/seen', '{}').then(function (r) {
        b.textContent = r.status === 201 ? '已记下您也看到了' : problemText(r);
        b.disabled = r.status !== 0;
      });
    });
  }
  // 获取验证码 (register, code login, reset): with script only the number
  // goes (to the JSON API), what was typed stays, and the button counts down
  // from 60; without script the button posts the whole form to the server
  // function and the page comes back with the number.
  function enhanceCodeButtons(doc) {
    doc.addEventListener('click', function (ev) {
      var b = ev.target && ev.target.closest && ev.target.closest('button[data-code]');
      if (!b || !b.form) return;
      ev.preventDefault();
      if (b.disabled) return;
      var form = b.form;
      var note = form.querySelector('[data-test-id="code-sent"]');
      var phone = form.elements.phone ? form.elements.phone.value : '';
      b.disabled = true;
      g.zhuomu.postJson('/api/v1/auth/sms-code', JSON.stringify({ phone: phone, purpose: b.getAttribute('data-code') }))
        .then(function (r) {
          if (r.status === 202) {
            var digits = phone.replace(/\D/g, '').slice(-11);
            if (note) note.textContent = '验证码已发送至' + digits.slice(0, 3) + '****' + digits.slice(7) + '，5分钟内有效';
            var left = 60;
            var label = b.textContent;
            var tick = function () {
              if (left <= 0) { b.disabled = false; b.textContent = label; return; }
              b.textContent = left + '秒后重发';
              left -= 1;
              setTimeout(tick, 1000);
            };
            tick();
            var code = form.elements.sms_code;
            if (code) code.focus();
            // The number in the address too: a plain post refused later
            // comes back to this address, and the page fills it in again.
            try {
              var u = new URL(location.href);
              u.searchParams.set('phone', digits);
              u.searchParams.set('sent', b.getAttribute('data-code'));
              history.replaceState(null, '', u);
            } catch (e) { /* an old browser keeps the plain address */ }
          } else {
            b.disabled = false;
            if (note) note.textContent = r.status === 0 ? '网络连接失败，请检查网络后重试' : problemText(r);
          }
        });
    });
  }
  function enhanceUploads(doc) {
    doc.querySelectorAll('form[data-upload]').forEach(function (form) {
      form.querySelectorAll('input[type=file]').forEach(function (input) {
        input.addEventListener('change', function () {
          var label = input.closest('label');
          if (label && label.firstChild) label.firstChild.textContent = '已选' + input.files.length + '张照片';
        });
      });
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var button = form.querySelector('[type=submit]');
        if (button) button.disabled = true;
        g.zhuomu.send(form, form.getAttribute('data-upload')).then(function (r) {
          if (r.status >= 200 && r.status < 300) {
            var next = form.getAttribute('data-next');
            if (next) location.href = next; else location.reload();
            return;
          }
          say(form, r.status === 0 ? '网络不通：已保存在手机上，联网后会自动提交。' : problemText(r));
          if (button) button.disabled = false;
        });
      });
    });
  }
  // 好人 campaigns: a countdown that ticks ([data-countdown] holds the
  // deadline in ms since the epoch; the server wrote the first text), and a
  // share button where the phone can share ([data-share]).
  function timeLeft(ms) {
    var m = Math.max(0, Math.floor(ms / 60000)), d = Math.floor(m / 1440), h = Math.floor(m / 60) % 24;
    if (d) return d + '天' + h + '小时';
    if (h) return h + '小时' + (m % 60) + '分';
    return m ? m + '分钟' : '不到1分钟';
  }
  function enhanceCampaigns(doc) {
    var clocks = doc.querySelectorAll('[data-countdown]');
    if (clocks.length) {
      var tick = function () {
        clocks.forEach(function (c) {
          var left = +c.getAttribute('data-countdown') - Date.now();
          // The deadline passed: the page's phase and buttons change.
          if (left <= 0) { location.reload(); return; }
          c.textContent = timeLeft(left);
        });
      };
      setInterval(tick, 30000);
    }
    doc.querySelectorAll('[data-print]').forEach(function (b) {
      b.hidden = false;
      b.addEventListener('click', function () { g.print(); });
    });
    doc.querySelectorAll('[data-share]').forEach(function (b) {
      var url = b.getAttribute('data-share');
      b.hidden = false;
      b.addEventListener('click', function () {
        if (navigator.share) {
          navigator.share({ title: b.getAttribute('data-share-title') || document.title, url: url }).catch(function () {});
        } else if (navigator.clipboard) {
          navigator.clipboard.writeText(url).then(function () { b.textContent = '链接已复制'; });
        } else {
          var field = b.parentNode.querySelector('input');
          if (field) { field.focus(); field.select(); }
          b.textContent = '请长按链接复制';
        }
      });
    });
  }
  // Forms that send the phone's position (check-in, check-out) as JSON.
  function enhanceGeoForms(doc) {
    doc.querySelectorAll('form[data-geo-post]').forEach(function (form) {
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        var button = form.querySelector('[type=submit]');
        if (button) button.disabled = true;
        say(form, '正在定位…');
        g.zhuomu.locate(true).then(function (p) {
          return g.zhuomu.postJson(form.getAttribute('data-geo-post'), JSON.stringify({ lat: p[0], lon: p[1] }));
        }, function (code) {
          var verb = form.getAttribute('data-verb') || '签到';
          return { status: -1, body: code === 1 ? '请允许浏览器使用定位，才能' + verb : '无法获取位置，请到开阔处重试' };
        }).then(function (r) {
          if (r.status === 200) {
            // A check-out says what this shift earned before the page moves on.
            var done = null;
            try { done = JSON.parse(r.body); } catch (e) { /* a check-in */ }
            if (done && typeof done.credited_minutes === 'number') {
              say(form, '已签退：本次计入' + done.credited_minutes + '分钟，共获得' + done.points + '积分');
              setTimeout(function () { location.reload(); }, 2500);
            } else {
              location.reload();
            }
            return;
          }
          say(form, r.status === -1 ? r.body : problemText(r));
          if (button) button.disabled = false;
        });
      });
    });
  }

  // "Nearest first" on the 志愿 tab: the phone's position goes into the
  // form's `near` field and the server sorts the posts by distance.
  function enhanceNear(doc) {
    doc.querySelectorAll('form[data-near]').forEach(function (form) {
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        say(form, '正在定位…');
        g.zhuomu.locate(false).then(function (p) {
          form.elements.near.value = p[0].toFixed(5) + ',' + p[1].toFixed(5);
          form.submit();
        }, function (code) {
          say(form, code === 1 ? '请允许浏览器使用定位，才能按距离排序' : '无法获取位置，请稍后再试');
        });
      });
    });
  }

  // 随手拍's pin map (svg.pick, drawn by the report form island, with its
  // view in data-view): the pin is dragged, the phone's own position shows
  // as a blue dot ("you are here"), and a place chosen from the list
  // ([data-place-list], values "lat_e6,lon_e6") moves the pin there. Each
  // ends in a click at the new spot, which the island turns into the pin's
  // position: one rule for taps, drags and the list.
  function pickMaps() {
    return Array.prototype.filter.call(document.querySelectorAll('svg.pick[data-view]'), function (svg) {
      return svg.getAttribute('data-view').split(' ').length === 6;
    });
  }
  function project(svg, lat, lon) {
    var v = svg.getAttribute('data-view').split(' ').map(Number);
    return [(lon - v[0]) / (v[2] - v[0]) * v[4], (v[3] - lat) / (v[3] - v[1]) * v[5]];
  }
  function tap(svg, x, y) {
    svg.dispatchEvent(new MouseEvent('click', { clientX: x, clientY: y, bubbles: true }));
  }
  function hereDot(lat, lon) {
    if (typeof document === 'undefined') return;
    pickMaps().forEach(function (svg) {
      var xy = project(svg, lat, lon);
      var dot = svg.querySelector('.here');
      if (!dot) {
        dot = document.createElementNS('http://www.w3.org/2000/svg', 'circle');
        dot.setAttribute('class', 'here');
        dot.setAttribute('r', '6');
        svg.insertBefore(dot, svg.querySelector('.pin.mine'));
      }
      dot.setAttribute('cx', xy[0]);
      dot.setAttribute('cy', xy[1]);
    });
  }
  function enhancePin(doc) {
    pickMaps().forEach(function (svg) {
      var dragging = false;
      svg.addEventListener('pointerdown', function (ev) {
        if (!ev.target.classList || !ev.target.classList.contains('mine')) return;
        dragging = true;
        svg.setPointerCapture(ev.pointerId);
      });
      svg.addEventListener('pointermove', function (ev) { if (dragging) tap(svg, ev.clientX, ev.clientY); });
      ['pointerup', 'pointercancel'].forEach(function (n) { svg.addEventListener(n, function () { dragging = false; }); });
      // What the pin falls in and who would fix it, asked whenever the
      // island moves the pin (its cx) or the category changes.
      var pin = svg.querySelector('.pin.mine');
      var form = svg.closest('form');
      var label = doc.querySelector('[data-place-label]');
      var asked = '';
      var ask = function () {
        var lat = form.elements.lat.value, lon = form.elements.lon.value;
        var cat = form.elements.category_id ? form.elements.category_id.value : '';
        var q = 'lat=' + lat + '&lon=' + lon + (cat ? '&category_id=' + cat : '');
        if (!lat || !lon || q === asked) return;
        asked = q;
        g.zhuomu.get('/api/v1/areas/at?' + q).then(function (r) {
          if (asked !== q || !label) return;
          try { label.textContent = JSON.parse(r.body).label || ''; } catch (e) { label.textContent = ''; }
        });
      };
      if (pin && form && label) {
        // After the island's other updates of the same change (the fields).
        new MutationObserver(function () { setTimeout(ask, 0); }).observe(pin, { attributes: true, attributeFilter: ['cx', 'cy'] });
        if (form.elements.category_id) form.elements.category_id.addEventListener('change', ask);
      }
      var list = doc.querySelector('[data-place-list]');
      if (list) list.addEventListener('change', function () {
        var at = list.value.split(',').map(Number);
        if (at.length !== 2 || !at[0]) return;
        var xy = project(svg, at[0] / 1e6, at[1] / 1e6);
        var pt = svg.createSVGPoint();
        pt.x = xy[0]; pt.y = xy[1];
        var s = pt.matrixTransform(svg.getScreenCTM());
        tap(svg, s.x, s.y);
      });
    });
  }

  // The 随手拍 page says what still waits on this phone, and what failed.
  function showOutbox(doc) {
    var note = doc.querySelector('[data-outbox-note]');
    if (!note) return;
    Promise.all([g.zhuomu.pending(), g.zhuomu.failed()]).then(function (r) {
      var lines = [];
      if (r[0]) lines.push(r[0] + '条报告保存在手机上，联网后会自动发送。');
      r[1].forEach(function (f) { lines.push('有一条离线报告未能发送：' + f.failed); });
      note.textContent = lines.join(' ');
    });
  }

  if (typeof window !== 'undefined') {
    document.addEventListener('DOMContentLoaded', function () {
      enhanceUploads(document);
      enhanceCodeButtons(document);
      enhanceSeen(document);
      enhanceCampaigns(document);
      enhanceGeoForms(document);
      enhanceNear(document);
      enhancePin(document);
      showOutbox(document);
    });
    window.addEventListener('online', function () { g.zhuomu.flush(); });
    window.addEventListener('load', function () {
      if (navigator.onLine !== false) g.zhuomu.flush();
      if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(function () {});
    });
  }
})(self);
