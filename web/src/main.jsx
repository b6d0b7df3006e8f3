// The Hearth dashboard. Pages are chosen by the URL path (hearthd answers every page's path with
// index.html); the live feed keeps the home current.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { token, devices, areas, link, connect, signIn, signOut } from './api.js';
import { t, lang, setLang, nameOf } from './i18n.js';
import { theme, setTheme } from './theme.js';
import { signal, useSignal } from './store.js';
import { DeviceCard } from './controls.jsx';
import { VoiceBox } from './voice.jsx';

/** A page loaded on first use, so that Home (the wall panel's page) loads and paints only its own code. */
function lazyPage(load, name) {
  let Loaded = null;
  return function Page(props) {
    const [, setReady] = useState(false);
    const [error, setError] = useState('');
    useEffect(() => {
      if (!Loaded) load().then((m) => { Loaded = m[name]; setReady(true); }, (e) => setError(`${t('reloadPage')}: ${e.message}`));
    }, []);
    if (error) return <p class="error" role="alert">{error}</p>;
    return Loaded ? <Loaded {...props} /> : <p class="muted">…</p>;
  };
}
const DeviceDetail = lazyPage(() => import('./history.jsx'), 'DeviceDetail');
const Scenes = lazyPage(() => import('./pages.jsx'), 'Scenes');
const Rules = lazyPage(() => import('./pages.jsx'), 'Rules');
const Notifications = lazyPage(() => import('./pages.jsx'), 'Notifications');
const Settings = lazyPage(() => import('./pages.jsx'), 'Settings');
const Areas = lazyPage(() => import('./areas.jsx'), 'Areas');

const path = signal(location.pathname);
addEventListener('popstate', () => path.set(location.pathname));
const go = (p) => { history.pushState(null, '', p); path.set(p); scrollTo(0, 0); };

function SignIn() {
  const [secret, setSecret] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError('');
    try { await signIn(secret); } catch (err) { setError(`${t('badToken')}: ${err.message}`); } finally { setBusy(false); }
  };
  return (
    <form class="signin panel" onSubmit={submit}>
      <h1>{t('title')}</h1>
      <label>{t('token')}<input name="token" type="password" autocomplete="current-password" value={secret} required onInput={(e) => setSecret(e.currentTarget.value)} /></label>
      <p class="muted">{t('tokenHint')}</p>
      <button type="submit" disabled={busy}>{t('signIn')}</button>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}

function Home({ onError }) {
  const all = useSignal(devices);
  const rooms = useSignal(areas);
  const byArea = new Map();
  for (const d of all.values()) { if (!byArea.has(d.area)) byArea.set(d.area, []); byArea.get(d.area).push(d); }
  const order = [...rooms.map((a) => a.id), ...[...byArea.keys()].filter((k) => !rooms.some((a) => a.id === k))];
  return (
    <>
      <VoiceBox onError={onError} />
      {order.filter((a) => byArea.has(a)).map((a) => {
        const area = rooms.find((r) => r.id === a);
        return (
          <section class="room" data-area={a}>
            <h2>{nameOf(area?.name, a)}</h2>
            <div class="cards">{byArea.get(a).map((d) => <DeviceCard device={d} onError={onError} onOpen={(id) => go(`/devices/${encodeURIComponent(id)}`)} />)}</div>
          </section>
        );
      })}
    </>
  );
}

const nav = [['/', 'home'], ['/scenes', 'scenes'], ['/rules', 'rules'], ['/areas', 'areas'], ['/notifications', 'notifications'], ['/settings', 'settings']];

function App() {
  const tok = useSignal(token);
  const p = useSignal(path);
  const l = useSignal(lang);
  const th = useSignal(theme);
  const state = useSignal(link);
  const all = useSignal(devices);
  const [messages, setMessages] = useState([]);
  const say = (kind) => (text) => {
    const m = { kind, text };
    setMessages((all) => [...all.slice(-3), m]);
    // Confirmations fade after a while; errors stay until clicked away.
    if (kind === 'info') setTimeout(() => setMessages((all) => all.filter((x) => x !== m)), 8000);
  };
  const onError = say('error');
  const onInfo = say('info');
  useEffect(() => { document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'; document.title = t('title'); }, [l]);
  useEffect(() => { if (tok) connect(); }, [tok ? 1 : 0]);

  if (!tok) return <main><SignIn /></main>;
  let page;
  if (p.startsWith('/devices/')) {
    const id = decodeURIComponent(p.slice('/devices/'.length));
    page = <DeviceDetail device={all.get(id)} onError={onError} back={() => go('/')} />;
  } else if (p === '/scenes') page = <Scenes onError={onError} onInfo={onInfo} />;
  else if (p === '/rules') page = <Rules onError={onError} onInfo={onInfo} />;
  else if (p === '/areas') page = <Areas onError={onError} onInfo={onInfo} />;
  else if (p === '/notifications') page = <Notifications />;
  else if (p === '/settings') page = <Settings onError={onError} />;
  else page = <Home onError={onError} />;
  const online = [...all.values()].filter((d) => d.availability === 'online' || d.online === true).length;
  return (
    <>
      <header class="top">
        <b class="brand">Hearth</b>
        <nav>{nav.map(([href, key]) => <a href={href} class={p === href ? 'on' : ''} onClick={(e) => { e.preventDefault(); go(href); }}>{t(key)}</a>)}</nav>
        <span class={`link ${state}`} data-link={state} title={state}>{state === 'live' ? `● ${t('live')} · ${online}/${all.size}` : state === 'down' ? `○ ${t('reconnecting')}` : t('connecting')}</span>
        <button class="lang" onClick={() => setLang(l === 'zh' ? 'en' : 'zh')} title={t('language')}>{l === 'zh' ? 'EN' : '中文'}</button>
        <button class="theme" onClick={() => setTheme(th === 'dark' ? 'light' : 'dark')} title={t('theme')}>{th === 'dark' ? '☀' : '☾'}</button>
        <button class="signout" onClick={signOut}>{t('signOut')}</button>
      </header>
      <div class="messages" role="status">{messages.map((m) => <p class={m.kind} onClick={() => setMessages((x) => x.filter((y) => y !== m))}>{m.text}</p>)}</div>
      <main>{page}</main>
    </>
  );
}

render(<App />, document.getElementById('app'));
