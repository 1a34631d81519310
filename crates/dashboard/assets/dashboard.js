// The dashboard: the views, the controls and the state in the URL hash
// (#view=country&lens=derived&window=first_year&bucket=year&index=gini&search=Qwen).
// Shares are re-bucketed from monthly downloads (additive, so exact);
// concentration is read per bucket as the analyses computed it.
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("hubecon-data").textContent);
  var started = performance.now();

  var VIEWS = [
    { key: "country", name: "Country groups", controls: ["lens", "window", "bucket"] },
    { key: "org_type", name: "Organization types", controls: ["lens", "window", "bucket"] },
    { key: "top_developers", name: "Top developers", controls: ["lens", "window", "bucket", "search"] },
    { key: "concentration", name: "Concentration", controls: ["lens", "window", "bucket", "index"] },
    { key: "properties", name: "Model properties", controls: [] },
    { key: "lineage", name: "Lineage and intermediaries", controls: ["bucket"], buckets: ["quarter", "year"] }
  ];
  var OPTIONS = {
    lens: ["direct", "derived"],
    window: ["all_downloads", "first_year"],
    bucket: ["month", "quarter", "year"],
    index: ["hhi", "gini", "cr4", "cr10"]
  };
  // The figures' words for the analyses' keys (legends showed open_source,
  // no_card, moe); a key not listed here is shown as it is.
  var LABELS = {
    open_source: "Open source", open_weights: "Open weights", restricted: "Restricted", unknown: "Unknown",
    available: "Data available", disclosed: "Data disclosed", undisclosed: "Data not disclosed", no_card: "No model card",
    multimodal: "Multimodal generation", quantized: "Quantized", moe: "Mixture of experts",
    original: "Original", finetune: "Fine-tune", adapter: "Adapter", merge: "Merge",
    quantize_adapt: "Quantize and adapt", any_derivative: "Any derivative",
    mean: "Mean", median: "Median"
  };
  function human(key) { return LABELS[key] || key; }

  var state = { view: "country", lens: "direct", window: "all_downloads", bucket: "quarter", index: "hhi", search: "" };
  var INDEX_NAMES = { hhi: "HHI", gini: "Gini", cr4: "CR4 (top-4 share)", cr10: "CR10 (top-10 share)" };
  var WINDOW_NAMES = { all_downloads: "all downloads", first_year: "first year of each model" };

  // ---- time buckets -------------------------------------------------------
  function bucketOf(day, bucket) {
    var y = day.slice(0, 4), m = +day.slice(5, 7);
    if (bucket === "year") return y + "-01-01";
    if (bucket === "quarter") { var q = Math.floor((m - 1) / 3) * 3 + 1; return y + "-" + (q < 10 ? "0" : "") + q + "-01"; }
    return day;
  }
  function label(b, bucket) {
    if (bucket === "year") return b.slice(0, 4);
    if (bucket === "quarter") return b.slice(0, 4) + " Q" + (Math.floor((+b.slice(5, 7) - 1) / 3) + 1);
    return b.slice(0, 7);
  }
  // Sums each row of `rows` (aligned to `days`) into the buckets.
  function rebucket(days, rows, bucket) {
    var keys = [], at = {};
    days.forEach(function (d) { var b = bucketOf(d, bucket); if (!(b in at)) { at[b] = keys.length; keys.push(b); } });
    var out = rows.map(function (r) {
      var s = keys.map(function () { return 0; });
      r.forEach(function (v, i) { s[at[bucketOf(days[i], bucket)]] += v || 0; });
      return s;
    });
    return { keys: keys, rows: out };
  }
  function totals(rows) {
    return rows[0].map(function (_, i) { return rows.reduce(function (t, r) { return t + r[i]; }, 0); });
  }
  // Buckets with downloads only (the first-year window starts later).
  function sharesOf(days, rows, bucket, total) {
    var r = rebucket(days, rows, bucket), t = total ? rebucket(days, [total], bucket).rows[0] : totals(r.rows);
    var keep = r.keys.map(function (_, i) { return t[i] > 0; });
    var pick = function (a) { return a.filter(function (_, i) { return keep[i]; }); };
    return {
      keys: pick(r.keys),
      labels: pick(r.keys).map(function (k) { return label(k, bucket); }),
      shares: r.rows.map(function (row) { return pick(row.map(function (v, i) { return t[i] > 0 ? v / t[i] : 0; })); })
    };
  }
  function slice() { return state.lens + "/" + state.window; }

  // ---- views ----------------------------------------------------------------
  function chartBox(parent) { var d = document.createElement("div"); d.className = "chart"; parent.appendChild(d); return d; }
  function note(parent, text) { var p = document.createElement("p"); p.className = "note"; p.textContent = text; parent.appendChild(p); }
  function lensText() {
    return (state.lens === "direct" ? "direct lens (credited to the uploader)" : "derived lens (credited to the developer of the family root)") +
      ", " + WINDOW_NAMES[state.window];
  }

  function shareView(main, key) {
    var v = D.shares[key], s = sharesOf(D.months, v.downloads[slice()], state.bucket);
    Charts.stacked(chartBox(main), {
      title: v.title + " by " + state.bucket, labels: s.labels,
      layers: v.categories.map(function (c, i) { return { name: c, colour: v.colours[i], values: s.shares[i] }; })
    });
    note(main, lensText() + ". Source: figures/" + v.file + " (monthly downloads, summed into each " + state.bucket + ").");
    return s;
  }

  // All downloads per month in the current window (every lens credits them all).
  function monthTotals(lens) {
    return totals(D.shares.country.downloads[lens + "/" + state.window]);
  }

  function searchView(main) {
    var name = state.search.trim();
    if (!name) { note(main, "Type a developer (e.g. one of the top developers) or a family root in the search box to see its share over time."); return; }
    var dev = D.search.developers.downloads[slice()][name], fam = D.search.families.downloads[state.window][name];
    var series = [], colours = ["#0072B2", "#D55E00"];
    [[dev, name + " (developer, " + state.lens + " lens)", state.lens], [fam, name + " (family root)", "direct"]].forEach(function (p) {
      if (!p[0]) return;
      var s = sharesOf(D.months, [p[0]], state.bucket, monthTotals(p[2]));
      series.push({ name: p[1], labels: s.labels, values: s.shares[0] });
    });
    if (!series.length) {
      note(main, "“" + name + "” is not among the " + D.search.developers.names.length + " developers or " +
        D.search.families.names.length + " family roots with the most downloads in this lens and window.");
      return;
    }
    var box = chartBox(main); box.classList.add("search-chart");
    Charts.lines(box, {
      title: "Share of all downloads: " + name, labels: series[0].labels, format: "share",
      series: series.map(function (s, i) { return { name: s.name, colour: colours[i], values: s.values }; })
    });
    note(main, lensText() + ". Sources: figures/" + D.search.files.join(", figures/") + ".");
  }

  function concentrationView(main) {
    var C = D.concentration, b = state.bucket, ix = state.index;
    var dev = state.lens === "direct" ? "developers" : "root_developers";
    var banded = b === "quarter" && state.window === "all_downloads";
    var series = [
      [dev, state.lens === "direct" ? "Developers (uploader)" : "Developers (root's developer)", C.colours.developers, state.lens === "direct"],
      ["family_roots", "Family roots", C.colours.family_roots, true]
    ].map(function (s) {
      var out = { name: s[1], colour: s[2], values: C.values[b + "/" + s[0] + "/" + state.window][ix] };
      if (banded && s[3]) { out.low = C.bands[s[0]][ix].low; out.high = C.bands[s[0]][ix].high; }
      return out;
    });
    Charts.lines(chartBox(main), {
      title: INDEX_NAMES[ix] + " of download shares by " + b, labels: C.buckets[b].map(function (k) { return label(k, b); }),
      format: "index", yMin: 0, series: series
    });
    note(main, lensText() + ". " + (banded ? "Bands: the figure's 95% cluster-bootstrap intervals (figures/05_concentration.csv). " :
      "Bands are computed for quarters over all downloads only. ") + "Source: figures/" + C.file + ".");
  }

  function propertiesView(main) {
    var P = D.properties, grid = document.createElement("div");
    grid.className = "charts two"; main.appendChild(grid);
    Charts.lines(chartBox(grid), {
      title: "Model size (download-weighted parameters)", labels: P.size.periods, format: "count", log: true, compact: true,
      series: [{ name: human("mean"), colour: P.size.colours[0], values: P.size.mean }, { name: human("median"), colour: P.size.colours[1], values: P.size.median, dash: "5 3" }]
    });
    Charts.lines(chartBox(grid), {
      title: "Share of downloads: multimodal, quantized, MoE", labels: P.flags.periods, format: "share", yMin: 0, compact: true,
      series: P.flags.properties.map(function (p, i) {
        return { name: human(p), colour: P.flags.colours[i], values: P.flags.share[i], low: P.flags.low[i], high: P.flags.high[i] };
      })
    });
    [[P.openness, "Openness (share of downloads by year)"], [P.transparency, "Training-data transparency (share of downloads)"]].forEach(function (t) {
      Charts.bars(chartBox(grid), {
        title: t[1], labels: t[0].periods, compact: true,
        layers: t[0].categories.map(function (c, i) { return { name: human(c), colour: t[0].colours[i], values: t[0].share[i] }; })
      });
    });
    note(main, "By study period, all downloads (the lens does not change a model's properties). Sources: figures/" +
      [P.size.file, P.flags.file, P.openness.file, P.transparency.file].join(", figures/") + "; bands: 95% intervals of the analysis.");
  }

  function lineageView(main) {
    var L = D.lineage, I = L.intermediaries, b = state.bucket === "month" ? "quarter" : state.bucket;
    var grid = document.createElement("div"); grid.className = "charts two"; main.appendChild(grid);
    var mix = sharesOf(L.quarters, L.downloads, b);
    Charts.stacked(chartBox(grid), {
      title: "Lineage mix: share of downloads by relation", labels: mix.labels, compact: true,
      layers: L.relations.map(function (r, i) { return { name: r, colour: L.colours[i], values: mix.shares[i] }; })
    });
    var own = rebucket(I.quarters, I.downloads, b), all = rebucket(I.quarters, I.all, b);
    Charts.lines(chartBox(grid), {
      title: "Intermediaries' share of all downloads", format: "share", yMin: 0, compact: true,
      labels: own.keys.map(function (k) { return label(k, b); }),
      series: I.definitions.map(function (d, i) {
        return { name: d === "quantize_adapt" ? "quantizers and adapters" : d === "any_derivative" ? "any derivative" : d, colour: I.colours[i], values: own.rows[i].map(function (v, j) { return all.rows[i][j] > 0 ? v / all.rows[i][j] : null; }) };
      })
    });
    note(main, (state.bucket === "month" ? "These analyses are quarterly: shown by quarter. " : "") +
      "Sources: figures/" + L.file + ", figures/" + I.file + ".");
    var h = document.createElement("h2"); h.textContent = "The top intermediaries (all downloads)"; main.appendChild(h);
    var table = document.createElement("table"); table.className = "top"; main.appendChild(table);
    var head = ["rank", "developer", "downloads", "share of all downloads", "derivative share", "models"];
    table.innerHTML = "<tr>" + head.map(function (c) { return "<th>" + c + "</th>"; }).join("") + "</tr>";
    I.top.forEach(function (t) {
      var tr = document.createElement("tr");
      [t.rank, t.author, Charts.format(t.downloads, "count"), Charts.format(t.share, "share"), Charts.format(t.derivative_share, "share"), t.models]
        .forEach(function (c) { var td = document.createElement("td"); td.textContent = c; tr.appendChild(td); });
      table.appendChild(tr);
    });
  }

  var RENDER = {
    country: function (m) { shareView(m, "country"); },
    org_type: function (m) { shareView(m, "org_type"); },
    top_developers: function (m) { shareView(m, "top_developers"); searchView(m); },
    concentration: concentrationView,
    properties: propertiesView,
    lineage: lineageView
  };

  // ---- controls, state, CSV ----------------------------------------------------
  var form = document.getElementById("controls");
  function render() {
    var view = VIEWS.filter(function (v) { return v.key === state.view; })[0] || VIEWS[0];
    state.view = view.key;
    Array.prototype.forEach.call(document.querySelectorAll("#tabs button"), function (b) {
      b.setAttribute("aria-selected", String(b.dataset.view === view.key));
    });
    ["lens", "window", "bucket", "index", "search"].forEach(function (c) {
      var fs = document.getElementById("control-" + c);
      fs.disabled = view.controls.indexOf(c) < 0;
      fs.title = fs.disabled ? "not used by this view" : "";
    });
    // A view computed by quarter offers no months.
    Array.prototype.forEach.call(form.elements.bucket.options, function (o) {
      o.disabled = !!view.buckets && view.buckets.indexOf(o.value) < 0;
    });
    form.elements.bucket.value = view.buckets && view.buckets.indexOf(state.bucket) < 0 ? view.buckets[0] : state.bucket;
    form.elements.index.value = state.index;
    form.elements.search.value = state.search;
    form.querySelector("input[name=lens][value=" + state.lens + "]").checked = true;
    form.querySelector("input[name=window][value=" + state.window + "]").checked = true;
    document.getElementById("tooltip").hidden = true;
    var main = document.getElementById("view");
    main.textContent = "";
    RENDER[view.key](main);
    var hash = Object.keys(state).filter(function (k) { return state[k]; }).map(function (k) {
      return k + "=" + encodeURIComponent(state[k]);
    }).join("&");
    if (!/selftest/.test(location.hash)) history.replaceState(null, "", "#" + hash);
  }

  function set(key, value) { state[key] = value; render(); }

  function csvText() {
    var rows = [["chart", "bucket", "series", "value", "view", "lens", "window", "time_bucket"]];
    Array.prototype.forEach.call(document.querySelectorAll("#view .chart"), function (c) {
      if (!c.drawn) return;
      c.drawn.series.forEach(function (s) {
        s.values.forEach(function (v, i) {
          rows.push([c.drawn.title, c.drawn.labels[i], s.name, v === null || v === undefined ? "" : v, state.view, state.lens, state.window, state.bucket]);
        });
      });
    });
    return rows.map(function (r) { return r.map(csvCell).join(","); }).join("\n") + "\n";
  }

  // One CSV cell. Names are text: one starting with = + - @ tab or CR would
  // run as a formula in a spreadsheet, so it gets a leading ' (as the
  // figures' CSVs do); numbers stay as they are.
  function csvCell(x) {
    if (typeof x === "string" && /^[=+\-@\t\r']/.test(x)) x = "'" + x;
    x = String(x);
    return /[",\n\r]/.test(x) ? '"' + x.replace(/"/g, '""') + '"' : x;
  }

  function downloadCsv() {
    var a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([csvText()], { type: "text/csv" }));
    a.download = ["hubecon", state.view, state.lens, state.window, state.bucket].join("_") + ".csv";
    document.body.appendChild(a); a.click(); a.remove();
  }

  function setup() {
    var O = D.overview;
    document.getElementById("synthetic").hidden = !O.synthetic;
    document.getElementById("overview").textContent = Charts.format(O.models, "count") + " models, " +
      Charts.format(O.downloads, "count") + " downloads, " + Charts.format(O.developers, "count") + " developers, " +
      D.months[0].slice(0, 7) + " to " + D.months[D.months.length - 1].slice(0, 7) + ".";
    document.getElementById("span").textContent = "Weekly downloads cover " + O.span + ".";
    var tabs = document.getElementById("tabs");
    VIEWS.forEach(function (v) {
      var b = document.createElement("button");
      b.type = "button"; b.dataset.view = v.key; b.textContent = v.name; b.setAttribute("role", "tab");
      b.addEventListener("click", function () { set("view", v.key); });
      tabs.appendChild(b);
    });
    var list = document.getElementById("search-names");
    D.search.developers.names.concat(D.search.families.names).forEach(function (n) {
      var o = document.createElement("option"); o.value = n; list.appendChild(o);
    });
    ["lens", "window"].forEach(function (k) {
      Array.prototype.forEach.call(form.querySelectorAll("input[name=" + k + "]"), function (r) {
        r.addEventListener("change", function () { if (r.checked) set(k, r.value); });
      });
    });
    ["bucket", "index"].forEach(function (k) {
      form.elements[k].addEventListener("change", function () { set(k, form.elements[k].value); });
    });
    form.elements.search.addEventListener("change", function () {
      state.search = form.elements.search.value;
      set("view", "top_developers");
    });
    document.getElementById("download-csv").addEventListener("click", downloadCsv);
    applyAddress(location.hash);
  }

  // Reads the settings of an address (`#view=...&bucket=...`) into the
  // state; a bad one is said on the page, not silently replaced by the
  // defaults. Returns what was ignored.
  function applyAddress(hash) {
    var ignored = [];
    hash.replace(/^#/, "").split("&").forEach(function (kv) {
      if (!kv || kv === "selftest") return;
      var p = kv.split("="), k = p[0], v = decodeURIComponent(p[1] || "");
      if (k === "view" && RENDER[v]) state.view = v;
      else if (OPTIONS[k] && OPTIONS[k].indexOf(v) >= 0) state[k] = v;
      else if (k === "search") state.search = v;
      else ignored.push(kv + (k === "view" ? " (views: " + Object.keys(RENDER).join(", ") + ")" :
        OPTIONS[k] ? " (" + k + ": " + OPTIONS[k].join(", ") + ")" : " (not a setting)"));
    });
    var warning = document.getElementById("url-warning");
    warning.hidden = !ignored.length;
    warning.textContent = ignored.length ? "Ignored in the address: " + ignored.join("; ") + "." : "";
    return ignored;
  }

  setup();
  render();
  document.body.dataset.renderMs = String(Math.round(performance.now()));
  document.body.dataset.scriptMs = String(Math.round(performance.now() - started));
  window.hubeconDashboard = { data: D, state: state, views: VIEWS, options: OPTIONS, set: set, csvText: csvText, sharesOf: sharesOf, applyAddress: applyAddress };
})();
