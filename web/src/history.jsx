// A device's detail: its controls, its history plotted with uPlot over a chosen range, and the
// traces that name it (why it changed). uPlot is loaded only here, so Home stays small.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, traceTick } from './api.js';
import { t, nameOf } from './i18n.js';
import { useSignal } from './store.js';
import { Controls } from './controls.jsx';
import { TraceTimeline } from './traces.jsx';

const ranges = { h1: 3600e3, h6: 6 * 3600e3, h24: 24 * 3600e3, d7: 7 * 24 * 3600e3 };

/** A time as a datetime-local input shows it (local time, to the minute), and back. */
const local = (ms) => { const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60e3); return d.toISOString().slice(0, 16); };
const parseLocal = (text) => (text ? new Date(text).getTime() : NaN);

/** The range pickers: the fixed ranges up to now, or any from–to chosen to the minute. */
function RangePicker({ span, onSpan }) {
  const [from, setFrom] = useState(local(span.from));
  const [to, setTo] = useState(local(span.to));
  const [problem, setProblem] = useState('');
  useEffect(() => { setFrom(local(span.from)); setTo(local(span.to)); }, [span.from, span.to]);
  const apply = (e) => {
    e.preventDefault();
    const f = parseLocal(from), tt = parseLocal(to);
    if (Number.isNaN(f) || Number.isNaN(tt)) return setProblem(t('badTime'));
    if (f >= tt) return setProblem(t('fromBeforeTo'));
    setProblem('');
    onSpan({ key: 'custom', from: f, to: tt });
  };
  return (
    <div class="ranges" role="group" aria-label={t('range')}>
      {Object.keys(ranges).map((k) => <button class={k === span.key ? 'on' : ''} data-range={k} onClick={() => { const now = Date.now(); onSpan({ key: k, from: now - ranges[k], to: now }); }}>{t(k)}</button>)}
      <form class={`custom ${span.key === 'custom' ? 'on' : ''}`} onSubmit={apply}>
        <label>{t('from')} <input type="datetime-local" name="from" value={from} onInput={(e) => setFrom(e.currentTarget.value)} /></label>
        <label>{t('to')} <input type="datetime-local" name="to" value={to} onInput={(e) => setTo(e.currentTarget.value)} /></label>
        <button type="submit" name="show-range">{t('show')}</button>
        {problem && <span class="error" role="alert">{problem}</span>}
      </form>
    </div>
  );
}

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
  const [span, setSpan] = useState(() => ({ key: 'h24', from: Date.now() - ranges.h24, to: Date.now() }));
  const [rows, setRows] = useState(null);
  const [traces, setTraces] = useState(null);
  const tick = useSignal(traceTick);
  const version = device?.version;

  useEffect(() => {
    if (!device) return;
    // A fixed range follows now: it is moved forward on every new reading.
    const to = span.key === 'custom' ? span.to : Date.now();
    const from = span.key === 'custom' ? span.from : to - ranges[span.key];
    api('GET', `/devices/${encodeURIComponent(device.id)}/history?from=${Math.floor(from)}&to=${Math.floor(to) + (span.key === 'custom' ? 0 : 60e3)}&limit=5000`)
      .then((r) => setRows(r.points || []), (e) => onError(e.message));
  }, [device?.id, span, span.key === 'custom' ? 0 : version]);
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
      <RangePicker span={span} onSpan={setSpan} />
      {rows && attrs.length === 0 && <p class="muted">{t('noHistory')}</p>}
      {attrs.map((a) => {
        const pts = byAttr[a];
        const end = (span.key === 'custom' ? Math.min(span.to, Date.now()) : Date.now()) / 1000;
        const start = span.key === 'custom' ? span.from / 1000 : end - ranges[span.key] / 1000;
        // A step chart: carry the last value to the range's end so a quiet attribute still shows a line.
        const x = pts.map((p) => p[0]).concat(end), y = pts.map((p) => p[1]).concat(pts[pts.length - 1][1]);
        const cap = device.capabilities.find((c) => c.attribute === a);
        return <div class="plot" data-attribute={a}><h4>{t(a)}</h4><Chart series={{ x, y, label: t(a), from: start }} unit={cap?.unit} /></div>;
      })}
      <h3>{t('traces')}</h3>
      {traces && traces.length === 0 && <p class="muted">{t('noTraces')}</p>}
      {traces && traces.map((tr) => <TraceTimeline trace={tr} />)}
    </section>
  );
}
