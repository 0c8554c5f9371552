// The dashboard's charts: the report's Plotly figures, read from the page's JSON (never executed as script).
(function () {
  var source = document.getElementById("chart-data");
  if (!source || typeof Plotly === "undefined") { return; }
  var charts = JSON.parse(source.textContent);
  var drawn = 0;
  Object.keys(charts).forEach(function (id) {
    var element = document.getElementById("chart-" + id);
    if (!element) { return; }
    var figure = charts[id];
    Plotly.newPlot(element, figure.data, figure.layout, {displaylogo: false, responsive: true});
    drawn += 1;
  });
  document.body.setAttribute("data-charts-drawn", String(drawn));
})();
