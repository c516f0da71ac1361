// The heatmap of an org's year (compliance/org_heatmap.html): rules × months, one colour per status.
// The data comes from the page's JSON block (no inline script: the CSP forbids them); a click on a
// cell opens the meetings of that period.
(function () {
  var COLOURS = {met: "#198754", missed: "#dc3545", open: "#ffc107", exempt: "#e9ecef"};

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-heatmap"));
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var narrow = element.clientWidth < 576;
    var chart = window.echarts.init(element, null, {renderer: "canvas"});
    chart.setOption({
      animation: false,
      tooltip: {
        position: "top",
        formatter: function (params) { return params.data.title; }
      },
      grid: {left: 8, right: 8, top: 8, bottom: 40, containLabel: true},
      xAxis: {type: "category", data: data.months, splitArea: {show: true},
              axisLabel: {interval: 0, fontSize: narrow ? 9 : 12}},
      yAxis: {type: "category", data: data.rows, inverse: true, splitArea: {show: true},
              axisLabel: {fontSize: narrow ? 10 : 12, width: narrow ? 90 : 200, overflow: "truncate"}},
      visualMap: {
        type: "piecewise", orient: "horizontal", left: "center", bottom: 0, itemWidth: 14, itemHeight: 10,
        dimension: 2, selectedMode: false,
        pieces: data.statuses.map(function (s) { return {value: s.value, label: s.label, color: COLOURS[s.key]}; })
      },
      series: [{
        type: "heatmap",
        data: data.points,
        label: {show: !narrow, formatter: function (params) { return params.data.held || ""; }},
        itemStyle: {borderColor: "#fff", borderWidth: 1},
        emphasis: {itemStyle: {borderColor: "#000"}}
      }]
    });
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    window.addEventListener("resize", function () { chart.resize(); });
    element.setAttribute("data-drawn", "true");
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("[data-heatmap]"), draw);
  });
})();
