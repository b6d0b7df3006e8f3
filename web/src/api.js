// The hub: REST calls with the session's token, and the live WebSocket that keeps `devices` current.
// Errors from the API become ApiError with the hub's own words; nothing is swallowed.
import { signal } from './store.js';
import { t } from './i18n.js';

export const token = signal(sessionStorage.getItem('hearth.token') || '');
export const scope = signal('');
export const devices = signal(new Map());      // id → device (with state, online, availability)
export const areas = signal([]);
export const link = signal('connecting');      // connecting | live | down
export const notices = signal([]);             // live notifications, newest first
export const traceTick = signal(0);            // bumps on every live trace message

export class ApiError extends Error {
  constructor(status, error) {
    const words = error?.message || `HTTP ${status}`;
    super(`${words}${error?.field ? ` (${error.field})` : ''}`);
    this.status = status;
    this.code = error?.code || 'http_' + status;
    this.field = error?.field;
    this.line = error?.line;       // for a body sent as YAML: where in the text
    this.column = error?.column;
  }
}

async function request(method, path, { body, type, accept, secret = token.get() } = {}) {
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method,
      headers: { Authorization: `Bearer ${secret}`, ...(type ? { 'Content-Type': type } : {}), ...(accept ? { Accept: accept } : {}) },
      body,
    });
  } catch (e) {
    throw new ApiError(0, { code: 'unreachable', message: `${t('unreachable')}: ${e.message}` });
  }
  const text = await response.text();
  if (response.ok && accept && !accept.includes('json')) return text;
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: reported below */ }
  if (!response.ok) throw new ApiError(response.status, json?.error || { message: `HTTP ${response.status}: ${text.slice(0, 200)}` });
  return json;
}

export const api = (method, path, body, secret = token.get()) =>
  request(method, path, body !== undefined ? { body: JSON.stringify(body), type: 'application/json', secret } : { secret });
/** A YAML document: sent as text, or read as text (`yaml` undefined). */
export const apiYaml = (method, path, yaml) =>
  request(method, path, yaml !== undefined ? { body: yaml, type: 'application/yaml' } : { accept: 'application/yaml' });

/** Checks a token against the hub; resolves to nothing, or throws ApiError saying why it was refused. */
export async function signIn(secret) {
  const candidate = secret.trim();
  await api('GET', '/areas', undefined, candidate);
  sessionStorage.setItem('hearth.token', candidate);
  token.set(candidate);
}

export function signOut() {
  sessionStorage.removeItem('hearth.token');
  token.set('');
  socket?.close();
}

let socket = null;
let retry = 0;
let timer = null;

function patchDevice(id, change) {
  const map = devices.get();
  const d = map.get(id);
  if (!d) return;
  const next = new Map(map);
  next.set(id, change(d));
  devices.set(next);
}

/** Reads areas and devices again (after the home itself changed: an area added, a device moved). */
export async function loadHome() {
  const [a, d] = await Promise.all([api('GET', '/areas'), api('GET', '/devices?limit=5000')]);
  areas.set(a.areas || []);
  devices.set(new Map((d.devices || []).map((x) => [x.id, x])));
}

function onMessage(m) {
  if (m.type === 'auth_ok') {
    scope.set(m.scope);
    socket.send(JSON.stringify({ id: 1, type: 'subscribe', events: ['state', 'availability', 'trace', 'notification'] }));
  } else if (m.type === 'auth_failed') {
    link.set('down');
    signOut();
  } else if (m.type === 'result' && m.id === 1 && m.success) {
    retry = 0;
    // Whatever changed while the socket was down is read once, after the subscription is in place.
    loadHome().then(() => link.set('live'), () => link.set('down'));
  } else if (m.type === 'state') {
    patchDevice(m.device, (d) => ({ ...d, state: { ...d.state, [m.attribute]: m.value }, version: m.version, last: m }));
  } else if (m.type === 'availability') {
    patchDevice(m.device, (d) => ({ ...d, availability: m.availability, online: m.availability === 'online' }));
  } else if (m.type === 'notification') {
    notices.set([m, ...notices.get()].slice(0, 50));
  } else if (m.type === 'trace') {
    traceTick.set(traceTick.get() + 1);
  }
}

/** Opens the live feed and keeps it open: after a hub restart it reconnects (0.5 s, doubling to 5 s). */
export function connect() {
  clearTimeout(timer);
  if (!token.get() || socket) return;
  // The first paint need not wait for the socket: the home is read at once, and read again once
  // the subscription is in place (so nothing that changed in between is missed).
  if (devices.get().size === 0) loadHome().catch(() => {});
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`);
  socket = ws;
  ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: token.get() }));
  ws.onmessage = (e) => { try { onMessage(JSON.parse(e.data)); } catch (err) { console.error('hearth: bad live message', err); } };
  ws.onclose = () => {
    if (socket !== ws) return;
    socket = null;
    link.set('down');
    if (!token.get()) return;
    timer = setTimeout(connect, Math.min(5000, 500 * 2 ** retry++));
  };
}

export const command = (id, set) => api('POST', `/devices/${encodeURIComponent(id)}/commands`, set);
