// Feedback analysis charts (ECharts). Data comes from the json_script block on the page; no inline script (CSP).
(function () {
  "use strict";
  var source = document.getElementById("feedback-chart-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    element.style.height = "300px";
    var chart = echarts.init(element);
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function pick(rows, key) { return rows.map(function (row) { return row[key]; }); }

  draw("chart-month", {
    tooltip: { trigger: "axis" }, legend: { data: [labels.nps, labels.csat] },
    xAxis: { type: "category", data: pick(data.month, "label") },
    yAxis: [{ type: "value", min: -100, max: 100, name: labels.nps }, { type: "value", min: 0, max: 5, name: labels.csat }],
    series: [
      { name: labels.nps, type: "line", data: pick(data.month, "nps"), connectNulls: true },
      { name: labels.csat, type: "line", yAxisIndex: 1, data: pick(data.month, "csat"), connectNulls: true }
    ]
  });
  ["segment", "product", "rep"].forEach(function (key) {
    var rows = data[key];
    draw("chart-" + key, {
      tooltip: { trigger: "axis" }, grid: { left: 120 },
      xAxis: { type: "value", min: -100, max: 100 },
      yAxis: { type: "category", data: pick(rows, "label") },
      series: [{ name: labels.nps, type: "bar", data: pick(rows, "nps") }]
    });
  });
})();
