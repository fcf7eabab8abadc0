/* 满意度统计 chart (ECharts, vendored): 满意率 as bars, 差评数 as a line on its own axis. The data
   comes from the page (json_script), so the chart and the table always show the same figures. */
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("rating-chart");
    var source = document.getElementById("rating-chart-data");
    if (!box || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
      yAxis: [
        { type: "value", min: 0, max: 100, name: data.names.rate },
        { type: "value", minInterval: 1, name: data.names.bad }
      ],
      series: [
        { name: data.names.rate, type: "bar", data: data.rates, itemStyle: { color: "#198754" } },
        { name: data.names.bad, type: "line", yAxisIndex: 1, data: data.bad, itemStyle: { color: "#b02a37" } }
      ]
    });
    box.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
