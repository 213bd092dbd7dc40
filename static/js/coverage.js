/* Tibao (梯保): the coverage dashboards' charts (ECharts), drawn from the page's json_script data.
 *
 * Every figure comes from the server (the coverage engine); this file only draws it. A chart's
 * element is <div class="tb-chart" data-chart="KEY">; its data table sits beneath it in the page.
 * A drawn chart gets data-rendered="true" (the browser test waits for it). A click on a bar, a
 * district or a zone follows the row's drill-down link.
 */
(function () {
  "use strict";

  var source = document.getElementById("coverage-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var words = data.words || {};
  var charts = [];
  var PRIMARY = "#1f4e8c";
  var GOOD = "#2e8b57";
  var BAD = "#c0392b";

  function percent(rate) {
    return rate === null || rate === undefined ? "—" : (rate * 100).toFixed(1) + "%";
  }

  function draw(key, option, links) {
    var element = document.querySelector('[data-chart="' + key + '"]');
    if (!element) {
      return null;
    }
    if (option.tooltip) {
      // Tooltips drawn on the canvas, not as HTML: ECharts' HTML tooltips carry style attributes,
      // which the Content Security Policy blocks, and the labels in them are data, never markup.
      option.tooltip.renderMode = "richText";
    }
    var chart = window.echarts.init(element);
    chart.on("finished", function () {
      element.dataset.rendered = "true";
    });
    chart.setOption(option);
    if (links) {
      chart.on("click", function (params) {
        var url = links[params.name];
        if (url) {
          window.location.assign(url);
        }
      });
      element.style.cursor = "pointer";
    }
    charts.push(chart);
    return chart;
  }

  function linksOf(rows) {
    var links = {};
    rows.forEach(function (row) {
      if (row.url) {
        links[row.label] = row.url;
        links[row.key] = row.url;
      }
    });
    return links;
  }

  var target = data.target;

  // The rate against the target.
  if (data.total) {
    var rate = data.total.rate === null ? 0 : data.total.rate;
    draw("gauge", {
      series: [
        {
          type: "gauge",
          min: 0,
          max: 100,
          radius: "95%",
          center: ["50%", "60%"],
          startAngle: 200,
          endAngle: -20,
          axisLine: {
            lineStyle: { width: 14, color: [[target, BAD], [1, GOOD]] },
          },
          pointer: { width: 5 },
          axisTick: { show: false },
          splitLine: { length: 10 },
          axisLabel: { distance: 16, fontSize: 10, formatter: "{value}%" },
          detail: { valueAnimation: false, formatter: function () { return percent(data.total.rate); }, fontSize: 22, offsetCenter: [0, "35%"] },
          title: { offsetCenter: [0, "65%"], fontSize: 12 },
          data: [{ value: +(rate * 100).toFixed(1), name: (words.target || "") + " " + percent(target) }],
        },
      ],
    });
  }

  function targetLine() {
    return {
      silent: true,
      symbol: "none",
      lineStyle: { color: BAD, type: "dashed" },
      label: { formatter: (words.target || "") + " " + percent(target) },
      data: [{ xAxis: target * 100 }],
    };
  }

  // Horizontal bars of rates, one per row, with the target as a line.
  function bars(key, rows) {
    var shown = rows.slice().reverse(); // the first row on top
    var element = document.querySelector('[data-chart="' + key + '"]');
    if (element) {
      element.style.height = Math.max(160, 28 * shown.length + 60) + "px";
    }
    draw(
      key,
      {
        grid: { left: 8, right: 48, top: 16, bottom: 24, containLabel: true },
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var row = shown[params.dataIndex];
            return row.label + "\n" + percent(row.rate) + "（" + row.insured + " / " + row.in_scope + "）";
          },
        },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", data: shown.map(function (row) { return row.label; }) },
        series: [
          {
            type: "bar",
            name: words.rate,
            data: shown.map(function (row) {
              var value = row.rate === null ? 0 : +(row.rate * 100).toFixed(2);
              return { value: value, itemStyle: { color: row.rate !== null && row.rate >= target ? GOOD : PRIMARY } };
            }),
            label: { show: true, position: "right", formatter: function (params) { return percent(shown[params.dataIndex].rate); } },
            markLine: targetLine(),
          },
        ],
      },
      linksOf(rows)
    );
  }

  Object.keys(data.charts || {}).forEach(function (key) {
    bars(key, data.charts[key]);
  });

  // The renewal cliff: today, then each horizon if nothing is renewed.
  if (data.forecast && data.total) {
    var labels = [words.now].concat(data.forecast.map(function (point) { return point.label; }));
    var rates = [data.total.rate].concat(data.forecast.map(function (point) { return point.rate; }));
    draw("forecast", {
      grid: { left: 8, right: 24, top: 24, bottom: 24, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value === null ? "—" : value + "%"; } },
      xAxis: { type: "category", data: labels },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        {
          type: "line",
          name: words.rate,
          data: rates.map(function (value) { return value === null ? null : +(value * 100).toFixed(2); }),
          label: { show: true, formatter: function (params) { return percent(rates[params.dataIndex]); } },
          markLine: {
            silent: true,
            symbol: "none",
            lineStyle: { color: BAD, type: "dashed" },
            label: { formatter: (words.target || "") + " " + percent(target) },
            data: [{ yAxis: target * 100 }],
          },
        },
      ],
    });
  }

  // The monthly trend of frozen months against the target of each month.
  if (data.trend && data.trend.length) {
    var months = data.trend.map(function (m) { return m.month; });
    function points(values) {
      return values.map(function (value) { return value === null ? null : +(value * 100).toFixed(2); });
    }
    draw("trend", {
      grid: { left: 8, right: 24, top: 32, bottom: 24, containLabel: true },
      legend: { top: 0 },
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value === null ? "—" : value + "%"; } },
      xAxis: { type: "category", data: months },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { type: "line", name: words.rate, data: points(data.trend.map(function (m) { return m.rate; })), itemStyle: { color: PRIMARY } },
        {
          type: "line",
          name: words.target,
          step: "end",
          symbol: "none",
          data: points(data.trend.map(function (m) { return m.target; })),
          lineStyle: { type: "dashed", color: BAD },
          itemStyle: { color: BAD },
        },
      ],
    });
  }

  // The city's districts coloured by rate; development zones as labelled points.
  function drawMap(geojson) {
    var rows = (data.charts && data.charts.districts) || [];
    var byKey = {};
    rows.forEach(function (row) { byKey[row.key] = row; });
    geojson.features.forEach(function (feature) {
      feature.properties = feature.properties || {};
      feature.properties.code = String(feature.id);
    });
    window.echarts.registerMap(data.map.name, geojson);
    var areas = geojson.features.map(function (feature) {
      var row = byKey[feature.properties.code];
      return { name: feature.properties.code, value: row && row.rate !== null ? +(row.rate * 100).toFixed(2) : null };
    });
    var points = Object.keys(data.map.points || {}).map(function (code) {
      var row = byKey[code];
      var rateValue = row && row.rate !== null ? +(row.rate * 100).toFixed(2) : null;
      return { name: code, value: data.map.points[code].concat([rateValue]) };
    });
    function label(code) {
      var row = byKey[code];
      return row ? row.label + "\n" + percent(row.rate) : "";
    }
    draw(
      "map",
      {
        tooltip: {
          trigger: "item",
          formatter: function (params) {
            var row = byKey[params.name];
            return row ? row.label + "\n" + percent(row.rate) + "（" + row.insured + " / " + row.in_scope + "）" : "";
          },
        },
        visualMap: {
          min: 0,
          max: 100,
          left: 8,
          bottom: 8,
          text: ["100%", "0%"],
          calculable: false,
          inRange: { color: ["#f8d7da", "#fff3cd", "#d1e7dd", GOOD] },
          seriesIndex: [0, 1],
        },
        geo: {
          map: data.map.name,
          nameProperty: "code",
          roam: false,
          label: { show: true, fontSize: 10, formatter: function (params) { return label(params.name); } },
          itemStyle: { borderColor: "#fff", areaColor: "#e9ecef" },
          emphasis: { label: { show: true } },
        },
        series: [
          { type: "map", geoIndex: 0, data: areas },
          {
            type: "scatter",
            coordinateSystem: "geo",
            symbolSize: 14,
            data: points,
            label: { show: true, position: "right", fontSize: 10, formatter: function (params) { return label(params.name); } },
            itemStyle: { borderColor: "#fff", borderWidth: 1 },
          },
        ],
      },
      linksOf(rows)
    );
  }

  if (data.map && document.querySelector('[data-chart="map"]')) {
    window
      .fetch(data.map.url, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(drawMap);
  }

  // The insurers' loss ratios (the insurance regulator's view).
  if (data.insurers) {
    var insurers = data.insurers.slice().reverse();
    var element = document.querySelector('[data-chart="insurers"]');
    if (element) {
      element.style.height = Math.max(160, 28 * insurers.length + 60) + "px";
    }
    draw("insurers", {
      grid: { left: 8, right: 48, top: 16, bottom: 24, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: insurers.map(function (row) { return row.label; }) },
      series: [
        {
          type: "bar",
          data: insurers.map(function (row) { return row.loss_ratio === null ? 0 : +(row.loss_ratio * 100).toFixed(2); }),
          label: { show: true, position: "right", formatter: function (params) { return percent(insurers[params.dataIndex].loss_ratio); } },
          itemStyle: { color: PRIMARY },
        },
      ],
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
