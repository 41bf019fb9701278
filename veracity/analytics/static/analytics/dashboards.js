// Draws every dashboard chart from the JSON the page embeds (no inline scripts: CSP), and sends a click
// on a bar, point or slice to the list of records behind it.
(function () {
  "use strict";
  if (typeof echarts === "undefined") { return; }
  var charts = [];
  var narrow = window.matchMedia("(max-width: 576px)").matches;
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(element, null, { renderer: "canvas" });
    var option;
    if (data.type === "pie" || data.type === "funnel") {
      var series = data.series[0] || { data: [] };
      option = {
        // ECharts' default palette has nine colours; RFM has eleven segments, so the tenth slice ("lost")
        // took the first slice's colour ("champions"). Three more, distinct from the nine.
        color: ["#5470c6", "#91cc75", "#fac858", "#ee6666", "#73c0de", "#3ba272", "#fc8452", "#9a60b4",
                "#ea7ccc", "#8d6e63", "#2f4554", "#c4ccd3"],
        tooltip: { trigger: "item" },
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: data.type, radius: data.type === "pie" ? ["35%", "65%"] : undefined,
          // On a phone the labels around a pie are cut off; the legend and the table name the slices.
          label: { show: !narrow },
          // Thin slices (a segment of a few customers) would pile their labels on top of each other:
          // hide a label whose slice is too thin or would overlap; the tooltip and legend still name it.
          minShowLabelAngle: 6,
          labelLayout: { hideOverlap: true },
          data: data.categories.map(function (name, i) { return { name: name, value: series.data[i] }; })
        }]
      };
    } else {
      option = {
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", bottom: 0 },
        grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
        xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
        yAxis: { type: "value" },
        series: data.series.map(function (s) {
          return { name: s.name, type: data.type === "line" ? "line" : "bar", data: s.data, smooth: true };
        })
      };
    }
    chart.setOption(option);
    chart.on("click", function (params) {
      var link = data.links[params.dataIndex];
      if (link) { window.location.href = link; }
    });
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
