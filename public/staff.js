// The staff consoles' enhancements (/admin/…, /manage/…), kept out of what
// every citizen's phone loads (public/zhuomu.js, the first-load budget in
// docs/PERFORMANCE.md): the fulfilment console's scanner, the redaction tool,
// a tap on the map that places a new post, and drawing an area. Uses
// window.zhuomu from zhuomu.js, which every page loads first.
(function (g) {
  'use strict';
  var problemText = g.zhuomu.problemText;
  var say = g.zhuomu.say;

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
        g.zhuomu.upload(form, form.getAttribute('action'))
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

  document.addEventListener('DOMContentLoaded', function () {
    enhanceScan(document);
    enhanceRedaction(document);
    enhancePick(document);
    enhanceDraw(document);
  });
})(self);
