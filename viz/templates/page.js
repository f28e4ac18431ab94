/* jjjkg page behaviour: search, filters, neighbourhood highlight, overlays' panels, PNG export.
 *
 * Data arrives as JSON in <script id="jjjkg-data">. Every string from the data is put into the
 * page with textContent (or as a vis-network title string, which vis shows with innerText), never
 * as markup. window.jjjkg exposes the network and a few actions for tests and power users.
 */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("jjjkg-data").textContent);
  var api = (window.jjjkg = { data: data, ready: false, stable: false });

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

  // ------------------------------------------------------------------ header, message, source
  if (data.message) {
    var msg = document.getElementById("message");
    msg.appendChild(el("span", "zh", data.message.zh));
    msg.appendChild(el("small", "en", data.message.en));
    msg.hidden = false;
  }
  document.getElementById("data-source").textContent = data.dataSource || "—";

  // ------------------------------------------------------------------ nodes and edges
  function titleOf(rows) {
    return rows.map(function (r) { return r[0] + " " + r[1] + "：" + r[2]; }).join("\n");
  }
  var original = {};  // id -> the styling a highlight may change
  var edgeOriginal = {};
  var nodeItems = data.nodes.map(function (n) {
    var item = Object.assign({}, n);
    item.title = titleOf(n.info || []);
    delete item.info;
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
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  var container = document.getElementById("net");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  api.network = network;
  api.nodes = nodes;
  api.edges = edges;

  // ------------------------------------------------------------------ drawing under the network
  network.on("beforeDrawing", function (ctx) {
    // a white page, so "save as PNG" is not transparent
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    ctx.restore();
    if (data.lanes) drawLanes(ctx, data.lanes);
    if (data.anchors && data.anchors.length) drawAnchors(ctx, data.anchors);
  });

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
      ctx.font = "bold 30px " + data.options.nodes.font.face;
      ctx.fillText(c.zh, (c.x0 + c.x1) / 2, y0 - 32);
      ctx.font = "18px " + data.options.nodes.font.face;
      ctx.fillText(c.en, (c.x0 + c.x1) / 2, y0 - 10);
    });
    ctx.textAlign = "right";
    rows.forEach(function (r) {
      var cy = (r.y0 + r.y1) / 2;
      ctx.font = "bold 30px " + data.options.nodes.font.face;
      ctx.fillText(r.zh, x0 - 20, cy);
      ctx.font = "18px " + data.options.nodes.font.face;
      ctx.fillText(r.en, x0 - 20, cy + 24);
    });
    ctx.textAlign = "center";
    ctx.fillStyle = "#99a";
    (lanes.empty || []).forEach(function (e) {
      ctx.font = "20px " + data.options.nodes.font.face;
      ctx.fillText(e.zh + " " + e.en, e.x, e.y);
    });
    ctx.restore();
  }

  function drawAnchors(ctx, anchors) {
    ctx.save();
    ctx.fillStyle = "rgba(90,100,120,0.55)";
    ctx.textAlign = "center";
    ctx.font = "22px " + data.options.nodes.font.face;
    anchors.forEach(function (a) { ctx.fillText(a.text, a.x, a.y - 8); });
    ctx.restore();
  }

  // ------------------------------------------------------------------ stabilisation
  var status = document.getElementById("status");
  function markStable() {
    if (api.stable) return;
    api.stable = true;
    api.stableAt = performance.now();  // ms since navigation started (the benchmark reads it)
    status.hidden = true;
    document.body.setAttribute("data-stable", "1");
  }
  var physicsOn = data.options.physics && data.options.physics.enabled;
  if (physicsOn && nodeItems.length) {
    network.once("stabilizationIterationsDone", function () {
      // the layout has settled: stop physics so the page is quiet and cheap
      network.setOptions({ physics: { enabled: false } });
      network.fit({ animation: false });
      markStable();
    });
  } else {
    network.once("afterDrawing", markStable);
    if (!nodeItems.length) markStable();
  }

  // ------------------------------------------------------------------ neighbourhood highlight
  var DIM = "rgba(200,200,200,0.35)";
  var FONT = data.options.nodes.font.color || "#222222";
  var highlighted = null;
  function highlight(id) {
    var keep = {};
    keep[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { keep[n] = true; });
    var incident = {};
    network.getConnectedEdges(id).forEach(function (e) { incident[e] = true; });
    nodes.update(nodes.getIds().map(function (n) {
      return keep[n] ? { id: n, color: original[n].color, font: { color: FONT } }
                     : { id: n, color: DIM, font: { color: "rgba(150,150,150,0.5)" } };
    }));
    edges.update(edges.getIds().map(function (e) {
      return incident[e] ? { id: e, color: edgeOriginal[e].color } : { id: e, color: { color: DIM, opacity: 0.3 } };
    }));
    highlighted = id;
  }
  function unhighlight() {
    if (highlighted === null) return;
    nodes.update(nodes.getIds().map(function (n) {
      return { id: n, color: original[n].color, font: { color: FONT } };
    }));
    edges.update(edges.getIds().map(function (e) { return { id: e, color: edgeOriginal[e].color }; }));
    highlighted = null;
  }
  network.on("click", function (params) {
    if (params.nodes && params.nodes.length) highlight(params.nodes[0]);
    else unhighlight();
  });
  function focusNode(id) {
    network.selectNodes([id]);
    highlight(id);
    network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: false });
  }
  api.highlight = highlight;
  api.unhighlight = unhighlight;
  api.focusNode = focusNode;

  // ------------------------------------------------------------------ search
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  function matches(q) {
    q = String(q || "").trim();
    if (!q) return [];
    var low = q.toLowerCase();
    return nodes.get({
      filter: function (n) {
        if (n.hidden) return false;
        return String(n.name || "").indexOf(q) >= 0 || String(n.nameEn || "").toLowerCase().indexOf(low) >= 0 ||
          String(n.id) === q;
      },
    }).map(function (n) { return n.id; });
  }
  function showResults(ids) {
    results.textContent = "";
    ids.slice(0, 30).forEach(function (id, i) {
      var n = nodes.get(id);
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
  search.addEventListener("input", function () { runSearch(search.value); });
  search.addEventListener("keydown", function (ev) { if (ev.key === "Enter") runSearch(search.value); });
  api.search = runSearch;

  // ------------------------------------------------------------------ filters
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
  function visibleOf(n) {
    var src = data.nodes[indexOf[n.id]];
    if ((f.types || []).length && src.t && !state.types[src.t]) return false;
    if ((f.provinces || []).length && !state.provinces[src.p || ""]) return false;
    if (state.sector && (src.s || []).indexOf(state.sector) < 0) return false;
    return true;
  }
  var indexOf = {};
  data.nodes.forEach(function (n, i) { indexOf[n.id] = i; });
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
    nodes.forEach(function (n) {
      var hide = !visibleOf(n);
      if (!hide) shown += 1;
      if (!!n.hidden !== hide) changes.push({ id: n.id, hidden: hide });
    });
    if (changes.length) nodes.update(changes);
    counter.textContent = shown + " / " + data.nodes.length;
    return shown;
  }
  api.applyFilters = applyFilters;
  counter.textContent = data.nodes.length + " / " + data.nodes.length;
  api.counts = function () {
    var visible = nodes.get({ filter: function (n) { return !n.hidden; } }).length;
    return { nodes: nodes.length, edges: edges.length, visible: visible };
  };

  // ------------------------------------------------------------------ gaps panel
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

  // ------------------------------------------------------------------ legend
  var groupNames = { type: ["机构类型", "organization type"], province: ["省份（形状）", "province (shape)"],
                     relation: ["关系", "relation"], overlay: ["标注", "overlays"] };
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
    var sw = el("span", "sw sw-" + (item.kind === "shape" ? item.shape : item.kind));
    if (item.kind === "fill" || item.kind === "line" || item.kind === "bold") sw.style.background = item.color;
    row.appendChild(sw);
    row.appendChild(bi(item.zh, item.en));
    groups[item.group].appendChild(row);
  });

  // ------------------------------------------------------------------ save as PNG
  function canvas() { return container.querySelector("canvas"); }
  api.pngDataURL = function () { return canvas().toDataURL("image/png"); };
  document.getElementById("save-png").addEventListener("click", function () {
    canvas().toBlob(function (blob) {
      var a = el("a");
      a.href = URL.createObjectURL(blob);
      a.download = (data.title || "jjjkg").replace(/[\\/:*?"<>|\s]+/g, "_") + ".png";
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }, "image/png");
  });

  api.ready = true;
  document.body.setAttribute("data-ready", "1");
})();
