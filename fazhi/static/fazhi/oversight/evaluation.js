/* Comprehensive evaluation pages (no inline script: the CSP allows only our own files).
 * - Scheme form: show the indicators that apply to the chosen unit kind and keep a live sum
 *   of the weights (the server checks it again when the scheme is activated).
 * - Evaluation page: the bar chart of totals and the stacked bar of weighted scores by
 *   indicator, drawn with the vendored ECharts from the page's json_script data. */
(function () {
  "use strict";

  function cents(text) {
    var value = parseFloat(String(text || "").trim());
    return isFinite(value) ? Math.round(value * 100) : 0;
  }

  function schemeForm() {
    var form = document.getElementById("scheme-form");
    if (!form) return;
    var kind = form.querySelector("[name=unit_kind]");
    var rows = form.querySelectorAll(".indicator-row");
    var sum = document.getElementById("weight-sum");
    var note = document.getElementById("weight-sum-note");

    function update() {
      var chosen = kind ? kind.value : "";
      var total = 0;
      rows.forEach(function (row) {
        var applies = (" " + row.dataset.unitKinds + " ").indexOf(" " + chosen + " ") >= 0;
        row.hidden = !applies;
        var input = row.querySelector("input");
        if (input) {
          input.disabled = !applies;
          if (applies) total += cents(input.value);
        }
      });
      sum.textContent = (total / 100).toString();
      if (total === 10000) {
        note.textContent = "合计为 100，可以启用。";
        note.className = "ms-2 small text-success";
      } else {
        note.textContent = "启用前须调整为 100。";
        note.className = "ms-2 small text-danger";
      }
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  function charts() {
    var source = document.getElementById("evaluation-chart-data");
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var drawn = [];
    var totals = document.getElementById("chart-totals");
    if (totals) {
      var one = window.echarts.init(totals);
      one.setOption({
        animation: false,
        grid: { left: 48, right: 16, top: 24, bottom: 72 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: [{ name: "总分", type: "bar", data: data.totals, label: { show: true, position: "top" } }]
      });
      drawn.push(one);
    }
    var stacked = document.getElementById("chart-stacked");
    if (stacked) {
      var two = window.echarts.init(stacked);
      two.setOption({
        animation: false,
        grid: { left: 48, right: 16, top: 48, bottom: 72 },
        legend: { top: 0, type: "scroll" },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "category", data: data.units, axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value", min: 0, max: 100 },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "total", data: s.data };
        })
      });
      drawn.push(two);
    }
    window.addEventListener("resize", function () {
      drawn.forEach(function (chart) { chart.resize(); });
    });
    document.documentElement.dataset.evaluationCharts = String(drawn.length);
  }

  function start() {
    schemeForm();
    charts();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
