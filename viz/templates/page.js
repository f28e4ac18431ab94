/* jjjkg page behaviour: base map, names, search, filters, highlight, the sector × province matrix, fit, PNG export.
 *
 * Data arrives as JSON in <script id="jjjkg-data">. Every string from the data is put into the
 * page with textContent (or as a vis-network title string, which vis shows with innerText), or
 * drawn on a canvas, never as markup. Positions are computed before the page is written, so the
 * network is drawn at once and physics never runs. window.jjjkg exposes the network and a few
 * actions for tests and power users.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("jjjkg-data").textContent);
  var api = (window.jjjkg = { data: data, ready: false, stable: false });
  var FACE = (data.options.nodes && data.options.nodes.font && data.options.nodes.font.face) ||
    "'Noto Sans CJK SC','Microsoft YaHei','PingFang SC',sans-serif";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function bi(zh, en) {
    var s = el("span", "bi");
    s.appendChild(document.createTextNode(String(zh) + " "));
    if (en) s.appendChild(el("small", "en", en));
    return s;
  }

  // ------------------------------------------------------------------ header, message, source, notice
  if (data.message) {
    var msg = document.getElementById("message");
    msg.appendChild(el("span", "zh", data.message.zh));
    msg.appendChild(el("small", "en", data.message.en));
    msg.hidden = false;
  }
  document.getElementById("data-source").textContent = data.dataSource || "—";
  var noticeText = [];
  if (data.notice) noticeText.push(data.notice.zh);
  if (data.basemap) noticeText.push("边界 boundaries：" + data.basemap.sourceZh);
  if (noticeText.length) {
    var notice = document.getElementById("notice");
    notice.textContent = noticeText.join(" ");
    notice.hidden = false;
  }
  var status = document.getElementById("status");
  function markStable() {
    if (api.stable) return;
    api.stable = true;
    api.stableAt = performance.now();  // ms since navigation started (the benchmark reads it)
    status.hidden = true;
    document.body.setAttribute("data-stable", "1");
  }

  // ------------------------------------------------------------------ legend (every page)
  var groupNames = { type: ["机构类型", "organization type"], province: ["省份（形状）", "province (shape)"],
                     relation: ["关系", "relation"], overlay: ["标注", "overlays"],
                     position: ["位置精度", "position"], gapcolor: ["格子颜色：缺口", "cell colour: gaps"] };
  var legend = document.getElementById("legend");
  var groups = {};
  (data.legend || []).forEach(function (item) {
    if (!groups[item.group]) {
      groups[item.group] = el("div", "group");
      var h = el("div", "group-title");
      h.appendChild(bi(groupNames[item.group][0], groupNames[item.group][1]));
      groups[item.group].appendChild(h);
      legend.appendChild(groups[item.group]);
    }
    var row = el("div", "item");
    if (item.precision) row.setAttribute("data-precision", item.precision);
    if (item.count !== undefined) row.setAttribute("data-count", String(item.count));
    var sw = el("span", "sw sw-" + (item.kind === "shape" ? item.shape : item.kind));
    if (item.kind === "fill" || item.kind === "line" || item.kind === "bold" || item.kind === "cell") {
      sw.style.background = item.color;
    }
    row.appendChild(sw);
    row.appendChild(bi(item.zh, item.en));
    groups[item.group].appendChild(row);
  });

  // a large network is built in a task of its own, after the panel is drawn
  var view = { fit: function () {}, render: function (done) { done(document.createElement("canvas")); } };
  function startView() {
    view = data.matrix ? matrixView() : networkView();
    api.fit = view.fit;
  }
  if (!data.matrix && data.nodes.length > 800) setTimeout(startView, 0); else startView();

  // ------------------------------------------------------------------ fit and save as PNG (every page)
  document.getElementById("fit-view").addEventListener("click", function () { view.fit(); });

  function wrapText(ctx, text, maxW) {
    var lines = [], line = "";
    Array.from(String(text)).forEach(function (ch) {
      if (ctx.measureText(line + ch).width > maxW && line) { lines.push(line); line = ch; } else line += ch;
    });
    if (line) lines.push(line);
    return lines;
  }
  function drawLegend(ctx, x, y, w) {
    (data.legend || []).forEach(function (item, i) {
      var prev = data.legend[i - 1];
      if (!prev || prev.group !== item.group) {
        y += 10;
        ctx.fillStyle = "#222";
        ctx.font = "bold 15px " + FACE;
        ctx.fillText(groupNames[item.group][0] + " " + groupNames[item.group][1], x, y + 14);
        y += 24;
      }
      ctx.save();
      if (item.kind === "line" || item.kind === "bold") {
        ctx.fillStyle = item.color;
        ctx.fillRect(x, y + 7, 18, item.kind === "bold" ? 6 : 3);
      } else if (item.kind === "fill" || item.kind === "cell") {
        ctx.fillStyle = item.color;
        ctx.beginPath();
        if (item.kind === "fill") ctx.arc(x + 8, y + 9, 7, 0, 7); else ctx.rect(x, y + 2, 16, 14);
        ctx.fill();
        ctx.strokeStyle = "#333";
        ctx.stroke();
      } else {
        ctx.strokeStyle = item.kind === "gap" ? "red" : "#666";
        ctx.fillStyle = "#999";
        ctx.setLineDash(item.kind === "gap" || item.kind === "approx" ? [3, 2] : []);
        ctx.beginPath();
        if (item.shape === "square") ctx.rect(x + 1, y + 2, 14, 14);
        else if (item.shape === "diamond") { ctx.moveTo(x + 8, y); ctx.lineTo(x + 16, y + 9); ctx.lineTo(x + 8, y + 18); ctx.lineTo(x, y + 9); ctx.closePath(); }
        else if (item.shape === "triangle") { ctx.moveTo(x + 8, y + 1); ctx.lineTo(x + 16, y + 16); ctx.lineTo(x, y + 16); ctx.closePath(); }
        else ctx.arc(x + 8, y + 9, 7, 0, 7);
        if (item.kind === "shape") ctx.fill();
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      ctx.restore();
      ctx.fillStyle = "#222";
      ctx.font = "14px " + FACE;
      var lines = wrapText(ctx, item.zh + "  " + (item.en || ""), w - 28);
      lines.forEach(function (ln, j) { ctx.fillText(ln, x + 26, y + 14 + j * 18); });
      y += Math.max(22, lines.length * 18 + 4);
    });
    return y;
  }
  // the names the drawing had no room for, as the side panel lists them, as many as fit
  function drawLeftOut(ctx, names, x, y, w, bottom) {
    ctx.fillStyle = "#222";
    ctx.font = "bold 15px " + FACE;
    ctx.fillText("未标注名称 names not drawn (" + names.length + ")", x, y + 14);
    y += 34;
    ctx.font = "13px " + FACE;
    for (var i = 0; i < names.length; i++) {
      if (y + 18 > bottom - 18 && i < names.length - 1) {
        ctx.fillStyle = "#666";
        ctx.fillText("… 另 " + (names.length - i) + " 个 more", x, y);
        return;
      }
      ctx.fillText(wrapText(ctx, names[i], w)[0], x, y);
      y += 18;
    }
  }
  // a served page names who saved it and when (data-watermark): burned into the PNG, light and tiled
  function burnMark(ctx, w, h, text) {
    ctx.save();
    ctx.font = "16px " + FACE;
    ctx.fillStyle = "rgba(31,41,55,0.10)";
    ctx.textBaseline = "middle";
    var step = Math.max(ctx.measureText(text).width + 120, 320), rowH = 170;
    ctx.translate(w / 2, h / 2);
    ctx.rotate(-24 * Math.PI / 180);
    var R = Math.sqrt(w * w + h * h) / 2 + step;
    for (var y = -R, row = 0; y <= R; y += rowH, row++) {
      for (var x = -R + (row % 2) * step / 2; x <= R; x += step) ctx.fillText(text, x, y);
    }
    ctx.restore();
  }
  // the whole view (not just what the window shows), with title, data date, source and legend
  function composePNG(done) {
    view.render(function (img, left) {
      var pad = 24, legendW = 360;
      var out = document.createElement("canvas");
      out.width = img.width + legendW + 2 * pad;
      var ctx = out.getContext("2d");
      ctx.font = "16px " + FACE;
      var noteLines = noticeText.length ? wrapText(ctx, noticeText.join(" "), out.width - 2 * pad) : [];
      var headH = 96 + noteLines.length * 22 + 12;
      out.height = Math.max(img.height + headH + pad, 700);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, out.width, out.height);
      ctx.fillStyle = "#111";
      ctx.textBaseline = "alphabetic";
      ctx.font = "bold 30px " + FACE;
      ctx.fillText(data.title || "", pad, pad + 28);
      ctx.font = "16px " + FACE;
      ctx.fillStyle = "#555";
      ctx.fillText((data.subtitle || "") + "    数据截至 data as of " + (data.asOf || "—"), pad, pad + 56);
      ctx.fillText("来源 source: " + (data.dataSource || "—"), pad, pad + 78);
      ctx.fillStyle = "#8a5a00";
      noteLines.forEach(function (ln, i) { ctx.fillText(ln, pad, pad + 100 + i * 22); });
      ctx.drawImage(img, pad, headH);
      ctx.strokeStyle = "#ccc";
      ctx.strokeRect(pad, headH, img.width, img.height);
      var y = drawLegend(ctx, img.width + 2 * pad, headH, legendW - pad);
      if (left && left.length) drawLeftOut(ctx, left, img.width + 2 * pad, y + 16, legendW - pad, out.height - pad);
      var mark = document.body.getAttribute("data-watermark") || "";
      if (mark) burnMark(ctx, out.width, out.height, mark);
      api.lastPngMark = window.jjjkgLastPngMark = mark;
      out.toBlob(function (blob) { done(blob, out); }, "image/png");
    });
  }
  api.composePNG = function () {
    return new Promise(function (resolve) {
      composePNG(function (blob, out) { resolve({ width: out.width, height: out.height, size: blob.size, mark: api.lastPngMark }); });
    });
  };
  document.getElementById("save-png").addEventListener("click", function () {
    composePNG(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = (data.title || "jjjkg").replace(/[\\/:*?"<>|\s]+/g, "_") + ".png";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    });
  });

  api.ready = true;
  document.body.setAttribute("data-ready", "1");

  // ================================================================== the network (network, geo, chain)
  function networkView() {
    function titleOf(rows) {
      return rows.map(function (r) { return r[0] + " " + r[1] + "：" + r[2]; }).join("\n");
    }
    var big = data.nodes.length > 300;
    var EDGE_LIMIT = 1500;
    var original = {};  // id -> the styling a highlight may change
    var edgeOriginal = {};
    var styles = data.edgeStyles || {};
    data.nodes.forEach(function (n) {  // hover and highlight keep the fill, with a black border
      if (n.color && typeof n.color === "object" && !n.color.highlight) {
        var hl = { background: n.color.background, border: "#000000" };
        n.color = Object.assign({}, n.color, { highlight: hl, hover: hl });
      }
    });
    data.edges.forEach(function (e, i) {  // each edge carries only what differs from its relation's style
      var base = styles[e.rel];
      if (base) Object.keys(base).forEach(function (k) { if (!(k in e)) e[k] = base[k]; });
    });
    var nodeItems = data.nodes.map(function (n) {
      var item = Object.assign({}, n);
      item.title = titleOf(n.info || []);
      delete item.info;
      delete item.label;  // the page draws the names itself (see "labels" below)
      original[n.id] = { color: n.color };
      return item;
    });
    var edgeItems = data.edges.map(function (e) {
      var item = Object.assign({}, e);
      item.title = e.info || "";
      delete item.info;
      edgeOriginal[e.id] = { color: e.color };
      return item;
    });
    // With thousands of relations, vis-network's own edges cost seconds to build and a long task on
    // every redraw. There, vis-network holds only the relations being looked at (those on a complete
    // path, and the selected organization's, with arrows and tooltips); the page draws all the others
    // itself, as thin lines in one stroke per relation colour, beneath the nodes.
    var lean = data.view !== "chain" && edgeItems.length > EDGE_LIMIT;
    var lines = [];  // the relations the page draws: {from, to, color}
    var incidentOf = {};  // node id -> its relations' items (lean pages add them on selection)
    if (lean) {
      edgeItems.forEach(function (e) {
        (incidentOf[e.from] = incidentOf[e.from] || []).push(e);
        (incidentOf[e.to] = incidentOf[e.to] || []).push(e);
        var c = e.color;
        lines.push({ from: e.from, to: e.to, color: (c && typeof c === "object" ? c.color : c) || "#888888" });
      });
    }
    // A large page gives vis-network its nodes a few hundred per task, so that no task holds the page
    // for long: first the four outermost (the first view is already the whole graph's) and the nodes
    // that matter, then the rest, with a progress line.
    var CHUNK = 300;
    var queue = nodeItems;
    if (nodeItems.length > 2 * CHUNK) {
      var ext = {};
      ["x", "y"].forEach(function (k) {
        var lo = nodeItems[0], hi = nodeItems[0];
        nodeItems.forEach(function (n) { if (n[k] < lo[k]) lo = n; if (n[k] > hi[k]) hi = n; });
        ext[lo.id] = ext[hi.id] = true;
      });
      var rank = function (n) { return ext[n.id] ? 0 : (n.imp || n.path || n.gap) ? 1 : 2; };
      queue = nodeItems.map(function (n, i) { return [rank(n), i]; })
        .sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; })
        .map(function (r) { return nodeItems[r[1]]; });
    }
    var added = queue === nodeItems ? queue.length : CHUNK / 2;
    var nodes = new vis.DataSet(queue.slice(0, added));
    var edges = new vis.DataSet(lean ? edgeItems.filter(function (e) { return e.path; }) : edgeItems);
    var container = document.getElementById("net");
    var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
    api.network = network;
    // vis-network answers every data change with a full drawing in the same task (its physics, off,
    // asks for one): changes are made with that held, and drawn at the next frame, a task apart
    function quietly(change) {
      var physics = network.physics, ready = physics.ready;
      physics.ready = false;
      try { change(); } finally { physics.ready = ready; }
      network.body.emitter.emit("_requestRedraw");
    }
    api.nodes = nodes;
    api.edges = edges;

    // -------------------------------------------------------------- the base map (geo view)
    var bm = data.basemap, layers = null;
    var TINT = { "北京": "#e9f0fb", "天津": "#e8f6ec", "河北": "#faf6e6" };
    function ringsPath(rings) {
      var p = new Path2D();
      rings.forEach(function (r) {
        var x = r[0], y = r[1];
        p.moveTo(x, y);
        for (var i = 2; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; p.lineTo(x, y); }
        p.closePath();
      });
      return p;
    }
    if (bm) {
      layers = {};
      ["province", "city", "district"].forEach(function (lv) {
        layers[lv] = bm.layers[lv].map(function (r) { return { code: r.code, name: r.name, p: r.p, path: ringsPath(r.rings) }; });
      });
    }
    var hitCtx = document.createElement("canvas").getContext("2d");
    api.regionAt = function (domX, domY) {  // the regions under a point of the page's canvas
      if (!layers) return null;
      var c = network.DOMtoCanvas({ x: domX, y: domY }), out = {};
      ["province", "city", "district"].forEach(function (lv) {
        layers[lv].forEach(function (r) { if (hitCtx.isPointInPath(r.path, c.x, c.y)) out[lv] = r.code; });
      });
      return out;
    };
    api.basemapDrawn = 0;
    function drawBasemap(ctx) {
      var s = network.getScale();
      ctx.save();
      // 河北's outline encloses 北京 and 天津: fill it first
      layers.province.slice().sort(function (a, b) { return (b.p === "河北") - (a.p === "河北"); })
        .forEach(function (r) { ctx.fillStyle = TINT[r.p] || "#f4f4f4"; ctx.fill(r.path); });
      ctx.strokeStyle = "#c4c8cf";
      ctx.lineWidth = 0.8 / s;
      layers.district.forEach(function (r) { ctx.stroke(r.path); });
      ctx.strokeStyle = "#8a909a";
      ctx.lineWidth = 1.4 / s;
      layers.city.forEach(function (r) { ctx.stroke(r.path); });
      ctx.strokeStyle = "#4a505a";
      ctx.lineWidth = 2.4 / s;
      layers.province.forEach(function (r) { ctx.stroke(r.path); });
      // district names where they fit on screen and do not run into one another
      ctx.font = (11.5 / s) + "px " + FACE;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillStyle = "#6b7280";
      var boxes = [];
      bm.labels.forEach(function (l) {
        if (l.level !== "district") return;
        var w = ctx.measureText(l.zh).width * s;
        if (w > l.w * s * 0.95 || 14 > l.h * s * 0.9) return;
        var b = [l.x * s - w / 2 - 2, l.y * s - 8, l.x * s + w / 2 + 2, l.y * s + 8];
        if (boxes.some(function (o) { return b[0] < o[2] && o[0] < b[2] && b[1] < o[3] && o[1] < b[3]; })) return;
        boxes.push(b);
        ctx.fillText(l.zh, l.x, l.y);
      });
      ctx.restore();
      api.basemapDrawn += 1;
    }
    function drawCityNames(ctx) {
      var s = network.getScale();
      ctx.save();
      ctx.font = "bold " + (14 / s) + "px " + FACE;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 4 / s;
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.fillStyle = "#2b3340";
      bm.labels.forEach(function (l) {
        if (l.level !== "city") return;
        ctx.strokeText(l.zh, l.x, l.y);
        ctx.fillText(l.zh, l.x, l.y);
      });
      ctx.restore();
    }

    // -------------------------------------------------------------- drawing under and over the network
    network.on("beforeDrawing", function (ctx) {
      // a white page, so "save as PNG" is not transparent
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
      ctx.restore();
      if (layers) drawBasemap(ctx);
      if (data.lanes) drawLanes(ctx, data.lanes);
      if (lines.length) drawLines(ctx);
      if (layers) drawCityNames(ctx);  // beneath the nodes; the organizations' names keep clear of them
    });
    var byColor = null;
    function drawLines(ctx) {  // one path per colour: thousands of segments in a few strokes
      var r = network.renderer;  // hidden while the view moves, as vis-network hides its own edges
      if ((r.dragging && r.options.hideEdgesOnDrag) || (r.zooming && r.options.hideEdgesOnZoom)) return;
      var at = network.body.nodes, s = network.getScale();
      // only the segments that cross the window: zoomed in, stroking thousands of lines that lie
      // outside it would cost hundreds of milliseconds a frame
      var lo = network.DOMtoCanvas({ x: 0, y: 0 });
      var hi = network.DOMtoCanvas({ x: container.clientWidth, y: container.clientHeight }), segments = 0;
      if (!byColor) {
        byColor = {};
        lines.forEach(function (l) { (byColor[l.color] = byColor[l.color] || []).push(l); });
      }
      ctx.save();
      // as wide as vis-network draws its own (1.5 canvas units), but from half a pixel to one pixel
      // on screen: a hairline is the canvas's fast path (wider, a zoomed-in frame took 0.3 s and more)
      ctx.globalAlpha = 0.5;
      ctx.lineWidth = Math.min(Math.max(1.5, 0.5 / s), 1 / s);
      Object.keys(byColor).forEach(function (color) {
        ctx.strokeStyle = color;
        ctx.beginPath();
        byColor[color].forEach(function (l) {
          var a = at[l.from], b = at[l.to];
          if (!a || !b || hidden[l.from] || hidden[l.to]) return;
          // clipped to the window (Liang–Barsky): the canvas is given only what it shows
          var dx = b.x - a.x, dy = b.y - a.y, t0 = 0, t1 = 1;
          var p = [-dx, dx, -dy, dy], q = [a.x - lo.x, hi.x - a.x, a.y - lo.y, hi.y - a.y];
          for (var i = 0; i < 4; i++) {
            if (p[i] === 0) { if (q[i] < 0) return; continue; }
            var t = q[i] / p[i];
            if (p[i] < 0) { if (t > t1) return; if (t > t0) t0 = t; } else { if (t < t0) return; if (t < t1) t1 = t; }
          }
          ctx.moveTo(a.x + t0 * dx, a.y + t0 * dy);
          ctx.lineTo(a.x + t1 * dx, a.y + t1 * dy);
          segments += 1;
        });
        ctx.stroke();
      });
      ctx.restore();
      api.linesDrawn = (api.linesDrawn || 0) + 1;
      api.segmentsDrawn = segments;
    }

    function drawLanes(ctx, lanes) {
      var cols = lanes.columns, rows = lanes.rows;
      if (!cols.length || !rows.length) return;
      var x0 = cols[0].x0, x1 = cols[cols.length - 1].x1, y0 = rows[0].y0, y1 = rows[rows.length - 1].y1;
      ctx.save();
      rows.forEach(function (r, i) {
        ctx.fillStyle = i % 2 ? "#f4f6fa" : "#fbfcfe";
        ctx.fillRect(x0, r.y0, x1 - x0, r.y1 - r.y0);
      });
      ctx.strokeStyle = "#c9d0dc";
      ctx.lineWidth = 2;
      cols.forEach(function (c) { ctx.beginPath(); ctx.moveTo(c.x0, y0 - 70); ctx.lineTo(c.x0, y1); ctx.stroke(); });
      ctx.beginPath(); ctx.moveTo(x1, y0 - 70); ctx.lineTo(x1, y1); ctx.stroke();
      rows.forEach(function (r) { ctx.beginPath(); ctx.moveTo(x0 - 170, r.y0); ctx.lineTo(x1, r.y0); ctx.stroke(); });
      ctx.beginPath(); ctx.moveTo(x0 - 170, y1); ctx.lineTo(x1, y1); ctx.stroke();
      ctx.fillStyle = "#334";
      ctx.textAlign = "center";
      ctx.textBaseline = "alphabetic";
      cols.forEach(function (c) {
        ctx.font = "bold 30px " + FACE;
        ctx.fillText(c.zh, (c.x0 + c.x1) / 2, y0 - 32);
        ctx.font = "18px " + FACE;
        ctx.fillText(c.en, (c.x0 + c.x1) / 2, y0 - 10);
      });
      ctx.textAlign = "right";
      rows.forEach(function (r) {
        var cy = (r.y0 + r.y1) / 2;
        ctx.font = "bold 30px " + FACE;
        ctx.fillText(r.zh, x0 - 20, cy);
        ctx.font = "18px " + FACE;
        ctx.fillText(r.en, x0 - 20, cy + 24);
      });
      ctx.textAlign = "center";
      ctx.fillStyle = "#99a";
      (lanes.empty || []).forEach(function (e) {
        ctx.font = "20px " + FACE;
        ctx.fillText(e.zh + " " + e.en, e.x, e.y);
      });
      ctx.restore();
    }
    // the initial view: the whole map of the provinces shown (geo), the lanes with their headers
    // (chain), or every node, with a margin, so that nothing is cut at the window's edge
    var grownBox = null;  // the organizations added by expanding nodes, which the first view did not hold
    function union(a, b) {
      return !a ? b : !b ? a : [Math.min(a[0], b[0]), Math.min(a[1], b[1]), Math.max(a[2], b[2]), Math.max(a[3], b[3])];
    }
    function fitBox() {
      if (data.fitBox) return union(data.fitBox, grownBox);
      if (data.lanes && data.lanes.columns.length) {
        var cols = data.lanes.columns, rows = data.lanes.rows;
        return union([cols[0].x0 - 180, rows[0].y0 - 80, cols[cols.length - 1].x1, rows[rows.length - 1].y1], grownBox);
      }
      var b = null;
      data.nodes.forEach(function (n) {
        if (hidden[n.id] || n.x === undefined) return;
        var r = n.size || 10;
        if (!b) b = [n.x - r, n.y - r, n.x + r, n.y + r];
        else b = [Math.min(b[0], n.x - r), Math.min(b[1], n.y - r), Math.max(b[2], n.x + r), Math.max(b[3], n.y + r)];
      });
      return b;
    }
    function fit() {
      var b = fitBox();
      if (!b) { network.fit({ animation: false }); return; }
      var w = container.clientWidth, h = container.clientHeight, m = FIT_MARGIN;
      var s = Math.min((w - 2 * m) / Math.max(b[2] - b[0], 1), (h - 2 * m) / Math.max(b[3] - b[1], 1));
      // a map or the lanes may be enlarged further; a handful of nodes in a wide window would be drawn huge
      var most = data.fitBox || data.lanes ? 2.5 : 1.25;
      network.moveTo({ position: { x: (b[0] + b[2]) / 2, y: (b[1] + b[3]) / 2 }, scale: Math.min(s, most),
                       animation: false });
    }

    // -------------------------------------------------------------- labels: beside their node, or led to it, on nothing
    // vis-network draws no names (its items carry none); the page places each name on the screen at a
    // size that reads (13 px for the names that matter, 12 px for the others, whatever the zoom):
    // beside its node, else a little way off joined by a thin leader line, never over another name,
    // another node, a lane header or a city's name. A name that finds no such place is not drawn and
    // is listed in the side panel; zooming in makes room and draws more of them.
    var FONT = data.options.nodes.font.color || "#222222";
    var FIT_MARGIN = 28;  // px between the fitted view and the window's edge
    var GAP = 3;  // px between a node's marker and its name
    var LINE = 1.25;  // line height, in font sizes
    var placedLabels = [];  // {id, lines, px, w, h, dx, dy, leader, nx, ny}: the box's offset from the node in px
    var unlabelled = [];
    function labelRank(n) {  // the names that matter first: paths, gaps, platforms, hubs, then the larger nodes
      return (n.path ? 8 : 0) + (n.gap ? 4 : 0) + (n.lab === "Platform" ? 2 : 0) + (n.imp ? 1 : 0);
    }
    function kindOf(n) {
      return n.path ? ["链路", "path"] : n.gap ? ["缺口", "gap"] : n.lab === "Platform" ? ["平台", "platform"]
        : n.imp ? ["枢纽", "hub"] : null;
    }
    var order = data.nodes.map(function (n, i) { return i; }).sort(function (a, b) {
      var p = data.nodes[a], q = data.nodes[b];
      return (labelRank(q) - labelRank(p)) || ((q.size || 0) - (p.size || 0)) || (a - b);
    }).map(function (i) { return data.nodes[i]; });
    var measureCtx = document.createElement("canvas").getContext("2d");
    var widths = {};  // px + "|" + text -> width
    function textWidth(text, px, bold) {
      var key = (bold ? "b" : "") + px + "|" + text;
      if (widths[key] === undefined) {
        measureCtx.font = (bold ? "bold " : "") + px + "px " + FACE;
        widths[key] = measureCtx.measureText(text).width;
      }
      return widths[key];
    }
    function pxOf(n) { return labelRank(n) ? 13 : 12; }
    function linesOf(n) { return String(n.label || n.name || "").split("\n"); }
    // boxes the names keep clear of, in page units: the chain's lane headers and empty-cell notes
    function laneBoxes() {
      var out = [], L = data.lanes;
      if (!L || !L.columns.length || !L.rows.length) return out;
      var x0 = L.columns[0].x0, y0 = L.rows[0].y0;
      L.columns.forEach(function (c) {
        var cx = (c.x0 + c.x1) / 2, w = Math.max(textWidth(c.zh, 30, true), textWidth(c.en, 18));
        out.push([cx - w / 2 - 4, y0 - 62, cx + w / 2 + 4, y0 - 4]);
      });
      L.rows.forEach(function (r) {
        var cy = (r.y0 + r.y1) / 2, w = Math.max(textWidth(r.zh, 30, true), textWidth(r.en, 18));
        out.push([x0 - 24 - w, cy - 30, x0 - 16, cy + 30]);
      });
      (L.empty || []).forEach(function (e) {
        var w = textWidth(e.zh + " " + e.en, 20);
        out.push([e.x - w / 2 - 4, e.y - 20, e.x + w / 2 + 4, e.y + 6]);
      });
      return out;
    }
    var staticBoxes = laneBoxes();
    function cityBoxes(s) {  // the cities' names on the map, drawn 14 px bold whatever the zoom
      if (!bm) return [];
      return bm.labels.filter(function (l) { return l.level === "city"; }).map(function (l) {
        var p = network.canvasToDOM({ x: l.x, y: l.y }), w = textWidth(l.zh, 14, true);
        return [p.x - w / 2 - 2, p.y - 9, p.x + w / 2 + 2, p.y + 9];
      });
    }
    // a uniform grid over the window: each cell lists the boxes that touch it
    function Grid(cell) { this.cell = cell; this.cells = {}; }
    Grid.prototype.each = function (b, f) {
      var c = this.cell;
      for (var i = Math.floor(b[0] / c); i <= Math.floor(b[2] / c); i++) {
        for (var j = Math.floor(b[1] / c); j <= Math.floor(b[3] / c); j++) f(i + "," + j);
      }
    };
    Grid.prototype.add = function (b, owner, seg) {
      var cells = this.cells, item = { b: b, owner: owner, seg: seg };
      this.each(b, function (k) { (cells[k] = cells[k] || []).push(item); });
    };
    // whether a box meets anything but its owner's marker (a leader line only where it passes)
    Grid.prototype.hits = function (b, owner) {
      var cells = this.cells, hit = false;
      this.each(b, function (k) {
        if (hit) return;
        (cells[k] || []).forEach(function (it) {
          if (hit || it.owner === owner || !(b[0] < it.b[2] && it.b[0] < b[2] && b[1] < it.b[3] && it.b[1] < b[3])) return;
          hit = it.seg ? crosses(it.seg, b) : true;
        });
      });
      return hit;
    };
    // whether a segment meets a name's box (a leader line never runs through another name)
    Grid.prototype.crossesLabel = function (seg) {
      var cells = this.cells, hit = false;
      var b = [Math.min(seg[0], seg[2]), Math.min(seg[1], seg[3]), Math.max(seg[0], seg[2]), Math.max(seg[1], seg[3])];
      this.each(b, function (k) {
        (cells[k] || []).forEach(function (it) { if (!hit && it.owner === "label" && crosses(seg, it.b)) hit = true; });
      });
      return hit;
    };
    function crosses(seg, b) {  // Liang–Barsky: does the segment [x0, y0, x1, y1] enter the box?
      var dx = seg[2] - seg[0], dy = seg[3] - seg[1], t0 = 0, t1 = 1;
      var p = [-dx, dx, -dy, dy], q = [seg[0] - b[0], b[2] - seg[0], seg[1] - b[1], b[3] - seg[1]];
      for (var i = 0; i < 4; i++) {
        if (p[i] === 0) { if (q[i] < 0) return false; continue; }
        var r = q[i] / p[i];
        if (p[i] < 0) { if (r > t1) return false; if (r > t0) t0 = r; } else { if (r < t0) return false; if (r < t1) t1 = r; }
      }
      return t0 < t1;
    }
    // the leader line of a box placed off its node: from the marker's edge to the box's nearest point
    function leaderOf(x, y, r, b) {
      var tx = Math.min(Math.max(x, b[0]), b[2]), ty = Math.min(Math.max(y, b[1]), b[3]);
      var dx = tx - x, dy = ty - y, len = Math.sqrt(dx * dx + dy * dy) || 1;
      return [x + dx * r / len, y + dy * r / len, tx, ty];
    }
    // where a name may stand, as the offset of its box from the node's centre: beside it first
    // (right, left, below, above, then the corners), then further off along the same directions
    function candidates(r, w, h, matters) {
      var out = [], d = r + GAP, c = r * 0.72 + GAP;
      // the names that matter may go further, out of a crowd, where their line still finds them
      (matters ? [0, 18, 38, 64, 96, 132] : [0, 18, 38, 64]).forEach(function (far) {
        var leader = far > 0;
        out.push([d + far, -h / 2, leader], [-d - far - w, -h / 2, leader],
                 [-w / 2, d + far, leader], [-w / 2, -d - far - h, leader],
                 [c + far * 0.7, c + far * 0.7, leader], [c + far * 0.7, -c - far * 0.7 - h, leader],
                 [-c - far * 0.7 - w, c + far * 0.7, leader], [-c - far * 0.7 - w, -c - far * 0.7 - h, leader]);
      });
      return out;
    }
    function radiusOf(n, s) { return Math.max((n.size || 10) * s, 2) + ((n.borderWidth || 1.5) * s) / 2; }
    function scaleLabels() {
      var s = network.getScale(), W = container.clientWidth, H = container.clientHeight;
      var grid = new Grid(48), drawn = [], at = network.body.nodes, tr = network.body.view.translation;
      // every drawn node near the window is an obstacle (a name never covers another node's marker)
      data.nodes.forEach(function (n) {
        var body = at[n.id];
        if (!body || hidden[n.id]) return;
        var p = { x: body.x * s + tr.x, y: body.y * s + tr.y };  // network.canvasToDOM, without a call per node
        if (p.x < -300 || p.y < -300 || p.x > W + 300 || p.y > H + 300) return;
        var r = radiusOf(n, s) + 1;
        grid.add([p.x - r, p.y - r, p.x + r, p.y + r], n.id);
        drawn.push({ n: n, p: p, x: body.x, y: body.y });
      });
      staticBoxes.forEach(function (b) {
        var a = network.canvasToDOM({ x: b[0], y: b[1] }), z = network.canvasToDOM({ x: b[2], y: b[3] });
        grid.add([a.x, a.y, z.x, z.y], null);
      });
      cityBoxes(s).forEach(function (b) { grid.add(b, null); });
      var where = {};
      drawn.forEach(function (d) { where[d.n.id] = d; });
      placedLabels = [];
      unlabelled = [];
      order.forEach(function (n) {
        var d = where[n.id];
        if (!d || d.p.x < 0 || d.p.y < 0 || d.p.x > W || d.p.y > H) return;  // not in the window
        var px = pxOf(n), lines = linesOf(n), w = 0;
        lines.forEach(function (ln) { w = Math.max(w, textWidth(ln, px)); });
        w = Math.ceil(w) + 4;  // the white halo around the letters
        var h = Math.ceil(lines.length * px * LINE) + 2, r = radiusOf(n, s);
        var cands = candidates(r, w, h, labelRank(n) > 0);
        for (var i = 0; i < cands.length; i++) {
          var c = cands[i], b = [d.p.x + c[0], d.p.y + c[1], d.p.x + c[0] + w, d.p.y + c[1] + h];
          if (b[0] < 2 || b[1] < 2 || b[2] > W - 2 || b[3] > H - 2) continue;
          var pad = [b[0] - 1, b[1] - 1, b[2] + 1, b[3] + 1];
          if (grid.hits(pad, n.id)) continue;
          var seg = c[2] ? leaderOf(d.p.x, d.p.y, r, b) : null;
          if (seg && grid.crossesLabel(seg)) continue;
          grid.add(b, "label");
          if (seg) {
            grid.add([Math.min(seg[0], seg[2]), Math.min(seg[1], seg[3]), Math.max(seg[0], seg[2]), Math.max(seg[1], seg[3])],
                     n.id, seg);
          }
          placedLabels.push({ id: n.id, lines: lines, px: px, w: w, h: h, dx: c[0], dy: c[1], leader: c[2],
                              nx: d.x, ny: d.y, r: r });
          return;
        }
        unlabelled.push(n);
      });
      api.labelled = placedLabels.length;
      api.labelOwners = placedLabels.map(function (l) { return l.id; });
      showUnlabelled();
    }
    function drawLabels(ctx) {
      var s = network.getScale();
      ctx.save();
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      ctx.lineJoin = "round";
      placedLabels.forEach(function (l) {
        var x = l.nx + l.dx / s, y = l.ny + l.dy / s;
        if (l.leader) {  // from the marker's edge to the nearest point of the name's box
          var tx = Math.min(Math.max(l.nx, x), x + l.w / s), ty = Math.min(Math.max(l.ny, y), y + l.h / s);
          var dx = tx - l.nx, dy = ty - l.ny, len = Math.sqrt(dx * dx + dy * dy) || 1, k = (l.r / s) / len;
          ctx.strokeStyle = dimmed[l.id] ? "rgba(150,150,150,0.5)" : "#5b6270";
          ctx.lineWidth = 1 / s;
          ctx.beginPath();
          ctx.moveTo(l.nx + dx * k, l.ny + dy * k);
          ctx.lineTo(tx, ty);
          ctx.stroke();
          // a dot where the line meets its node, so the node is found in a crowd
          ctx.fillStyle = ctx.strokeStyle;
          ctx.beginPath();
          ctx.arc(l.nx + dx * k, l.ny + dy * k, 1.8 / s, 0, 2 * Math.PI);
          ctx.fill();
        }
        ctx.font = (l.px / s) + "px " + FACE;
        ctx.lineWidth = 3 / s;
        ctx.strokeStyle = "rgba(255,255,255,0.92)";
        ctx.fillStyle = dimmed[l.id] ? "rgba(150,150,150,0.6)" : FONT;
        l.lines.forEach(function (ln, i) {
          var ly = y + (1 + i * l.px * LINE + (LINE - 1) * l.px / 2) / s;
          ctx.strokeText(ln, x + 2 / s, ly);
          ctx.fillText(ln, x + 2 / s, ly);
        });
      });
      ctx.restore();
    }
    // the names that found no place, for the side panel: the ones that matter first
    var unlabelledBox = document.getElementById("unlabelled-box");
    var unlabelledList = document.getElementById("unlabelled-list");
    var UNLABELLED_SHOWN = 300;
    var unlabelledKey = null;
    function showUnlabelled() {
      var key = unlabelled.length + ":" + unlabelled.slice(0, UNLABELLED_SHOWN).map(function (n) { return n.id; }).join("\u0000");
      if (key === unlabelledKey) return;  // the same list: the panel stays as it is
      unlabelledKey = key;
      unlabelledList.textContent = "";
      unlabelled.slice(0, UNLABELLED_SHOWN).forEach(function (n) {
        var li = el("li");
        li.setAttribute("data-id", n.id);
        li.appendChild(document.createTextNode(n.name + " "));
        var k = kindOf(n);
        if (k) li.appendChild(el("small", "kind", k[0] + " " + k[1]));
        li.addEventListener("click", function () { focusNode(n.id); });
        unlabelledList.appendChild(li);
      });
      if (unlabelled.length > UNLABELLED_SHOWN) {
        unlabelledList.appendChild(el("li", "more", "… 另 " + (unlabelled.length - UNLABELLED_SHOWN) + " 个 more"));
      }
      document.getElementById("unlabelled-count").textContent = "(" + unlabelled.length + ")";
      unlabelledBox.hidden = !unlabelled.length;
    }
    // the labels and nodes as drawn, in CSS pixels of the page (CONTRACT §6; tests read them)
    function pageOffset() {
      var r = container.getBoundingClientRect();
      return { x: r.left + window.scrollX, y: r.top + window.scrollY };
    }
    // (o: where the drawing's top-left corner is on the page)
    function labelsAt(o) {
      var W = container.clientWidth, H = container.clientHeight;
      return placedLabels.map(function (l) {
        var p = network.canvasToDOM({ x: l.nx, y: l.ny });
        return { id: l.id, text: l.lines.join("\n"), x: o.x + p.x + l.dx, y: o.y + p.y + l.dy, w: l.w, h: l.h,
                 font_px: l.px, node_x: o.x + p.x, node_y: o.y + p.y, leader: !!l.leader,
                 inside: p.x + l.dx >= 0 && p.y + l.dy >= 0 && p.x + l.dx + l.w <= W && p.y + l.dy + l.h <= H };
      }).filter(function (l) { return l.inside; }).map(function (l) { delete l.inside; return l; });
    }
    function nodesAt(o) {
      var s = network.getScale(), W = container.clientWidth, H = container.clientHeight, out = [];
      data.nodes.forEach(function (n) {
        var body = network.body.nodes[n.id];
        if (!body || hidden[n.id]) return;
        var p = network.canvasToDOM({ x: body.x, y: body.y });
        if (p.x < 0 || p.y < 0 || p.x > W || p.y > H) return;
        out.push({ id: n.id, x: o.x + p.x, y: o.y + p.y, r: (n.size || 10) * s });
      });
      return out;
    }
    window.jjjkgLabels = function () { return labelsAt(pageOffset()); };
    window.jjjkgNodes = function () { return nodesAt(pageOffset()); };
    api.unlabelled = function () { return unlabelled.map(function (n) { return n.id; }); };
    api.headerBoxes = function () {  // the chain's lane headers as drawn, in CSS pixels of the page
      var o = pageOffset();
      return staticBoxes.map(function (b) {
        var a = network.canvasToDOM({ x: b[0], y: b[1] }), z = network.canvasToDOM({ x: b[2], y: b[3] });
        return { x: o.x + a.x, y: o.y + a.y, w: z.x - a.x, h: z.y - a.y };
      });
    };
    var dimmed = {};
    network.on("afterDrawing", drawLabels);
    // names are placed again once the view stops moving, and at each new zoom (one frame at most)
    var pending = false;
    network.on("dragEnd", function () { scaleLabels(); network.redraw(); });
    network.on("resize", function () {  // a resized window has other room (vis-network redraws after this)
      if (!pending) { pending = true; requestAnimationFrame(function () { pending = false; scaleLabels(); network.redraw(); }); }
    });
    network.on("zoom", function () {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; scaleLabels(); network.redraw(); });
    });

    // -------------------------------------------------------------- neighbourhood highlight
    var DIM = "rgba(200,200,200,0.35)";
    var highlighted = null;
    // a served page names where each organization's own page is (data-org-url, with {id}): a double
    // click on a node goes there, and a selected node shows the link; a page opened as a file has none
    var orgUrl = document.body.getAttribute("data-org-url");
    var selectedBox = document.getElementById("selected-box"), selectedLink = document.getElementById("selected-link");
    function orgHref(id) { return orgUrl.split("{id}").join(encodeURIComponent(id)); }
    // a node that is no organization (a sector or a value in a result's view: noPage) has no page;
    // a page shown inside another (a console result, a dashboard tile) opens the organization's in the whole window
    function hasPage(id) { var i = indexOf[id]; return i !== undefined && !data.nodes[i].noPage; }
    var framed = window.top !== window.self;
    if (framed) selectedLink.target = "_top";
    function showSelected(id) {
      if (!orgUrl) return;
      if (id !== null && !hasPage(id)) id = null;
      if (id !== null) {
        selectedLink.href = orgHref(id);
        selectedLink.setAttribute("data-id", id);
      }
      selectedBox.hidden = id === null;
    }
    if (orgUrl) {
      network.on("doubleClick", function (params) {
        if (!params.nodes || !params.nodes.length || !hasPage(params.nodes[0])) return;
        (framed ? window.top : window).location.assign(orgHref(params.nodes[0]));
      });
    }
    api.orgHref = function (id) { return orgUrl && hasPage(id) ? orgHref(id) : null; };
    function highlight(id) {
      showSelected(id);
      if (big) {  // thousands of restyled nodes would stall the page: select the neighbourhood instead
        if (lean) showRelationsOf(id);
        network.selectNodes([id], true);
        highlighted = id;
        return;
      }
      var keep = {};
      keep[id] = true;
      network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
      var incident = {};
      network.getConnectedEdges(id).forEach(function (e) { incident[e] = true; });
      dimmed = {};
      quietly(function () {
        nodes.update(nodes.getIds().map(function (n) {
          if (!keep[n]) dimmed[n] = true;
          return keep[n] ? { id: n, color: original[n].color, font: { color: FONT } }
                         : { id: n, color: DIM, font: { color: "rgba(150,150,150,0.5)" } };
        }));
        edges.update(edges.getIds().map(function (e) {
          return incident[e] ? { id: e, color: edgeOriginal[e].color } : { id: e, color: { color: DIM, opacity: 0.3 } };
        }));
      });
      highlighted = id;
    }
    var shownExtra = [];  // on a lean page, the selected organization's relations given to vis-network
    function showRelationsOf(id) {
      var extra = (incidentOf[id] || []).filter(function (e) { return !e.path; });
      quietly(function () {
        if (shownExtra.length) edges.remove(shownExtra);
        edges.add(extra);
      });
      shownExtra = extra.map(function (e) { return e.id; });
    }
    function unhighlight() {
      showSelected(null);
      if (highlighted === null) return;
      if (lean && shownExtra.length) { quietly(function () { edges.remove(shownExtra); }); shownExtra = []; }
      dimmed = {};
      if (!big) {
        quietly(function () {
          nodes.update(nodes.getIds().map(function (n) {
            return { id: n, color: original[n].color, font: { color: FONT } };
          }));
          edges.update(edges.getIds().map(function (e) { return { id: e, color: edgeOriginal[e].color }; }));
        });
      }
      highlighted = null;
    }
    network.on("click", function (params) {
      if (params.nodes && params.nodes.length) highlight(params.nodes[0]);
      else unhighlight();
    });
    function focusNode(id) {
      if (network.body.nodes[id] === undefined) return;  // still being added
      network.selectNodes([id], true);
      highlight(id);
      network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
      scaleLabels(true);  // a jump in zoom sends no zoom event: the labels follow here
    }
    api.highlight = highlight;
    api.unhighlight = unhighlight;
    api.focusNode = focusNode;

    // -------------------------------------------------------------- expanding a node (served pages)
    // data-expand-url (with {id}) answers an organization's neighbours that the page does not show,
    // as records of the page's own form, up to the server's cap: they are placed in rings around the
    // node, named by the same label code, and the panel says how many the cap left out.
    var expandUrl = document.body.getAttribute("data-expand-url");
    var expandButton = document.getElementById("expand-node"), expandNote = document.getElementById("expand-note");
    var EXCLUDE_MAX = 5000;  // the ids sent with a request (the server takes no more)
    var grown = 0;
    function place(centre, count) {  // rings around the node, each as full as its length allows
      var out = [], ring = 0, R = 0;
      while (out.length < count) {
        R = 110 + 80 * ring;
        var room = Math.max(6, Math.floor(2 * Math.PI * R / 70)), k = Math.min(room, count - out.length);
        for (var i = 0; i < k; i++) {
          var a = -Math.PI / 2 + (2 * Math.PI * i) / k + ring * 0.35;
          out.push({ x: centre.x + R * Math.cos(a), y: centre.y + R * Math.sin(a) });
        }
        ring += 1;
      }
      return out;
    }
    function addNeighbours(id, answer) {
      var body = network.body.nodes[id];
      var fresh = (answer.nodes || []).filter(function (n) { return indexOf[n.id] === undefined; });
      var at = place(body ? { x: body.x, y: body.y } : { x: 0, y: 0 }, fresh.length);
      fresh.forEach(function (n, i) {
        n.x = at[i].x; n.y = at[i].y;
        if (n.color && typeof n.color === "object" && !n.color.highlight) {
          var hl = { background: n.color.background, border: "#000000" };
          n.color = Object.assign({}, n.color, { highlight: hl, hover: hl });
        }
        indexOf[n.id] = data.nodes.length;
        data.nodes.push(n);
        names.push(String(n.name || ""));
        namesEn.push(String(n.nameEn || "").toLowerCase());
        original[n.id] = { color: n.color };
        hidden[n.id] = !visibleOf(n);
        var r = n.size || 10;
        grownBox = union(grownBox, [n.x - r, n.y - r, n.x + r, n.y + r]);
      });
      var newEdges = (answer.edges || []).filter(function (e) {
        return indexOf[e.from] !== undefined && indexOf[e.to] !== undefined;
      }).map(function (e) {
        grown += 1;
        var item = Object.assign({}, e, { id: "x" + grown, title: e.info || "" });
        delete item.info;
        edgeOriginal[item.id] = { color: item.color };
        edgeItems.push(item);
        return item;
      });
      var items = fresh.map(function (n) {
        var item = Object.assign({}, n, { title: titleOf(n.info || []), hidden: !!hidden[n.id] });
        delete item.info;
        delete item.label;
        return item;
      });
      quietly(function () {
        nodes.add(items);
        if (lean) {
          newEdges.forEach(function (e) {
            (incidentOf[e.from] = incidentOf[e.from] || []).push(e);
            (incidentOf[e.to] = incidentOf[e.to] || []).push(e);
            var c = e.color;
            lines.push({ from: e.from, to: e.to, color: (c && typeof c === "object" ? c.color : c) || "#888888" });
          });
        } else {
          edges.add(newEdges);
        }
      });
      order = data.nodes.map(function (n, i) { return i; }).sort(function (a, b) {
        var p = data.nodes[a], q = data.nodes[b];
        return (labelRank(q) - labelRank(p)) || ((q.size || 0) - (p.size || 0)) || (a - b);
      }).map(function (i) { return data.nodes[i]; });
      var visible = data.nodes.filter(function (n) { return !hidden[n.id]; }).length;
      counter.textContent = visible + " / " + data.nodes.length;
      fit();
      scaleLabels(true);
      network.redraw();
      var note = fresh.length ? "已展开 " + fresh.length + " 家相邻机构" : "没有未显示的相邻机构";
      if (answer.more) note += "；另有 " + answer.more + " 家未展开（每次最多 " + (answer.cap || fresh.length) + " 家）";
      expandNote.textContent = note;
      expandNote.hidden = false;
      return { added: fresh.length, edges: newEdges.length, more: answer.more || 0 };
    }
    function expand(id) {
      var ids = data.nodes.map(function (n) { return n.id; }).slice(-EXCLUDE_MAX);
      var url = expandUrl.split("{id}").join(encodeURIComponent(id)) + "?exclude=" + encodeURIComponent(ids.join(","));
      expandButton.disabled = true;
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          return r.json().then(function (body) {
            if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
            return body;
          });
        })
        .then(function (body) { return addNeighbours(id, body); })
        .catch(function (err) {
          expandNote.textContent = "展开失败：" + err.message;
          expandNote.hidden = false;
          return { added: 0, edges: 0, more: 0, error: err.message };
        })
        .finally(function () { expandButton.disabled = false; });
    }
    if (expandUrl) {
      expandButton.hidden = false;
      expandButton.addEventListener("click", function () {
        var id = selectedLink.getAttribute("data-id");
        if (id) expand(id);
      });
      api.expand = expand;
    }

    // -------------------------------------------------------------- search (an index built once)
    var search = document.getElementById("search");
    var results = document.getElementById("search-results");
    var hidden = {};
    var names = data.nodes.map(function (n) { return String(n.name || ""); });
    var namesEn = data.nodes.map(function (n) { return String(n.nameEn || "").toLowerCase(); });
    function matches(q) {
      q = String(q || "").trim();
      if (!q) return [];
      var low = q.toLowerCase(), out = [];
      for (var i = 0; i < names.length; i++) {
        var id = data.nodes[i].id;
        if (hidden[id]) continue;
        if (names[i].indexOf(q) >= 0 || namesEn[i].indexOf(low) >= 0 || String(id) === q) out.push(id);
      }
      return out;
    }
    function showResults(ids) {
      results.textContent = "";
      ids.slice(0, 30).forEach(function (id, i) {
        var n = data.nodes[indexOf[id]];
        var li = el("li", i === 0 ? "active" : "");
        li.appendChild(document.createTextNode(n.name));
        li.appendChild(el("small", "en", " " + (n.p || "") + " " + n.id));
        li.addEventListener("click", function () { focusNode(id); });
        results.appendChild(li);
      });
      if (ids.length > 30) results.appendChild(el("li", "more", "… " + (ids.length - 30)));
    }
    function runSearch(q) {
      var ids = matches(q);
      showResults(ids);
      if (ids.length) focusNode(ids[0]);
      else { network.unselectAll(); unhighlight(); }
      return ids;
    }
    var timer = null;
    search.addEventListener("input", function () {
      // a large page waits for a pause in typing; a small one answers each key
      clearTimeout(timer);
      if (!big) runSearch(search.value);
      else timer = setTimeout(function () { runSearch(search.value); }, 150);
    });
    search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { clearTimeout(timer); runSearch(search.value); } });
    api.search = runSearch;

    // -------------------------------------------------------------- filters
    var f = data.filters || {};
    var state = { types: {}, provinces: {}, sector: "" };
    function checks(boxId, list, key) {
      var box = document.getElementById(boxId);
      list.forEach(function (item) {
        state[key][item.key] = true;
        var label = el("label");
        var cb = el("input");
        cb.type = "checkbox";
        cb.checked = true;
        cb.value = item.key;
        cb.setAttribute("data-filter", key);
        cb.addEventListener("change", function () { state[key][item.key] = cb.checked; applyFilters(); });
        label.appendChild(cb);
        label.appendChild(bi(item.zh, item.en));
        box.appendChild(label);
      });
    }
    checks("filter-types", f.types || [], "types");
    checks("filter-provinces", f.provinces || [], "provinces");
    var sectorSelect = document.getElementById("filter-sector");
    (f.sectors || []).forEach(function (s) {
      var o = el("option", "", s.zh + " · " + s.key);
      o.value = s.key;
      sectorSelect.appendChild(o);
    });
    sectorSelect.addEventListener("change", function () { state.sector = sectorSelect.value; applyFilters(); });
    var counter = document.getElementById("shown-count");
    var indexOf = {};
    data.nodes.forEach(function (n, i) { indexOf[n.id] = i; });
    function visibleOf(src) {
      // (an organization added by expanding a node may be of a type or province without a box: shown)
      if ((f.types || []).length && src.t && state.types[src.t] === false) return false;
      if ((f.provinces || []).length && state.provinces[src.p || ""] === false) return false;
      if (state.sector && (src.s || []).indexOf(state.sector) < 0) return false;
      return true;
    }
    function applyFilters(opts) {
      if (opts) {
        if (opts.types) Object.keys(state.types).forEach(function (k) { state.types[k] = opts.types.indexOf(k) >= 0; });
        if (opts.provinces) Object.keys(state.provinces).forEach(function (k) { state.provinces[k] = opts.provinces.indexOf(k) >= 0; });
        if (opts.sector !== undefined) { state.sector = opts.sector; sectorSelect.value = opts.sector; }
        document.querySelectorAll("input[data-filter]").forEach(function (cb) {
          cb.checked = !!state[cb.getAttribute("data-filter")][cb.value];
        });
      }
      var changes = [], shown = 0;
      data.nodes.forEach(function (src) {
        var hide = !visibleOf(src);
        if (!hide) shown += 1;
        if (!!hidden[src.id] !== hide) { changes.push({ id: src.id, hidden: hide }); hidden[src.id] = hide; }
      });
      // a node not yet given to vis-network takes its state from `hidden` when it is
      changes = changes.filter(function (c) { return network.body.nodes[c.id] !== undefined; });
      if (changes.length) { quietly(function () { nodes.update(changes); }); scaleLabels(true); }
      counter.textContent = shown + " / " + data.nodes.length;
      return shown;
    }
    api.applyFilters = applyFilters;
    counter.textContent = data.nodes.length + " / " + data.nodes.length;
    api.counts = function () {
      var visible = 0;
      data.nodes.forEach(function (n) { if (!hidden[n.id]) visible += 1; });
      // edges: the relations on the page; drawnByNetwork: those vis-network holds at the moment
      return { nodes: nodes.length, edges: edgeItems.length, visible: visible, drawnByNetwork: edges.length,
               lean: lean };
    };

    // -------------------------------------------------------------- gaps and unplaced panels
    var gapItems = (data.gaps || []).map(function (g) {
      return { text: g.sectorName + "（" + g.sector + "）：" + g.zh, en: g.gap, id: null };
    });
    data.nodes.forEach(function (n) {
      (n.gap || []).forEach(function (g) { gapItems.push({ text: n.name + "：" + g[1], en: g[0], id: n.id }); });
    });
    if (gapItems.length) {
      var list = document.getElementById("gap-list");
      gapItems.forEach(function (g) {
        var li = el("li", g.id === null ? "sector-gap" : "node-gap");
        li.appendChild(document.createTextNode(g.text + " "));
        if (g.en) li.appendChild(el("small", "en", g.en));
        if (g.id !== null) li.addEventListener("click", function () { focusNode(g.id); });
        list.appendChild(li);
      });
      document.getElementById("gaps-box").hidden = false;
    }
    if ((data.unplaced || []).length) {
      var ul = document.getElementById("unplaced-list");
      data.unplaced.forEach(function (u) {
        var li = el("li");
        li.appendChild(document.createTextNode(u.name + " "));
        li.appendChild(el("small", "en", (u.p || "") + " " + u.id));
        li.title = titleOf(u.info || []);
        ul.appendChild(li);
      });
      document.getElementById("unplaced-count").textContent = "(" + data.unplaced.length + ")";
      document.getElementById("unplaced-box").hidden = false;
    }

    // -------------------------------------------------------------- the whole view as an image
    function render(done) {
      var saved = { position: network.getViewPosition(), scale: network.getScale() };
      var old = container.style.cssText;  // the style object, not the attribute: a strict policy allows it
      var w = Math.max(1600, container.clientWidth), h = Math.max(1100, container.clientHeight);
      container.style.cssText = "position:absolute;left:0;top:0;width:" + w + "px;height:" + h + "px";
      network.setSize(w + "px", h + "px");
      fit();
      scaleLabels(true);
      network.redraw();
      var src = container.querySelector("canvas");
      var img = document.createElement("canvas");
      img.width = w;
      img.height = h;
      img.getContext("2d").drawImage(src, 0, 0, w, h);
      var left = unlabelled.map(function (n) { return n.name; });  // the names the image could not hold
      // what the image holds, in its own pixels (tests read it as they read jjjkgLabels)
      api.lastImage = { labels: labelsAt({ x: 0, y: 0 }), nodes: nodesAt({ x: 0, y: 0 }), unlabelled: left.length,
                        width: w, height: h };
      container.style.cssText = old;
      network.setSize("100%", "100%");
      network.moveTo({ position: saved.position, scale: saved.scale, animation: false });
      scaleLabels(true);
      network.redraw();
      done(img, left);
    }
    // fitted, and the labels that matter placed, before the first drawing: the page draws once
    fit();
    scaleLabels(true);
    network.once("afterDrawing", function () { api.firstDrawAt = performance.now(); });
    function addRest() {
      if (added < queue.length) {
        var next = queue.slice(added, added + CHUNK).map(function (n) {
          return hidden[n.id] ? Object.assign({}, n, { hidden: true }) : n;
        });
        added += next.length;
        quietly(function () { nodes.add(next); });
        status.textContent = "绘制中 drawing " + added + " / " + queue.length;
        setTimeout(addRest, 0);
        return;
      }
      network.once("afterDrawing", markStable);
      if (queue !== nodeItems) {
        scaleLabels(true);
        network.body.emitter.emit("_requestRedraw");  // drawn at the next frame, not in this task
      }
    }
    if (!nodeItems.length) markStable();
    else if (added < queue.length) setTimeout(addRest, 0);
    else addRest();

    api.pngDataURL = function () { return container.querySelector("canvas").toDataURL("image/png"); };
    return { fit: function () { fit(); scaleLabels(true); }, render: render };
  }

  // ================================================================== the sector × province matrix
  function matrixView() {
    var m = data.matrix;
    document.getElementById("net").hidden = true;
    document.getElementById("search-box").hidden = true;
    var box = document.getElementById("matrix");
    box.hidden = false;
    var typeOn = {};
    m.types.forEach(function (t) { typeOn[t.key] = true; });
    var colorOf = {};
    m.types.forEach(function (t) { colorOf[t.key] = t.color; });
    var sectorName = {};
    m.sectors.forEach(function (s) { sectorName[s.key] = s.zh; });
    var provName = {};
    m.provinces.forEach(function (p) { provName[p.key] = p.zh; });

    function total(c) {
      var n = 0;
      Object.keys(c.byType).forEach(function (t) { if (typeOn[t] !== false) n += c.byType[t]; });
      return n;
    }
    var table = el("table", "matrix");
    var thead = el("thead"), tr = el("tr");
    tr.appendChild(el("th", "corner", "产业领域 \\ 省份"));
    m.provinces.forEach(function (p) { var th = el("th"); th.appendChild(bi(p.zh, p.en)); tr.appendChild(th); });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    var cellEls = [];
    var byRow = {};
    m.cells.forEach(function (c) { (byRow[c.s] = byRow[c.s] || []).push(c); });
    m.sectors.forEach(function (s) {
      var row = el("tr");
      var th = el("th", "sector");
      th.appendChild(el("div", "sname", s.zh));
      th.appendChild(el("small", "en", s.key === "—" ? "no sector" : s.key));
      if (s.gaps.length) th.appendChild(el("div", "sgaps", "缺口：" + s.gaps.map(function (g) { return g[1]; }).join("、")));
      row.appendChild(th);
      (byRow[s.key] || []).forEach(function (c) {
        var td = el("td", "cell level-" + c.level);
        td.style.background = m.gapColors[c.level];
        td.setAttribute("data-sector", c.s);
        td.setAttribute("data-province", c.p);
        td.tabIndex = 0;
        td.addEventListener("click", function () { selectCell(c, td); });
        td.addEventListener("keydown", function (ev) { if (ev.key === "Enter") selectCell(c, td); });
        row.appendChild(td);
        cellEls.push({ c: c, td: td });
      });
      tbody.appendChild(row);
    });
    table.appendChild(tbody);
    // a served page names where the view of a cell is (data-view-url, with {sector} and {province}):
    // a click goes there; a page opened as a file shows the command that draws it
    var viewUrl = document.body.getAttribute("data-view-url");
    function cellHref(c) {
      var u = new URL(viewUrl.split("{sector}").join(encodeURIComponent(c.s === "—" ? "" : c.s))
        .split("{province}").join(encodeURIComponent(c.p || "")), window.location.href);
      Array.from(u.searchParams.keys()).forEach(function (k) { if (!u.searchParams.get(k)) u.searchParams.delete(k); });
      return u.pathname + u.search;
    }
    box.appendChild(el("p", "hint", viewUrl ? "点击格子：打开该格机构的视图。 Click a cell to open the view of its organizations."
      : "点击格子：显示画出该格机构的命令。 Click a cell for the command that draws its organizations."));
    box.appendChild(table);

    function fill(c, td) {
      td.textContent = "";
      var n = total(c);
      td.appendChild(el("div", "count", n));
      var types = el("div", "types");
      m.types.forEach(function (t) {
        if (!c.byType[t.key] || typeOn[t.key] === false) return;
        var span = el("span", "t");
        var dot = el("i", "dot");
        dot.style.background = t.color;
        span.appendChild(dot);
        span.appendChild(document.createTextNode(t.zh + " " + c.byType[t.key]));
        types.appendChild(span);
      });
      td.appendChild(types);
      if (c.gaps.length) td.appendChild(el("div", "gaps", "⚠ " + c.gaps.map(function (g) { return g[1] + (g[2] > 1 ? "×" + g[2] : ""); }).join("、")));
      td.setAttribute("data-count", String(n));
    }
    function refresh() { cellEls.forEach(function (x) { fill(x.c, x.td); }); }
    refresh();

    function selectCell(c, td) {
      cellEls.forEach(function (x) { x.td.classList.remove("selected"); });
      td.classList.add("selected");
      var info = document.getElementById("cell-info");
      info.textContent = sectorName[c.s] + " × " + provName[c.p] + "：" + total(c) + " 个机构 organizations";
      document.getElementById("cell-cmd").textContent = viewUrl ? "" : c.cmd;
      document.getElementById("cell-box").hidden = false;
      if (viewUrl) window.location.assign(cellHref(c));
    }
    api.cellHref = function (s, p) {
      var x = cellEls.filter(function (x) { return x.c.s === s && x.c.p === p; })[0];
      return x && viewUrl ? cellHref(x.c) : null;
    };
    api.selectCell = function (s, p) {
      var x = cellEls.filter(function (x) { return x.c.s === s && x.c.p === p; })[0];
      if (x) selectCell(x.c, x.td);
      return x ? x.c.cmd : null;
    };

    // the type filter recounts the cells
    var tbox = document.getElementById("filter-types");
    m.types.forEach(function (t) {
      var label = el("label");
      var cb = el("input");
      cb.type = "checkbox";
      cb.checked = true;
      cb.value = t.key;
      cb.setAttribute("data-filter", "types");
      cb.addEventListener("change", function () { typeOn[t.key] = cb.checked; refresh(); });
      label.appendChild(cb);
      label.appendChild(bi(t.zh, t.en));
      tbox.appendChild(label);
    });
    document.getElementById("filter-sector").parentNode.querySelector("label[for=filter-sector]").hidden = true;
    document.getElementById("filter-sector").hidden = true;
    document.getElementById("shown-count").textContent = "";
    api.counts = function () {
      var visible = cellEls.filter(function (x) { return total(x.c) > 0; }).length;
      return { nodes: m.cells.length, edges: 0, visible: visible, cells: m.cells.length };
    };
    api.cellCounts = function () {
      return cellEls.map(function (x) { return { s: x.c.s, p: x.c.p, shown: Number(x.td.getAttribute("data-count")) }; });
    };

    // drawn on a canvas for "save as PNG": the same rows, columns, counts and colours
    function render(done) {
      var colW = 230, headW = 240, rowH = 74, headH = 40;
      var img = document.createElement("canvas");
      img.width = headW + colW * m.provinces.length;
      img.height = headH + rowH * m.sectors.length;
      var ctx = img.getContext("2d");
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, img.width, img.height);
      ctx.textBaseline = "middle";
      ctx.fillStyle = "#222";
      ctx.font = "bold 16px " + FACE;
      m.provinces.forEach(function (p, j) { ctx.fillText(p.zh + " " + p.en, headW + j * colW + 10, headH / 2); });
      m.sectors.forEach(function (s, i) {
        var y = headH + i * rowH;
        ctx.fillStyle = "#222";
        ctx.font = "bold 15px " + FACE;
        ctx.fillText(s.zh.slice(0, 14), 8, y + 22);
        ctx.font = "12px " + FACE;
        ctx.fillStyle = "#777";
        ctx.fillText(s.key, 8, y + 44);
        (byRow[s.key] || []).forEach(function (c, j) {
          var x = headW + j * colW;
          ctx.fillStyle = m.gapColors[c.level];
          ctx.fillRect(x + 2, y + 2, colW - 4, rowH - 4);
          ctx.fillStyle = "#111";
          ctx.font = "bold 22px " + FACE;
          ctx.fillText(String(total(c)), x + 10, y + 22);
          ctx.font = "12px " + FACE;
          ctx.fillStyle = "#444";
          var parts = m.types.filter(function (t) { return c.byType[t.key] && typeOn[t.key] !== false; })
            .map(function (t) { return t.zh + c.byType[t.key]; });
          ctx.fillText(parts.join(" ").slice(0, 34), x + 10, y + 46);
          if (c.gaps.length) {
            ctx.fillStyle = "#b00";
            ctx.fillText("⚠ " + c.gaps.map(function (g) { return g[1]; }).join("、").slice(0, 30), x + 10, y + 62);
          }
        });
      });
      done(img);
    }
    // a table of counts: no node drawn, no name on a canvas (CONTRACT §6 still answers)
    window.jjjkgLabels = function () { return []; };
    window.jjjkgNodes = function () { return []; };
    markStable();
    api.firstDrawAt = performance.now();
    return { fit: function () { box.scrollTop = 0; box.scrollLeft = 0; }, render: render };
  }
})();
