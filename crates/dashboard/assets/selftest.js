// The page's own check, run only when the URL ends in #selftest (the
// browser test opens it so in headless Chromium and reads the results
// from <body data-*>). It works the controls as a person would (clicks
// tabs and radios, changes selects, types a search), and records what
// failed: a view that draws nothing, a control that changes nothing, a
// hover without values, an empty CSV, and the values shown in a few
// fixed states (compared with the analysis files by the test).
"use strict";
(function () {
  if (!/selftest/.test(location.hash)) return;
  var H = window.hubeconDashboard, form = document.getElementById("controls");
  var failures = [], checks = 0;
  function check(ok, what) { checks++; if (!ok) failures.push(what); }
  function drawing() {
    return Array.prototype.map.call(document.querySelectorAll("#view svg"), function (s) { return s.innerHTML; }).join("|");
  }
  function drive(control, value) {
    if (control === "view") { document.querySelector("#tabs button[data-view=" + value + "]").click(); return; }
    if (control === "lens" || control === "window") {
      form.querySelector("input[name=" + control + "][value=" + value + "]").click();
      return;
    }
    var el = form.elements[control];
    el.value = value;
    el.dispatchEvent(new Event("change"));
  }
  function hovered() {
    var rect = document.querySelector("#view svg rect[fill=transparent]");
    if (!rect) return false;
    var box = rect.getBoundingClientRect();
    rect.dispatchEvent(new MouseEvent("mousemove", { clientX: box.left + box.width * 0.9, clientY: box.top + box.height / 2, bubbles: true }));
    var tip = document.getElementById("tooltip");
    return !tip.hidden && /\d/.test(tip.textContent);
  }

  H.views.forEach(function (view) {
    drive("view", view.key);
    var base = drawing();
    check(H.state.view === view.key && base.length > 0 && document.querySelectorAll("#view svg path, #view svg rect").length > 2,
      view.key + ": draws nothing");
    view.controls.filter(function (c) { return c !== "search"; }).forEach(function (c) {
      var original = H.state[c];
      H.options[c].filter(function (o) { return o !== original; }).forEach(function (other) {
        drive(c, other);
        var changed = drawing() !== base;
        // The lineage view is quarterly: month and quarter draw the same.
        var same = view.key === "lineage" && ((original === "quarter" && other === "month") || (original === "month" && other === "quarter"));
        check(same ? !changed : changed, view.key + ": " + c + " = " + other + (same ? " should draw as quarter" : " changed nothing"));
        drive(c, original);
      });
    });
    check(hovered(), view.key + ": hovering shows no values");
    var csv = H.csvText().trim().split("\n");
    check(csv.length > 2 && /^chart,bucket,series,value/.test(csv[0]), view.key + ": the CSV is empty");
  });
  ["lens", "window", "bucket", "index", "search"].forEach(function (c) {
    drive("view", "properties");
    check(document.getElementById("control-" + c).disabled, "properties: " + c + " should be disabled");
  });

  // The search: a developer, then a family root, then a name not there.
  var D = H.data;
  var inSlice = function (s) { return Object.keys(s[H.state.lens + "/" + H.state.window] || s[H.state.window])[0]; };
  [inSlice(D.search.developers.downloads), inSlice(D.search.families.downloads)].forEach(function (name) {
    drive("view", "country");
    drive("search", name);
    check(H.state.view === "top_developers" && document.querySelector("#view .search-chart svg path") !== null,
      "search for " + name + " draws no line");
  });
  drive("search", "no such developer, surely");
  check(document.querySelector("#view .search-chart") === null && /not among/.test(document.getElementById("view").textContent),
    "a name not in the data should say so");
  drive("search", "");

  // The figures' palette and words; a bad address said on the page.
  drive("view", "concentration");
  var lines = document.querySelector("#view .chart").drawn.series;
  check(lines[0].colour === H.data.concentration.colours.developers &&
    lines[1].colour === H.data.concentration.colours.family_roots, "concentration: not the figure's colours");
  drive("view", "properties");
  var legends = Array.prototype.map.call(document.querySelectorAll("#view .chart"), function (c) {
    return c.drawn ? c.drawn.series.map(function (s) { return s.name; }).join(",") : "";
  }).join(",");
  check(!/open_source|no_card|(^|,)moe(,|$)/.test(legends), "properties: a raw key in a legend: " + legends);
  var ignored = H.applyAddress("#bucket=week&view=nowhere&lens=direct");
  check(ignored.length === 2 && !document.getElementById("url-warning").hidden &&
    /bucket=week/.test(document.getElementById("url-warning").textContent), "a bad address is not said");
  H.applyAddress("#view=country");
  check(document.getElementById("url-warning").hidden, "a good address still warns");
  drive("view", "lineage");
  check(form.elements.bucket.querySelector("option[value=month]").disabled, "lineage offers months it does not have");
  drive("view", "country");

  // What is shown in fixed states, for the test to compare with the files.
  function shown(state) {
    Object.keys(state).forEach(function (k) { drive(k, state[k]); });
    var drawn = document.querySelector("#view .chart").drawn, last = drawn.labels.length - 1, out = { bucket: drawn.labels[last] };
    drawn.series.forEach(function (s) { out[s.name] = s.values[last]; });
    return JSON.stringify(out);
  }
  document.body.dataset.shownOrgType = shown({ view: "org_type", lens: "direct", window: "all_downloads", bucket: "quarter" });
  document.body.dataset.shownCountryYearDerived = shown({ view: "country", lens: "derived", window: "first_year", bucket: "year" });
  document.body.dataset.shownConcentration = shown({ view: "concentration", lens: "direct", window: "all_downloads", bucket: "quarter", index: "gini" });
  drive("lens", "direct"); drive("window", "all_downloads"); drive("bucket", "quarter"); drive("index", "hhi"); drive("view", "country");

  document.body.dataset.selftestChecks = String(checks);
  document.body.dataset.selftestFailures = JSON.stringify(failures);
  document.body.dataset.consoleErrors = JSON.stringify(window.hubeconErrors);
  document.body.dataset.selftest = failures.length || window.hubeconErrors.length ? "fail" : "pass";
})();
