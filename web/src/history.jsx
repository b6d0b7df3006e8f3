// A device's detail: its controls, its history plotted with uPlot over a chosen range, and the
// traces that name it (why it changed). uPlot is loaded only here, so Home stays small.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, traceTick } from './api.js';
import { t, nameOf } from './i18n.js';
import { useSignal } from './store.js';
import { Controls } from './controls.jsx';
import { TraceTimeline } from './traces.jsx';

const ranges = { h1: 3600e3, h6: 6 * 3600e3, h24: 24 * 3600e3, d7: 7 * 24 * 3600e3 };

function Chart({ series, unit }) {
  const ref = useRef(null);
  useEffect(() => {
    let plot = null;
    let gone = false;
    import('./chart.js').then(({ drawChart }) => {
      if (gone || !ref.current) return;
      plot = drawChart(ref.current, series, unit);
    });
    return () => { gone = true; plot?.destroy(); };
  }, [series]);
  return <div class="chart" ref={ref} data-points={series.x.length} />;
}

export function DeviceDetail({ device, onError, back }) {
  const [range, setRange] = useState('h24');
  const [rows, setRows] = useState(null);
  const [traces, setTraces] = useState(null);
  const tick = useSignal(traceTick);
  const version = device?.version;

  useEffect(() => {
    if (!device) return;
    const to = Date.now();
    api('GET', `/devices/${encodeURIComponent(device.id)}/history?from=${to - ranges[range]}&to=${to + 60e3}&limit=5000`)
      .then((r) => setRows(r.points || []), (e) => onError(e.message));
  }, [device?.id, range, version]);
  useEffect(() => {
    if (!device) return;
    api('GET', `/traces?device=${encodeURIComponent(device.id)}&limit=20`).then((r) => setTraces(r.traces || []), (e) => onError(e.message));
  }, [device?.id, tick]);

  if (!device) return <p>…</p>;
  const numeric = device.capabilities.filter((c) => c.type === 'number' || c.type === 'bool').map((c) => c.attribute);
  const byAttr = {};
  for (const r of rows || []) {
    if (!numeric.includes(r.attribute)) continue;
    const v = typeof r.value === 'boolean' ? (r.value ? 1 : 0) : r.value;
    if (typeof v !== 'number') continue;
    (byAttr[r.attribute] ||= []).push([r.time_ms / 1000, v]);
  }
  const attrs = Object.keys(byAttr);
  return (
    <section class="detail">
      <button class="back" onClick={back}>← {t('back')}</button>
      <h2>{nameOf(device.name, device.id)} <small>{device.id}</small></h2>
      <div class="card wide"><Controls device={device} onError={onError} /></div>
      <h3>{t('history')}</h3>
      <div class="ranges" role="group" aria-label={t('range')}>
        {Object.keys(ranges).map((k) => <button class={k === range ? 'on' : ''} data-range={k} onClick={() => setRange(k)}>{t(k)}</button>)}
      </div>
      {rows && attrs.length === 0 && <p class="muted">{t('noHistory')}</p>}
      {attrs.map((a) => {
        const pts = byAttr[a];
        const now = Date.now() / 1000;
        // A step chart: carry the last value to now so a quiet attribute still shows a line.
        const x = pts.map((p) => p[0]).concat(now), y = pts.map((p) => p[1]).concat(pts[pts.length - 1][1]);
        const cap = device.capabilities.find((c) => c.attribute === a);
        return <div class="plot" data-attribute={a}><h4>{t(a)}</h4><Chart series={{ x, y, label: t(a), from: now - ranges[range] / 1000 }} unit={cap?.unit} /></div>;
      })}
      <h3>{t('traces')}</h3>
      {traces && traces.length === 0 && <p class="muted">{t('noTraces')}</p>}
      {traces && traces.map((tr) => <TraceTimeline trace={tr} />)}
    </section>
  );
}
