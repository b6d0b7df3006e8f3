// The home's areas (rooms): add, rename, delete, and move a device to another area. The hub
// refuses to delete an area that still has devices, and says which.
import { useState } from 'preact/hooks';
import { api, areas, devices, loadHome, scope } from './api.js';
import { t, nameOf } from './i18n.js';
import { useSignal } from './store.js';

function AreaRow({ area, members, all, admin, onError, onInfo }) {
  const [zh, setZh] = useState(area.name?.zh || '');
  const [en, setEn] = useState(area.name?.en || '');
  const [asking, setAsking] = useState(false);
  const changed = zh !== (area.name?.zh || '') || en !== (area.name?.en || '');
  const rename = (e) => {
    e.preventDefault();
    api('PUT', `/areas/${encodeURIComponent(area.id)}`, { name: { zh, en }, ...(area.floor ? { floor: area.floor } : {}) })
      .then(() => { onInfo(`${area.id} ✓`); return loadHome(); }, (err) => onError(err.message));
  };
  const remove = () => api('DELETE', `/areas/${encodeURIComponent(area.id)}`)
    .then(() => { onInfo(`${area.id}: ${t('deleted')}`); return loadHome(); }, (err) => onError(err.message))
    .finally(() => setAsking(false));
  const move = (id, to) => api('PUT', `/devices/${encodeURIComponent(id)}/area`, { area: to })
    .then(() => { onInfo(`${id} → ${to}`); return loadHome(); }, (err) => onError(err.message));
  return (
    <li data-area-row={area.id}>
      <form class="row" onSubmit={rename}>
        <code>{area.id}</code>
        <input name="zh" lang="zh" placeholder="中文" value={zh} disabled={!admin} onInput={(e) => setZh(e.currentTarget.value)} />
        <input name="en" lang="en" placeholder="English" value={en} disabled={!admin} onInput={(e) => setEn(e.currentTarget.value)} />
        <button type="submit" name="rename" disabled={!admin || !changed}>{t('rename')}</button>
        {asking
          ? <span class="confirm">{t('reallyDelete')} <button type="button" name="confirm-delete" class="danger" onClick={remove}>{t('yes')}</button>
              <button type="button" onClick={() => setAsking(false)}>{t('no')}</button></span>
          : <button type="button" name="delete" disabled={!admin} onClick={() => setAsking(true)}>{t('delete')}</button>}
      </form>
      <ul class="members">
        {members.map((d) => (
          <li data-member={d.id}>{nameOf(d.name, d.id)} <small>{d.id}</small>{' '}
            <select name="move" aria-label={t('moveTo')} value={area.id} disabled={!admin} onChange={(e) => move(d.id, e.currentTarget.value)}>
              {all.map((a) => <option value={a.id}>{nameOf(a.name, a.id)}</option>)}
            </select>
          </li>
        ))}
        {members.length === 0 && <li class="muted">{t('noDevices')}</li>}
      </ul>
    </li>
  );
}

export function Areas({ onError, onInfo }) {
  const rooms = useSignal(areas);
  const all = useSignal(devices);
  const admin = useSignal(scope) === 'admin';
  const [id, setId] = useState('');
  const [zh, setZh] = useState('');
  const [en, setEn] = useState('');
  const create = (e) => {
    e.preventDefault();
    api('POST', '/areas', { id, name: { zh, en } })
      .then(() => { onInfo(`${id} ✓`); setId(''); setZh(''); setEn(''); return loadHome(); }, (err) => onError(err.message));
  };
  const move = (device, to) => api('PUT', `/devices/${encodeURIComponent(device)}/area`, { area: to })
    .then(() => { onInfo(`${device} → ${to}`); return loadHome(); }, (err) => onError(err.message));
  const list = [...all.values()];
  // Devices that name an area the home does not have (yet) are shown too, so they can be moved.
  const lost = list.filter((d) => !rooms.some((a) => a.id === d.area));
  return (
    <section>
      <h2>{t('areas')}</h2>
      {!admin && <p class="muted">{t('adminOnly')}</p>}
      <form class="row panel" onSubmit={create} name="new-area">
        <input name="id" placeholder="id (a-z 0-9 _ - .)" value={id} required disabled={!admin} onInput={(e) => setId(e.currentTarget.value)} />
        <input name="zh" lang="zh" placeholder="中文" value={zh} disabled={!admin} onInput={(e) => setZh(e.currentTarget.value)} />
        <input name="en" lang="en" placeholder="English" value={en} disabled={!admin} onInput={(e) => setEn(e.currentTarget.value)} />
        <button type="submit" disabled={!admin}>+ {t('create')}</button>
      </form>
      <ul class="list areas">
        {rooms.map((a) => <AreaRow key={a.id + JSON.stringify(a.name)} area={a} all={rooms} admin={admin} onError={onError} onInfo={onInfo}
          members={list.filter((d) => d.area === a.id)} />)}
      </ul>
      {lost.length > 0 && (
        <div class="panel" data-lost><h3>{t('noArea')}</h3>
          <ul class="members">{lost.map((d) => (
            <li data-member={d.id}>{nameOf(d.name, d.id)} <small>{d.id} · {d.area || '—'}</small>{' '}
              <select name="move" aria-label={t('moveTo')} value="" disabled={!admin} onChange={(e) => move(d.id, e.currentTarget.value)}>
                <option value="" disabled>{t('moveTo')}</option>
                {rooms.map((a) => <option value={a.id}>{nameOf(a.name, a.id)}</option>)}
              </select>
            </li>))}
          </ul>
        </div>
      )}
    </section>
  );
}
