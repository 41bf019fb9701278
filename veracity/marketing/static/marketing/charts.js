/* Marketing charts: each <div data-chart="…" data-source="id"> reads its data from the
   json_script element named by data-source (no inline scripts: CSP). */
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }

  function data(element) {
    var source = document.getElementById(element.dataset.source);
    return source ? JSON.parse(source.textContent) : null;
  }

  function campaignReport(element, d) {
    return {
      tooltip: { trigger: "axis" },
      legend: { data: [d.labels.revenue, d.labels.cost, d.labels.roi] },
      grid: { left: 60, right: 60, bottom: 80 },
      xAxis: { type: "category", data: d.campaigns, axisLabel: { rotate: 30 } },
      yAxis: [{ type: "value" }, { type: "value", axisLabel: { formatter: "{value}%" } }],
      series: [
        { name: d.labels.revenue, type: "bar", data: d.revenue },
        { name: d.labels.cost, type: "bar", data: d.cost },
        { name: d.labels.roi, type: "line", yAxisIndex: 1, data: d.roi }
      ]
    };
  }

  function demandHeatmap(element, d) {
    var values = d.cells.map(function (c) { return c[2]; }).filter(function (v) { return v !== null; });
    var bound = Math.max(10, Math.min(200, Math.max.apply(null, values.map(Math.abs).concat([0]))));
    return {
      tooltip: { formatter: function (p) {
        var v = p.data[2];
        return d.rows[p.data[1]] + " · " + d.columns[p.data[0]] + ": " + (v === null ? "—" : v.toFixed(1) + "%");
      } },
      grid: { left: 120, right: 20, bottom: 100 },
      xAxis: { type: "category", data: d.columns, axisLabel: { rotate: 30 } },
      yAxis: { type: "category", data: d.rows },
      visualMap: { min: -bound, max: bound, calculable: true, orient: "horizontal", left: "center", bottom: 0,
                   text: [d.label, ""], inRange: { color: ["#c0392b", "#f7f7f7", "#1e8449"] } },
      series: [{ type: "heatmap", data: d.cells.map(function (c) { return [c[0], c[1], c[2] === null ? 0 : c[2]]; }),
                 label: { show: false } }]
    };
  }

  var builders = { "campaign-report": campaignReport, "demand-heatmap": demandHeatmap };
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var d = data(element);
    var build = builders[element.dataset.chart];
    if (!d || !build) { return; }
    element.style.height = element.classList.contains("chart-tall") ? "480px" : "360px";
    var chart = echarts.init(element);
    chart.setOption(build(element, d));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
