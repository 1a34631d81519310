// The dashboard's charts: SVG drawn by our own code (no charting library).
// Three kinds, the ones the figures use: stacked areas (shares over time),
// lines with optional bands (concentration, property shares, size), and
// stacked bars (shares by period). Each chart keeps what it drew in
// `container.drawn` ({title, labels, series: [{name, values}]}), which the
// CSV download and the browser test read, and shows the values under the
// pointer in the shared #tooltip.
"use strict";
var Charts = (function () {
  var NS = "http://www.w3.org/2000/svg";
  var M = { l: 62, r: 22, t: 14, b: 40 };

  function node(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  // An axis tick: a whole percentage needs no decimals ("20%", not
  // "20.0%"), as on the figures' axes.
  function tick(v, kind) {
    if (kind === "share" && isFinite(v) && Math.abs(100 * v - Math.round(100 * v)) < 1e-9) {
      return Math.round(100 * v) + "%";
    }
    return format(v, kind);
  }

  function format(v, kind) {
    if (v === null || v === undefined || !isFinite(v)) return "–";
    if (kind === "share") return (100 * v).toFixed(Math.abs(v) < 0.01 ? 2 : 1) + "%";
    if (kind === "index") return v.toFixed(3);
    var a = Math.abs(v), units = [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (a >= units[i][0]) return (v / units[i][0]).toPrecision(3) + units[i][1];
    }
    return String(Math.round(v * 100) / 100);
  }

  // About n round tick values covering [lo, hi].
  function ticks(lo, hi, n) {
    if (!(hi > lo)) hi = lo + 1;
    var step = Math.pow(10, Math.floor(Math.log10((hi - lo) / n)));
    var err = (hi - lo) / n / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(t);
    return out;
  }

  function logTicks(lo, hi) {
    var out = [];
    for (var e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(Math.pow(10, e));
    return out;
  }

  // The SVG, the scales and the axes of one chart.
  function frame(container, opt) {
    container.textContent = "";
    container.classList.add("chart");
    if (opt.title) {
      var h = document.createElement("h2");
      h.textContent = opt.title;
      container.appendChild(h);
    }
    // A chart in a two-column grid draws in a smaller box, so its text
    // keeps the same size on screen.
    var W = opt.compact ? 560 : 900, H = opt.compact ? 300 : 330, PW = W - M.l - M.r, PH = H - M.t - M.b;
    var svg = node("svg", { viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": opt.title || "chart" }, container);
    var n = opt.labels.length, band = !!opt.bands;
    var step = band ? PW / Math.max(n, 1) : PW / Math.max(n - 1, 1);
    var x = function (i) { return M.l + (band ? (i + 0.5) * step : (n === 1 ? PW / 2 : i * step)); };
    var lo = opt.yMin, hi = opt.yMax, y, yt;
    if (opt.log) {
      var llo = Math.log10(lo), lhi = Math.log10(hi);
      y = function (v) { return M.t + PH - (Math.log10(Math.max(v, lo)) - llo) / (lhi - llo) * PH; };
      yt = logTicks(lo, hi);
    } else {
      y = function (v) { return M.t + PH - (v - lo) / (hi - lo) * PH; };
      yt = ticks(lo, hi, 5);
    }
    var grid = node("g", { "class": "grid" }, svg), axis = node("g", { "class": "axis" }, svg);
    yt.forEach(function (t) {
      node("line", { x1: M.l, x2: W - M.r, y1: y(t), y2: y(t) }, grid);
      node("text", { x: M.l - 6, y: y(t) + 4, "text-anchor": "end" }, axis).textContent = tick(t, opt.format);
    });
    // As many bucket labels as fit without touching (a "2024 Q4" label is
    // about 45 units wide at 11 px), so a half-width chart shows fewer.
    var every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(PW / 75))));
    opt.labels.forEach(function (label, i) {
      if (i % every !== 0) return;
      var anchor = x(i) > W - M.r - 24 ? "end" : x(i) < M.l + 24 ? "start" : "middle";
      node("text", { x: x(i), y: H - M.b + 16, "text-anchor": anchor }, axis).textContent = label;
    });
    node("line", { x1: M.l, x2: W - M.r, y1: M.t + PH, y2: M.t + PH, stroke: "#999" }, axis);
    return { svg: svg, x: x, y: y, step: step, n: n, band: band, W: W, PW: PW, PH: PH };
  }

  function legend(container, items) {
    var div = document.createElement("div");
    div.className = "legend";
    items.forEach(function (it) {
      var s = document.createElement("span");
      s.style.setProperty("--swatch", it.colour);
      s.textContent = it.name;
      div.appendChild(s);
    });
    container.appendChild(div);
  }

  // The vertical guide and the tooltip with every series' value at the
  // bucket under the pointer.
  function hover(container, f, opt, series) {
    var guide = node("line", { "class": "guide", y1: M.t, y2: M.t + f.PH, visibility: "hidden" }, f.svg);
    var catcher = node("rect", { x: M.l, y: M.t, width: f.PW, height: f.PH, fill: "transparent" }, f.svg);
    var tip = document.getElementById("tooltip");
    catcher.addEventListener("mousemove", function (ev) {
      var box = f.svg.getBoundingClientRect();
      var sx = (ev.clientX - box.left) * f.W / box.width;
      var i = f.band ? Math.floor((sx - M.l) / f.step) : Math.round((sx - M.l) / f.step);
      i = Math.max(0, Math.min(f.n - 1, f.n === 1 ? 0 : i));
      guide.setAttribute("x1", f.x(i));
      guide.setAttribute("x2", f.x(i));
      guide.setAttribute("visibility", "visible");
      tip.textContent = "";
      var head = document.createElement("b");
      head.textContent = (opt.title ? opt.title + ": " : "") + opt.labels[i];
      tip.appendChild(head);
      series.slice().reverse().forEach(function (s) {
        var row = document.createElement("div"), sw = document.createElement("i");
        sw.style.background = s.colour;
        row.appendChild(sw);
        row.appendChild(document.createTextNode(s.name + ": " + format(s.values[i], opt.format)));
        tip.appendChild(row);
      });
      tip.hidden = false;
      tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 260) + "px";
      tip.style.top = ev.clientY + 12 + "px";
    });
    catcher.addEventListener("mouseleave", function () {
      tip.hidden = true;
      guide.setAttribute("visibility", "hidden");
    });
  }

  function keep(container, opt, series) {
    container.drawn = {
      title: opt.title || "",
      format: opt.format,
      labels: opt.labels.slice(),
      series: series.map(function (s) { return { name: s.name, colour: s.colour, values: s.values.slice() }; })
    };
  }

  function path(points) {
    return points.map(function (p, i) { return (i ? "L" : "M") + p[0].toFixed(1) + "," + p[1].toFixed(1); }).join("");
  }

  // Shares stacked to 1 over time: opt {title, labels, layers: [{name, colour, values}]}.
  function stacked(container, opt) {
    opt.yMin = 0; opt.yMax = 1; opt.format = "share";
    var f = frame(container, opt), base = opt.labels.map(function () { return 0; });
    opt.layers.forEach(function (layer) {
      var top = base.map(function (b, i) { return b + (layer.values[i] || 0); });
      var upper = top.map(function (v, i) { return [f.x(i), f.y(v)]; });
      var lower = base.map(function (v, i) { return [f.x(i), f.y(v)]; }).reverse();
      if (opt.labels.length === 1) {
        upper = [[M.l, f.y(top[0])], [f.W - M.r, f.y(top[0])]];
        lower = [[f.W - M.r, f.y(base[0])], [M.l, f.y(base[0])]];
      }
      node("path", { d: path(upper.concat(lower)) + "Z", fill: layer.colour, stroke: "#fff", "stroke-width": 0.5 }, f.svg)
        .appendChild(node("title")).textContent = layer.name;
      base = top;
    });
    legend(container, opt.layers);
    hover(container, f, opt, opt.layers);
    keep(container, opt, opt.layers);
  }

  // Lines with optional bands: opt {title, labels, series: [{name, colour,
  // values, low?, high?}], format, log?, yMin?, yMax?}.
  function lines(container, opt) {
    var all = [];
    opt.series.forEach(function (s) {
      [s.values, s.low || [], s.high || []].forEach(function (a) {
        a.forEach(function (v) { if (v !== null && isFinite(v) && (!opt.log || v > 0)) all.push(v); });
      });
    });
    if (opt.yMin === undefined) opt.yMin = opt.log ? (all.length ? Math.min.apply(null, all) : 1) : Math.min(0, Math.min.apply(null, all.concat([0])));
    if (opt.yMax === undefined) opt.yMax = Math.max.apply(null, all.concat([opt.log ? 10 : 1e-9])) * (opt.log ? 1.5 : 1.08);
    if (opt.log) { opt.yMin = Math.pow(10, Math.floor(Math.log10(opt.yMin))); opt.yMax = Math.pow(10, Math.ceil(Math.log10(opt.yMax))); }
    var f = frame(container, opt);
    opt.series.forEach(function (s) {
      if (s.low && s.high) {
        var up = [], down = [];
        s.low.forEach(function (lo, i) {
          if (lo === null || s.high[i] === null) return;
          up.push([f.x(i), f.y(s.high[i])]);
          down.unshift([f.x(i), f.y(lo)]);
        });
        if (up.length) node("path", { d: path(up.concat(down)) + "Z", fill: s.colour, opacity: 0.18 }, f.svg);
      }
      var runs = [[]];
      s.values.forEach(function (v, i) {
        if (v === null || !isFinite(v)) { runs.push([]); return; }
        runs[runs.length - 1].push([f.x(i), f.y(v)]);
      });
      runs.forEach(function (run) {
        if (!run.length) return;
        node("path", { d: path(run), fill: "none", stroke: s.colour, "stroke-width": 2, "stroke-dasharray": s.dash || "" }, f.svg);
        if (run.length < 8) run.forEach(function (p) { node("circle", { cx: p[0], cy: p[1], r: 3, fill: s.colour }, f.svg); });
      });
    });
    legend(container, opt.series);
    hover(container, f, opt, opt.series);
    keep(container, opt, opt.series);
  }

  // Stacked bars by period: opt {title, labels, layers: [{name, colour, values}]}.
  function bars(container, opt) {
    opt.yMin = 0; opt.yMax = 1; opt.format = "share"; opt.bands = true;
    var f = frame(container, opt), base = opt.labels.map(function () { return 0; });
    var w = f.step * 0.7;
    opt.layers.forEach(function (layer) {
      layer.values.forEach(function (v, i) {
        var y0 = f.y(base[i]), y1 = f.y(base[i] + (v || 0));
        node("rect", { x: f.x(i) - w / 2, y: y1, width: w, height: Math.max(0, y0 - y1), fill: layer.colour }, f.svg)
          .appendChild(node("title")).textContent = layer.name + ": " + format(v, "share");
        base[i] += v || 0;
      });
    });
    legend(container, opt.layers);
    hover(container, f, opt, opt.layers);
    keep(container, opt, opt.layers);
  }

  return { stacked: stacked, lines: lines, bars: bars, format: format, tick: tick };
})();
