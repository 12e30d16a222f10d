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
          function (p) { resolve([p.coords.latitude, p.coords.longitude]); },
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
  // The fulfilment console's scan form: a photo is sent as soon as it is
  // taken; where the browser reads barcodes itself (BarcodeDetector), a live
  // camera finds the code without a photo.
  function enhanceScan(doc) {
    doc.querySelectorAll('form[data-scan]').forEach(function (form) {
      var input = form.querySelector('input[type=file]');
      // The photo is shrunk first (a camera's 5 MB become ~300 KB on mobile
      // data); the console then opens on the code that was read.
      input.addEventListener('change', function () {
        if (!input.files.length) return;
        say(form, '正在识别…');
        entries(form).then(function (list) { return post(form.getAttribute('action'), list); })
          .then(function (r) {
            if (r.status === 200) {
              location.href = '/manage/fulfil?code=' + encodeURIComponent(JSON.parse(r.body).code);
            } else {
              say(form, r.status === 0 ? '网络不通，请稍后再试或手动输入。' : problemText(r));
            }
          }, function () { say(form, '网络不通，请稍后再试或手动输入。'); });
      });
      if (!('BarcodeDetector' in g) || !navigator.mediaDevices) return;
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'btn block';
      button.textContent = '打开摄像头扫码';
      button.setAttribute('data-test-id', 'scan-live');
      form.insertBefore(button, form.querySelector('[role=alert]'));
      button.addEventListener('click', function () {
        var detector = new g.BarcodeDetector({ formats: ['qr_code'] });
        var video = document.createElement('video');
        video.setAttribute('playsinline', '');
        video.muted = true;
        video.className = 'scan-video';
        navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } }).then(function (stream) {
          video.srcObject = stream;
          form.insertBefore(video, button);
          button.hidden = true;
          return video.play().then(function () {
            (function look() {
              detector.detect(video).then(function (found) {
                if (!found.length) { setTimeout(look, 250); return; }
                stream.getTracks().forEach(function (t) { t.stop(); });
                location.href = '/manage/fulfil?code=' + encodeURIComponent(found[0].rawValue);
              }, function () { setTimeout(look, 500); });
            })();
          });
        }).catch(function () { say(form, '无法打开摄像头，请改用拍照或手动输入。'); });
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
  function enhanceRedaction(doc) {
    doc.querySelectorAll('[data-redact]').forEach(function (tool) {
      var area = tool.querySelector('.redact-area'), box = null, start = null, rect = null;
      function at(ev) {
        var b = area.getBoundingClientRect();
        return [Math.min(1, Math.max(0, (ev.clientX - b.left) / b.width)), Math.min(1, Math.max(0, (ev.clientY - b.top) / b.height))];
      }
      area.addEventListener('pointerdown', function (ev) {
        ev.preventDefault();
        start = at(ev);
        if (!box) { box = document.createElement('div'); box.className = 'redact-box'; area.appendChild(box); }
        area.setPointerCapture(ev.pointerId);
      });
      area.addEventListener('pointermove', function (ev) {
        if (!start) return;
        var p = at(ev);
        rect = { x: Math.min(start[0], p[0]), y: Math.min(start[1], p[1]), w: Math.abs(p[0] - start[0]), h: Math.abs(p[1] - start[1]) };
        box.style.cssText = 'left:' + rect.x * 100 + '%;top:' + rect.y * 100 + '%;width:' + rect.w * 100 + '%;height:' + rect.h * 100 + '%';
      });
      area.addEventListener('pointerup', function () { start = null; });
      tool.querySelector('button').addEventListener('click', function () {
        if (!rect || rect.w < 0.01 || rect.h < 0.01) { say(tool, '请先在照片上拖出要遮挡的区域'); return; }
        g.zhuomu.postJson(tool.getAttribute('data-redact'), JSON.stringify(rect)).then(function (r) {
          if (r.status === 200) location.reload(); else say(tool, problemText(r));
        });
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

  // Admin: a tap on the map ([data-pick]) places a new post; its position
  // goes into the lat/lon fields of the form the attribute names.
  function enhancePick(doc) {
    doc.querySelectorAll('svg[data-pick]').forEach(function (svg) {
      var form = doc.getElementById(svg.getAttribute('data-pick'));
      var v = svg.getAttribute('data-view').split(' ').map(Number);
      var pin = svg.querySelector('.pick');
      if (!form || v.length !== 6) return;
      svg.addEventListener('click', function (ev) {
        var pt = svg.createSVGPoint();
        pt.x = ev.clientX; pt.y = ev.clientY;
        var p = pt.matrixTransform(svg.getScreenCTM().inverse());
        form.elements.lon.value = (v[0] + p.x / v[4] * (v[2] - v[0])).toFixed(6);
        form.elements.lat.value = (v[3] - p.y / v[5] * (v[3] - v[1])).toFixed(6);
        if (pin) { pin.setAttribute('cx', p.x); pin.setAttribute('cy', p.y); }
      });
    });
  }

  // 城市与区域: taps on the map draw a new area's outline (a grid's polygon)
  // or a segment's course (a line), and fill the form's GeoJSON field with
  // it, [lon, lat] as GeoJSON wants. The same linear view as enhancePick.
  function enhanceDraw(doc) {
    doc.querySelectorAll('svg[data-draw]').forEach(function (svg) {
      var form = doc.getElementById(svg.getAttribute('data-draw'));
      var v = svg.getAttribute('data-view').split(' ').map(Number);
      if (!form || v.length !== 6) return;
      var tools = doc.querySelector('[data-draw-tools="' + form.id + '"]');
      var ns = 'http://www.w3.org/2000/svg';
      var layer = doc.createElementNS(ns, 'g');
      svg.appendChild(layer);
      var pts = [];
      var round = function (n) { return Math.round(n * 1e6) / 1e6; };
      function line() { return form.elements.kind.value === 'segment'; }
      function draw() {
        while (layer.firstChild) layer.removeChild(layer.firstChild);
        var xy = pts.map(function (p) { return p.x + ',' + p.y; }).join(' ');
        if (pts.length > 1) {
          var shape = doc.createElementNS(ns, line() ? 'polyline' : 'polygon');
          shape.setAttribute('points', xy);
          shape.setAttribute('class', 'draw-line' + (line() ? ' open' : ''));
          layer.appendChild(shape);
        }
        pts.forEach(function (p) {
          var c = doc.createElementNS(ns, 'circle');
          c.setAttribute('cx', p.x); c.setAttribute('cy', p.y); c.setAttribute('r', 6);
          c.setAttribute('class', 'draw-dot');
          layer.appendChild(c);
        });
        var coords = pts.map(function (p) { return [p.lon, p.lat]; });
        var field = form.elements.geojson;
        if (line() && coords.length >= 2) {
          field.value = JSON.stringify({ type: 'LineString', coordinates: coords });
          if (!form.elements.buffer_m.value) form.elements.buffer_m.value = '30';
        } else if (!line() && coords.length >= 3) {
          field.value = JSON.stringify({ type: 'Polygon', coordinates: [coords.concat([coords[0]])] });
        } else if (pts.length) {
          field.value = '';
        }
        var count = tools && tools.querySelector('[data-draw-count]');
        if (count) {
          var need = line() ? 2 : 3;
          count.textContent = pts.length ? '已画' + pts.length + '个点' +
            (pts.length < need ? '，至少还要' + (need - pts.length) + '个' : '') : '还没有画点';
        }
      }
      svg.addEventListener('click', function (ev) {
        var pt = svg.createSVGPoint();
        pt.x = ev.clientX; pt.y = ev.clientY;
        var p = pt.matrixTransform(svg.getScreenCTM().inverse());
        pts.push({
          x: p.x, y: p.y,
          lon: round(v[0] + p.x / v[4] * (v[2] - v[0])),
          lat: round(v[3] - p.y / v[5] * (v[3] - v[1])),
        });
        draw();
      });
      form.elements.kind.addEventListener('change', draw);
      if (tools) {
        tools.hidden = false;
        tools.querySelector('[data-draw-undo]').addEventListener('click', function () { pts.pop(); draw(); });
        tools.querySelector('[data-draw-clear]').addEventListener('click', function () {
          pts = []; form.elements.geojson.value = ''; draw();
        });
      }
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
      enhanceRedaction(document);
      enhanceScan(document);
      enhanceCampaigns(document);
      enhanceGeoForms(document);
      enhanceNear(document);
      enhancePick(document);
      enhanceDraw(document);
      showOutbox(document);
    });
    window.addEventListener('online', function () { g.zhuomu.flush(); });
    window.addEventListener('load', function () {
      if (navigator.onLine !== false) g.zhuomu.flush();
      if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js').catch(function () {});
    });
  }
})(self);
