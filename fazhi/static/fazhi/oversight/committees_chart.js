/* The committee disclosure bar chart by subdistrict (ECharts, vendored). The data comes from the
   page (json_script), so the chart and the table always show the same figures. */
(function () {
  "use strict";
  function draw() {
    var box = document.getElementById("committee-chart");
    var source = document.getElementById("committee-chart-data");
    if (!box || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var colours = { on_time: "#198754", late: "#cc8a00", missing: "#b02a37" };
    var chart = window.echarts.init(box, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0 },
      grid: { left: 8, right: 8, bottom: 8, top: 36, containLabel: true },
      xAxis: { type: "category", data: data.subdistricts, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1, name: "期数" },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", stack: "total", data: s.data, itemStyle: { color: colours[s.key] } };
      })
    });
    box.setAttribute("data-ready", "1");
    window.addEventListener("resize", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
