// One device card: the right control for each capability the device describes, its availability
// and the cause of its last change. Commands go over REST; the card shows the state the device
// reports back, so a toggle flips when the device confirms, not when it is clicked.
import { useState } from 'preact/hooks';
import { command, scope } from './api.js';
import { useSignal } from './store.js';
import { t, nameOf } from './i18n.js';

const hidden = new Set(['transition', 'action', 'skip', 'track']);
const fmt = (v, unit) => (v === undefined || v === null || v === '' ? '—' : typeof v === 'boolean' ? t(v ? 'yes' : 'no') : typeof v === 'number' ? `${Math.round(v * 10) / 10}${unit ? ' ' + unit : ''}` : String(v));

function Slider({ cap, value, onSet, disabled }) {
  const [local, setLocal] = useState(null);
  const shown = local ?? value ?? cap.min ?? 0;
  return (
    <label class="slider">
      <span>{t(cap.attribute)} <b>{fmt(shown, cap.unit)}</b></span>
      <input type="range" min={cap.min ?? 0} max={cap.max ?? 100} step={cap.step ?? 1} value={shown} disabled={disabled}
        data-attr={cap.attribute}
        onInput={(e) => setLocal(Number(e.currentTarget.value))}
        onChange={(e) => { const v = Number(e.currentTarget.value); setLocal(null); onSet({ [cap.attribute]: v }); }} />
    </label>
  );
}

function Thermostat({ cap, value, onSet, disabled }) {
  const step = cap.step ?? 0.5;
  const v = typeof value === 'number' ? value : 24;
  const clamp = (x) => Math.min(cap.max ?? 30, Math.max(cap.min ?? 16, x));
  return (
    <div class="thermostat" data-attr={cap.attribute}>
      <span>{t('target_temperature')}</span>
      <button disabled={disabled} aria-label="−" onClick={() => onSet({ target_temperature: clamp(v - step) })}>−</button>
      <b>{fmt(value, cap.unit)}</b>
      <button disabled={disabled} aria-label="+" onClick={() => onSet({ target_temperature: clamp(v + step) })}>+</button>
    </div>
  );
}

function Choice({ cap, value, onSet, disabled }) {
  return (
    <label class="choice">
      <span>{t(cap.attribute)}</span>
      <select value={value ?? ''} disabled={disabled} data-attr={cap.attribute} onChange={(e) => onSet({ [cap.attribute]: e.currentTarget.value })}>
        {value === undefined && <option value="">—</option>}
        {cap.options.map((o) => <option value={o}>{o}</option>)}
      </select>
    </label>
  );
}

function Transport({ device, onSet, disabled }) {
  const playing = device.state?.playback === 'playing';
  const has = (a) => device.capabilities.some((c) => c.attribute === a);
  return (
    <div class="transport">
      <button disabled={disabled} data-attr="playback" onClick={() => onSet({ playback: playing ? 'paused' : 'playing' })}>{playing ? '⏸ ' + t('pause') : '▶ ' + t('play')}</button>
      <button disabled={disabled} onClick={() => onSet({ playback: 'stopped' })}>■ {t('stop')}</button>
      {has('skip') && <button disabled={disabled} onClick={() => onSet({ skip: 'next' })}>» {t('next')}</button>}
      {device.state?.track && <span class="track">♪ {device.state.track}</span>}
    </div>
  );
}

export function Controls({ device, onError }) {
  // A read-scope token (a wall panel that only shows the home) gets the state without the controls.
  const readOnly = useSignal(scope) === 'read';
  const usable = device.online !== false && device.availability !== 'offline' && !readOnly;
  const send = (set) => command(device.id, set).catch((e) => onError(`${nameOf(device.name, device.id)}: ${e.message}`));
  const caps = device.capabilities.filter((c) => !hidden.has(c.attribute));
  const writable = (c) => c.access.includes('write');
  const s = device.state || {};
  const out = [];
  const readings = [];
  for (const cap of caps) {
    const v = s[cap.attribute];
    if (cap.attribute === 'playback' && writable(cap)) { out.push(<Transport device={device} onSet={send} disabled={!usable} />); continue; }
    if (!writable(cap)) { readings.push(<span class="reading" data-attr={cap.attribute}>{t(cap.attribute)} <b>{fmt(v, cap.unit)}</b></span>); continue; }
    if (cap.type === 'bool') {
      const label = cap.attribute === 'on' ? (v ? t('on') : t('off'))
        : cap.attribute === 'locked' ? (v ? '🔒 ' + t('locked') : t('unlocked'))
        : cap.attribute === 'cleaning' ? (v ? t('running') : t('cleaning')) : t(cap.attribute);
      out.push(
        <label class="toggle">
          <span>{label}</span>
          <input type="checkbox" role="switch" data-attr={cap.attribute} checked={!!v} disabled={!usable}
            onClick={(e) => { e.preventDefault(); send({ [cap.attribute]: !v }); }} />
        </label>);
    } else if (cap.attribute === 'target_temperature') out.push(<Thermostat cap={cap} value={v} onSet={send} disabled={!usable} />);
    else if (cap.type === 'number') out.push(<Slider cap={cap} value={v} onSet={send} disabled={!usable} />);
    else if (cap.type === 'enum') out.push(<Choice cap={cap} value={v} onSet={send} disabled={!usable} />);
    else if (cap.attribute === 'media') out.push(<span class="reading">{t('media')} <b>{fmt(v)}</b></span>);
  }
  return <div class="controls">{out}{readings.length > 0 && <div class="readings">{readings}</div>}</div>;
}

export function DeviceCard({ device, onError, onOpen }) {
  const availability = device.availability || (device.online ? 'online' : 'unknown');
  const cause = device.last?.context?.cause;
  return (
    <article class={`card ${availability}`} data-device={device.id} data-availability={availability}>
      <header>
        <a href={`/devices/${encodeURIComponent(device.id)}`} onClick={(e) => { e.preventDefault(); onOpen(device.id); }}>{nameOf(device.name, device.id)}</a>
        <span class={`badge ${availability}`}>{t(availability) || availability}</span>
      </header>
      <Controls device={device} onError={onError} />
      {cause && <footer class="cause">{t('cause')}: {cause}{device.last.context.source ? ` · ${device.last.context.source}` : ''}</footer>}
    </article>
  );
}
