// The quality dashboard's trend chart: one line per entity, from quality:trend_data.
(function () {
  "use strict";
  var element = document.getElementById("quality-trend");
  if (!element || !window.echarts) { return; }
  fetch(element.dataset.url, { credentials: "same-origin" }).then(function (response) {
    return response.json();
  }).then(function (data) {
    if (!data.points.length) { element.textContent = element.dataset.empty; return; }
    var days = Array.from(new Set(data.points.map(function (p) { return p.day; }))).sort();
    var entities = Array.from(new Set(data.points.map(function (p) { return p.entity; })));
    var series = entities.map(function (entity) {
      var byDay = {};
      data.points.forEach(function (p) { if (p.entity === entity) { byDay[p.day] = p.score; } });
      return { name: entity, type: "line", smooth: true, data: days.map(function (d) { return byDay[d] === undefined ? null : byDay[d]; }) };
    });
    var chart = window.echarts.init(element);
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { data: entities },
      xAxis: { type: "category", data: days }, yAxis: { type: "value", min: 0, max: 100 }, series: series
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
