// The forecast chart: history, forecast, 80 % and 95 % bands (data from the json_script element).
(function () {
  "use strict";
  var holder = document.getElementById("forecast-chart");
  var source = document.getElementById("forecast-chart-data");
  if (!holder || !source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  if (!data) { return; }
  var periods = data.history.map(function (row) { return row[0]; })
    .concat(data.forecast.map(function (row) { return row[0]; }));
  var offset = data.history.length;
  function column(index) {
    var values = new Array(offset).fill(null);
    return values.concat(data.forecast.map(function (row) { return row[index]; }));
  }
  var actual = data.history.map(function (row) { return row[1]; })
    .concat(new Array(data.forecast.length).fill(null));
  var mean = column(1);
  if (offset > 0 && data.forecast.length) { mean[offset - 1] = data.history[offset - 1][1]; }
  var lo80 = column(2), hi80 = column(3), lo95 = column(4), hi95 = column(5);
  function width(hi, lo) { return hi.map(function (v, i) { return v === null ? null : v - lo[i]; }); }
  var chart = echarts.init(holder, null, { renderer: "canvas" });
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null || v === undefined ? "—" : Math.round(v).toLocaleString(); } },
    legend: { data: [data.names.history, data.names.forecast, data.names.band80, data.names.band95], bottom: 0 },
    grid: { left: 8, right: 8, top: 16, bottom: 48, containLabel: true },
    xAxis: { type: "category", data: periods, boundaryGap: false },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return v >= 1e6 ? (v / 1e6) + "M" : v >= 1e3 ? (v / 1e3) + "k" : v; } } },
    series: [
      { name: "base95", type: "line", data: lo95, stack: "b95", lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
      { name: data.names.band95, type: "line", data: width(hi95, lo95), stack: "b95", lineStyle: { opacity: 0 }, symbol: "none",
        areaStyle: { color: "rgba(13,110,253,0.12)" } },
      { name: "base80", type: "line", data: lo80, stack: "b80", lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
      { name: data.names.band80, type: "line", data: width(hi80, lo80), stack: "b80", lineStyle: { opacity: 0 }, symbol: "none",
        areaStyle: { color: "rgba(13,110,253,0.22)" } },
      { name: data.names.history, type: "line", data: actual, symbol: "circle", symbolSize: 4, color: "#212529" },
      { name: data.names.forecast, type: "line", data: mean, symbol: "circle", symbolSize: 4, color: "#0d6efd", lineStyle: { type: "dashed" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
