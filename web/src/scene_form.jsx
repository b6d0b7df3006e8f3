// Create or edit a scene: id, names, and targets (device + the state to reach). Checked here against
// each device's capabilities before it is sent (unknown attribute, read-only, wrong type, out of
// range), and the hub's own 422 is shown with the field it names.
import { useState } from 'preact/hooks';
import { api, devices } from './api.js';
import { t, nameOf } from './i18n.js';
import { useSignal } from './store.js';

/** The problems of one target's state text against the device; empty when it is fine. */
export function checkTarget(device, text) {
  if (!device) return ['choose a device'];
  let state;
  try { state = JSON.parse(text || '{}'); } catch (e) { return [`state is not JSON: ${e.message}`]; }
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return ['state is a JSON object, e.g. {"on": true}'];
  if (Object.keys(state).length === 0) return ['state is empty'];
  const problems = [];
  for (const [attr, value] of Object.entries(state)) {
    const cap = device.capabilities.find((c) => c.attribute === attr);
    if (!cap) { problems.push(`${attr}: ${device.id} has no such attribute`); continue; }
    if (!cap.access.includes('write')) { problems.push(`${attr} is read-only`); continue; }
    if (value && typeof value === 'object' && 'expr' in value) continue;  // evaluated by the hub
    if (cap.type === 'bool' && typeof value !== 'boolean') problems.push(`${attr} is true or false`);
    if (cap.type === 'number') {
      if (typeof value !== 'number') problems.push(`${attr} is a number`);
      else if ((cap.min !== undefined && value < cap.min) || (cap.max !== undefined && value > cap.max)) problems.push(`${attr} ${value} is outside ${cap.min}–${cap.max}${cap.unit ? ' ' + cap.unit : ''}`);
    }
    if (cap.type === 'enum' && !cap.options.includes(value)) problems.push(`${attr} is one of ${cap.options.join(', ')}`);
  }
  return problems;
}

export function SceneForm({ scene, onDone, onError }) {
  const all = useSignal(devices);
  const editing = !!scene;
  const [id, setId] = useState(scene?.id || '');
  const [zh, setZh] = useState(scene?.name?.zh || '');
  const [en, setEn] = useState(scene?.name?.en || '');
  const [targets, setTargets] = useState((scene?.targets || [{ device: '', state: {} }]).map((x) => ({ device: x.device, text: JSON.stringify(x.state) })));
  const [serverError, setServerError] = useState('');
  const [tried, setTried] = useState(false);
  const idProblem = /^[a-z0-9_]+$/.test(id) ? '' : 'id: lower-case letters, digits and _';
  const problems = targets.map((x) => checkTarget(all.get(x.device), x.text));
  const valid = !idProblem && problems.every((p) => p.length === 0);
  const set = (i, patch) => setTargets(targets.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const save = async (e) => {
    e.preventDefault();
    setTried(true); setServerError('');
    if (!valid) return;
    const body = { id, name: { ...(zh ? { zh } : {}), ...(en ? { en } : {}) }, targets: targets.map((x) => ({ device: x.device, state: JSON.parse(x.text) })) };
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/scenes/${encodeURIComponent(id)}` : '/scenes', body);
      onDone(id);
    } catch (err) { setServerError(err.message); onError(err.message); }
  };
  return (
    <form class="scene-form panel" onSubmit={save} novalidate>
      <div class="row">
        <input name="id" placeholder="id" value={id} disabled={editing} onInput={(e) => setId(e.currentTarget.value)} />
        <input name="name_zh" placeholder="名称" value={zh} onInput={(e) => setZh(e.currentTarget.value)} />
        <input name="name_en" placeholder="name" value={en} onInput={(e) => setEn(e.currentTarget.value)} />
      </div>
      {tried && idProblem && <p class="error">{idProblem}</p>}
      {targets.map((x, i) => (
        <div class="target" data-target={i}>
          <div class="row">
            <select name="device" value={x.device} onChange={(e) => set(i, { device: e.currentTarget.value })}>
              <option value="">{t('device')}…</option>
              {[...all.values()].map((d) => <option value={d.id}>{d.id} — {nameOf(d.name)}</option>)}
            </select>
            <input name="state" class="state" value={x.text} placeholder='{"on": true, "brightness": 30}' onInput={(e) => set(i, { text: e.currentTarget.value })} />
            <button type="button" onClick={() => setTargets(targets.filter((_, j) => j !== i))}>✕</button>
          </div>
          {(tried || x.text.length > 2) && problems[i].map((p) => <p class="error field-error">{p}</p>)}
        </div>
      ))}
      <div class="row">
        <button type="button" onClick={() => setTargets([...targets, { device: '', text: '{}' }])}>+ {t('device')}</button>
        <button type="submit" name="save">{t('save')}</button>
        <button type="button" onClick={() => onDone(null)}>{t('cancel')}</button>
      </div>
      {serverError && <p class="error" role="alert">{serverError}</p>}
    </form>
  );
}
