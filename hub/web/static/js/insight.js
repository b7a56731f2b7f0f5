/* Draws the insight page's charts with ECharts from the JSON block the page carries; the tables under
   the charts hold the same numbers for screen readers, copying and browsers without script. */
(function () {
  "use strict";
  var WARN = "#b45309";
  var ACCENT = "#0f6b6b";
  var charts = [];

  function make(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    // SVG stays sharp on a projector and on paper.
    var chart = echarts.init(el, null, { renderer: "svg" });
    charts.push(chart);
    return chart;
  }

  function usage(data) {
    var chart = make("chart-usage");
    if (!chart) { return; }
    var names = ["download", "view", "search"];
    chart.setOption({
      color: [ACCENT, "#2563eb", "#7c3aed"],
      tooltip: { trigger: "axis" },
      legend: { top: 0, data: names.map(function (n) { return data.text[n]; }) },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: data.usage.days },
      yAxis: { type: "value", minInterval: 1 },
      series: names.map(function (n) {
        return { name: data.text[n], type: "line", showSymbol: false, data: data.usage.series[n] };
      })
    });
  }

  function coverage(data) {
    var chart = make("chart-coverage");
    if (!chart) { return; }
    var cells = data.coverage.cells;
    var max = Math.max.apply(null, [1].concat(cells.map(function (c) { return c[2]; })));
    chart.setOption({
      tooltip: {
        formatter: function (p) {
          var c = p.data.cell;
          return data.coverage.stages[c[1]] + " · " + data.coverage.subjects[c[0]] + ": " + c[2] +
            (c[3] ? " (" + data.text.gap + ")" : "");
        }
      },
      grid: { left: 64, right: 16, top: 8, bottom: 90 },
      xAxis: { type: "category", data: data.coverage.subjects, axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "category", data: data.coverage.stages },
      visualMap: { min: 0, max: max, show: false, inRange: { color: ["#fdf0e8", "#9fd3cf", ACCENT] } },
      series: [{
        type: "heatmap",
        name: data.text.local,
        label: {
          show: true,
          formatter: function (p) { return p.data.cell[3] ? "✕" : String(p.data.cell[2]); }
        },
        data: cells.map(function (c) {
          var item = { value: [c[0], c[1], c[2]], cell: c };
          if (c[3]) { item.itemStyle = { borderColor: WARN, borderWidth: 2 }; }
          return item;
        })
      }]
    });
    chart.on("click", function (p) {
      if (p.data && p.data.cell) { window.location.href = p.data.cell[4]; }
    });
  }

  function counties(data) {
    var chart = make("chart-map");
    if (!chart) { return; }
    fetch(data.map, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (geo) {
      echarts.registerMap("ningxia", geo);
      var values = data.counties.map(function (c) { return c.value || 0; });
      var names = {};
      data.counties.forEach(function (c) { names[c.code] = c; });
      chart.setOption({
        tooltip: {
          formatter: function (p) {
            var c = names[p.name];
            if (!c) { return p.name; }
            return c.name + (c.southern_mountain ? " ▲ " + data.text.southern : "") + "<br>" +
              data.text.per_teacher + ": " + (c.value === null ? data.text.no_data : c.value);
          }
        },
        visualMap: {
          min: 0, max: Math.max.apply(null, [1].concat(values)), calculable: false,
          text: [data.text.per_teacher, "0"], left: 8, bottom: 8,
          inRange: { color: ["#e3f1f0", ACCENT] }
        },
        series: [{
          type: "map", map: "ningxia", nameProperty: "code", roam: false,
          label: {
            show: true, fontSize: 10,
            formatter: function (p) {
              var c = names[p.name];
              return c ? (c.southern_mountain ? "▲" : "") + c.name : "";
            }
          },
          data: data.counties.map(function (c) {
            var item = { name: c.code, value: c.value === null ? 0 : c.value };
            if (c.southern_mountain) { item.itemStyle = { borderColor: WARN, borderWidth: 2.5 }; }
            return item;
          })
        }]
      });
    });
  }

  function resizeAll() { charts.forEach(function (c) { c.resize(); }); }

  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("insight-data");
    if (!block || typeof echarts === "undefined") { return; }
    var data = JSON.parse(block.textContent);
    usage(data);
    coverage(data);
    counties(data);
    window.addEventListener("resize", resizeAll);
    window.addEventListener("beforeprint", resizeAll);
    window.addEventListener("afterprint", resizeAll);
  });
})();
