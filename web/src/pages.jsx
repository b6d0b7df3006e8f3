// Scenes, Rules, Notifications and Settings: lists over the REST API, every error shown in words.
import { useEffect, useState } from 'preact/hooks';
import { api, notices, traceTick } from './api.js';
import { t, nameOf, lang, setLang } from './i18n.js';
import { useSignal } from './store.js';
import { TraceTimeline } from './traces.jsx';
import { theme, setTheme } from './theme.js';
import { SceneForm } from './scene_form.jsx';
import { RuleEditor } from './rule_editor.jsx';

/** Delete in two steps, so that a tap on a wall panel does not delete by itself. */
function DeleteButton({ onDelete }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return <button name="delete" onClick={() => setAsking(true)}>{t('delete')}</button>;
  return (
    <span class="confirm">{t('reallyDelete')}
      <button name="confirm-delete" class="danger" onClick={() => { setAsking(false); onDelete(); }}>{t('yes')}</button>
      <button onClick={() => setAsking(false)}>{t('no')}</button>
    </span>
  );
}

function useLoad(path, deps = []) {
  const [data, setData] = useState(null);
  const [error, setError] = useState('');
  const reload = () => api('GET', path).then((d) => { setData(d); setError(''); }, (e) => setError(e.message));
  useEffect(() => { reload(); }, deps);
  return [data, error, reload];
}

export function Scenes({ onError, onInfo }) {
  const [data, error, reload] = useLoad('/scenes');
  const [editing, setEditing] = useState(undefined);  // undefined: list; null: a new scene; a scene: edit it
  const activate = (id) => api('POST', `/scenes/${encodeURIComponent(id)}/activate`, {})
    .then((r) => onInfo(`${id}: ${(r.commands || []).length} ${t('commands')}`), (e) => onError(e.message));
  const undo = () => api('POST', '/undo').then((r) => onInfo(`${t('undone')} ${r.label || ''}`), (e) => onError(e.message));
  const done = (id) => { setEditing(undefined); if (id) { onInfo(`${id} ✓`); reload(); } };
  const remove = (id) => api('DELETE', `/scenes/${encodeURIComponent(id)}`).then(() => { onInfo(`${id}: ${t('deleted')}`); reload(); }, (e) => onError(e.message));
  return (
    <section>
      <h2>{t('scenes')} <button onClick={undo}>↶ {t('undo')}</button> <button name="new-scene" onClick={() => setEditing(null)}>+ {t('create')}</button></h2>
      {error && <p class="error">{error}</p>}
      {editing !== undefined && <SceneForm scene={editing} onDone={done} onError={onError} />}
      <ul class="list">
        {(data?.scenes || []).map((s) => (
          <li data-scene={s.id}>
            <b>{nameOf(s.name, s.id)}</b> <small>{s.id}</small> · {(s.targets || []).length} {t('device')}
            {s.status?.available === false && <span class="error"> {t('unavailable')}: {s.status.problem}</span>}
            <span class="actions">
              <button onClick={() => setEditing(s)}>{t('edit')}</button>
              <button name="activate" onClick={() => activate(s.id)} disabled={s.status?.available === false}>{t('activate')}</button>
              <DeleteButton onDelete={() => remove(s.id)} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Rules({ onError, onInfo }) {
  const [data, error, reload] = useLoad('/rules');
  const [open, setOpen] = useState(null);
  const [traces, setTraces] = useState([]);
  const tick = useSignal(traceTick);
  const [last, setLast] = useState({});
  // The rule list has no last run; each rule's newest trace says when and how it last ran.
  useEffect(() => {
    if (!data?.rules) return;
    Promise.all(data.rules.map((r) => api('GET', `/rules/${encodeURIComponent(r.id)}/traces?limit=1`).then((x) => [r.id, x.traces?.[0]], () => [r.id, null])))
      .then((pairs) => setLast(Object.fromEntries(pairs)));
  }, [data, tick]);
  useEffect(() => {
    if (!open) return;
    api('GET', `/rules/${encodeURIComponent(open)}/traces?limit=20`).then((r) => setTraces(r.traces || []), (e) => onError(e.message));
  }, [open, tick]);
  const run = (id) => api('POST', `/rules/${encodeURIComponent(id)}/run`).then(() => { onInfo(`${id}: ${t('runNow')} ✓`); setOpen(id); reload(); }, (e) => onError(e.message));
  const [editing, setEditing] = useState(undefined);  // undefined: none; null: a new rule; an id: that rule
  const edited = (id) => { setEditing(undefined); if (id) { onInfo(`${id} ✓`); reload(); } };
  const remove = (id) => api('DELETE', `/rules/${encodeURIComponent(id)}`).then(() => { onInfo(`${id}: ${t('deleted')}`); reload(); }, (e) => onError(e.message));
  const toggle = (r) => api('POST', `/rules/${encodeURIComponent(r.id)}/${r.status?.enabled === false ? 'enable' : 'disable'}`).then(reload, (e) => onError(e.message));
  return (
    <section>
      <h2>{t('rules')} <button name="new-rule" onClick={() => setEditing(null)}>+ {t('newRule')}</button></h2>
      {error && <p class="error">{error}</p>}
      {editing !== undefined && <RuleEditor key={editing || ''} id={editing} onDone={edited} />}
      <ul class="list">
        {(data?.rules || []).map((r) => {
          const st = r.status || {};
          return (
            <li data-rule={r.id}>
              <b>{nameOf(typeof r.name === 'object' ? r.name : { en: r.name }, r.id)}</b> <small>{r.id}</small>
              {' '}<span class={`badge ${st.enabled === false ? 'offline' : 'online'}`}>{st.enabled === false ? t('disabled') : t('enabled')}</span>
              {st.available === false && <span class="error"> {t('unavailable')}: {st.problem}</span>}
              {' '}<span class="muted" data-last-run>{t('lastRun')}: {last[r.id] ? `${new Date(last[r.id].started).toLocaleString()} · ${last[r.id].outcome}` : t('never')}</span>
              <span class="actions">
                <button onClick={() => toggle(r)}>{st.enabled === false ? t('enable') : t('disable')}</button>
                <button onClick={() => run(r.id)}>{t('runNow')}</button>
                <button onClick={() => setOpen(open === r.id ? null : r.id)}>{t('traces')}</button>
                <button name="edit-yaml" onClick={() => setEditing(r.id)}>{t('editYaml')}</button>
                <DeleteButton onDelete={() => remove(r.id)} />
              </span>
              {open === r.id && <div class="traces">{traces.length === 0 ? <p class="muted">{t('nothing')}</p> : traces.map((tr) => <TraceTimeline trace={tr} />)}</div>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export function Notifications() {
  const live = useSignal(notices);
  const [data, error] = useLoad('/notifications?limit=50', [live.length]);
  const items = data?.notifications || [];
  return (
    <section>
      <h2>{t('notifications')}</h2>
      {error && <p class="error">{error}</p>}
      {items.length === 0 && <p class="muted">{t('nothing')}</p>}
      <ul class="list">{items.map((n) => <li><time>{new Date(n.time_ms || n.t || 0).toLocaleString()}</time> <b>{n.title || ''}</b> {n.message || n.text || JSON.stringify(n)}</li>)}</ul>
    </section>
  );
}

export function Settings({ onError }) {
  const l = useSignal(lang);
  const th = useSignal(theme);
  const [data, error, reload] = useLoad('/tokens');
  const [name, setName] = useState('');
  const [sc, setSc] = useState('read');
  const [secret, setSecret] = useState('');
  const create = (e) => {
    e.preventDefault();
    api('POST', '/tokens', { name, scope: sc }).then((r) => { setSecret(r.secret); setName(''); reload(); }, (err) => onError(err.message));
  };
  const revoke = (id) => api('DELETE', `/tokens/${encodeURIComponent(id)}`).then(reload, (err) => onError(err.message));
  return (
    <section>
      <h2>{t('settings')}</h2>
      <p>{t('language')}: <select value={l} onChange={(e) => setLang(e.currentTarget.value)}><option value="zh">中文</option><option value="en">English</option></select>
        {' '}{t('theme')}: <select value={th} onChange={(e) => setTheme(e.currentTarget.value)}>
          <option value="system">{t('system')}</option><option value="light">{t('light')}</option><option value="dark">{t('dark')}</option></select></p>
      <h3>{t('areas')}</h3>
      <p><a href="/areas" onClick={(e) => { e.preventDefault(); history.pushState(null, '', '/areas'); dispatchEvent(new PopStateEvent('popstate')); }}>{t('areasHint')}</a></p>
      <h3>{t('tokens')}</h3>
      {error && <p class="error">{error}</p>}
      <form class="row" onSubmit={create}>
        <input placeholder={t('name')} value={name} required onInput={(e) => setName(e.currentTarget.value)} />
        <select value={sc} onChange={(e) => setSc(e.currentTarget.value)}><option>read</option><option>control</option><option>admin</option></select>
        <button type="submit">{t('create')}</button>
      </form>
      {secret && <p class="secret">{t('secretOnce')} <code>{secret}</code></p>}
      <table class="tokens"><thead><tr><th>{t('name')}</th><th>{t('scope')}</th><th>{t('created')}</th><th /></tr></thead>
        <tbody>{(data?.tokens || []).map((tk) => <tr><td>{tk.name}</td><td>{tk.scope}</td><td>{tk.created_ms ? new Date(tk.created_ms).toLocaleString() : ''}</td>
          <td><button onClick={() => revoke(tk.id)}>{t('revoke')}</button></td></tr>)}</tbody></table>
    </section>
  );
}
