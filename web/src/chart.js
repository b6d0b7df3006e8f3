// uPlot, in its own chunk: only the device page loads it.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function drawChart(el, { x, y, label, from }, unit) {
  const dark = document.documentElement.dataset.theme === 'dark';
  const ink = dark ? '#ddd' : '#333';
  const grid = dark ? '#444' : '#e4e4e4';
  const opts = {
    width: Math.max(280, el.clientWidth || 600),
    height: 200,
    series: [{}, { label, stroke: '#e4572e', width: 2, fill: 'rgba(228,87,46,0.12)', paths: uPlot.paths.stepped({ align: 1 }) }],
    axes: [{ stroke: ink, grid: { stroke: grid } }, { stroke: ink, grid: { stroke: grid }, label: unit || '' }],
    // The x axis spans the chosen range; the first point may be older (the value carried into it).
    scales: { x: { time: true, range: (u, min, max) => [Math.max(min, from ?? min), max] } },
    legend: { show: true },
  };
  return new uPlot(opts, [x, y], el);
}
