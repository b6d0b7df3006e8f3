// Home Assistant's own WebSocket client (the npm home-assistant-js-websocket, as Home Assistant's
// frontend and Node-RED use it) against a real stack: Mosquitto on a free port, hearthd with the
// demo home, hearth-fleet playing its devices. Checks: a bad token gets auth_invalid; getStates and
// subscribeEntities list the demo's entities; a change made over MQTT arrives as an entity diff;
// callService changes the simulated light; a read-scope token cannot call services; Home
// Assistant's REST answers beside it.
// Usage: node tests/ha_client/ha_client_test.mjs --bin <build dir>   (exit 77: packages not installed)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const src = resolve(here, '../..');
const bin = resolve(process.argv[process.argv.indexOf('--bin') + 1] || join(src, 'build/dev'));
if (!existsSync(join(here, 'node_modules/home-assistant-js-websocket'))) {
  console.log('SKIP: run `npm ci` in tests/ha_client (scripts/setup does)');
  process.exit(77);
}
const { WebSocket } = await import('ws');
globalThis.WebSocket = WebSocket;  // Node 20 has no WebSocket of its own
const haws = await import('home-assistant-js-websocket');

function freePort() {
  return new Promise((ok, bad) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
    s.on('error', bad);
  });
}

async function eventually(what, check, seconds = 20) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try { const v = await check(); if (v) return v; last = v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`not within ${seconds} s: ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function check(condition, what) {
  if (!condition) throw new Error(`failed: ${what}`);
  console.log(`ok: ${what}`);
}

const tmp = mkdtempSync(join(tmpdir(), 'hearth-ha-client-'));
const children = [];
const start = (cmd, args) => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks = [];
  child.stdout.on('data', (d) => chunks.push(d));
  child.stderr.on('data', (d) => chunks.push(d));
  child.logText = () => Buffer.concat(chunks).toString();
  child.name = cmd.split('/').pop();
  children.push(child);
  return child;
};
const stopAll = async () => {
  for (const child of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const gone = new Promise((ok) => child.on('exit', ok));
    child.kill('SIGTERM');
    await gone;
  }
};

let failed = false;
const connections = [];
try {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const home = join(src, 'sim/homes/demo.yaml');
  mkdirSync(join(tmp, 'mosquitto'));
  writeFileSync(join(tmp, 'mosquitto/mosquitto.conf'), [`listener ${mqttPort} 127.0.0.1`, 'allow_anonymous true', 'persistence false',
    ...(process.getuid() === 0 ? ['user root'] : [])].join('\n') + '\n');
  start('mosquitto', ['-c', join(tmp, 'mosquitto/mosquitto.conf')]);
  start(join(bin, 'hub/hearthd'), ['--http', `127.0.0.1:${httpPort}`, '--mqtt', `tcp://127.0.0.1:${mqttPort}`,
    '--data', join(tmp, 'data'), '--home', home, '--rate-limit', '0']);
  start(join(bin, 'sim/hearth-fleet'), ['--home', home, '--host', '127.0.0.1', '--port', String(mqttPort), '--offline-fraction', '0']);
  await eventually('hearthd writes the owner token', () => existsSync(join(tmp, 'data/owner.token')));
  const owner = readFileSync(join(tmp, 'data/owner.token'), 'utf8').trim();
  await eventually('every demo device online on the hub', async () => {
    const h = await (await fetch(`${base}/api/v1/health`)).json();
    return h.devices > 20 && h.devices_online === h.devices;
  }, 60);
  const hearth = async (method, path, body, token = owner) => {
    const r = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
  const viewer = (await hearth('POST', '/api/v1/tokens', { name: 'viewer', scope: 'read' })).body.secret;
  const connect = async (token) => {
    const conn = await haws.createConnection({ auth: haws.createLongLivedTokenAuth(base, token), setupRetry: 0 });
    connections.push(conn);
    return conn;
  };

  // A bad token: the client reports invalid auth and does not retry.
  const refused = await connect('hth_not_a_token').then(() => 'connected', (e) => e);
  check(refused === haws.ERR_INVALID_AUTH, 'a bad token gets auth_invalid (ERR_INVALID_AUTH)');

  const conn = await connect(owner);
  check(conn.haVersion && conn.haVersion.split('.').length === 3, `auth_ok with ha_version ${conn.haVersion}`);

  const states = await haws.getStates(conn);
  const ids = states.map((s) => s.entity_id);
  for (const id of ['light.bedroom_ceiling_light', 'climate.bedroom_ac', 'media_player.bedroom_speaker', 'cover.bedroom_curtain',
    'lock.entrance_door_lock', 'fan.living_room_air_purifier', 'vacuum.living_room_vacuum',
    'sensor.bedroom_climate_sensor_temperature', 'binary_sensor.bedroom_presence_occupancy']) {
    check(ids.includes(id), `getStates lists ${id}` + (ids.includes(id) ? '' : ` (it lists ${ids.join(' ')})`));
  }
  // The kitchen plug comes through Zigbee2MQTT, under the id that adapter gives it.
  check(ids.some((id) => id.startsWith('switch.zigbee2mqtt_')), 'getStates lists the Zigbee2MQTT plug as a switch');
  const config = await haws.getConfig(conn);
  check(config.time_zone === 'Etc/GMT-8', `getConfig gives the home's time zone (${config.time_zone})`);
  const services = await haws.getServices(conn);
  check(services.light && services.light.turn_on, 'getServices lists light.turn_on');

  let entities = {};
  const unsubscribe = haws.subscribeEntities(conn, (e) => { entities = e; });
  await eventually('subscribeEntities lists every entity getStates did', () => ids.every((id) => entities[id]));
  check(true, `subscribeEntities lists ${Object.keys(entities).length} entities`);

  // A change made over MQTT, outside Hearth: the simulated lamp is commanded on its own topic.
  execFileSync('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(mqttPort), '-t', 'hearth/device/bedroom.bedside_lamp/set',
    '-m', JSON.stringify({ on: true, brightness: 60 })]);
  const lamp = await eventually('the lamp turned on over MQTT arrives as an entity diff', () => {
    const e = entities['light.bedroom_bedside_lamp'];
    return e && e.state === 'on' && e.attributes.brightness === 153 ? e : null;
  });
  check(lamp.last_changed.endsWith('Z') || lamp.last_changed.includes('T'), `the diff carries last_changed (${lamp.last_changed})`);

  // callService: brightness_pct 40 on the ceiling light → Hearth's brightness 40, HA's 102.
  const result = await haws.callService(conn, 'light', 'turn_on', { brightness_pct: 40 }, { entity_id: 'light.bedroom_ceiling_light' });
  check(result && result.context && result.context.id, `callService answers with its context (${result.context.id})`);
  const light = await eventually('the ceiling light at 40 % arrives as an entity diff', () => {
    const e = entities['light.bedroom_ceiling_light'];
    return e && e.state === 'on' && e.attributes.brightness === 102 ? e : null;
  });
  check(light.context.id === result.context.id, 'the light\'s state carries the call\'s context id');
  const device = await hearth('GET', '/api/v1/devices/bedroom.ceiling_light');
  check(device.body.state.on === true && device.body.state.brightness === 40, 'the simulated light is on at 40 % in Hearth');

  // A read-scope token reads but cannot call services.
  const readOnly = await connect(viewer);
  check((await haws.getStates(readOnly)).length === states.length, 'a read token gets the states');
  const denied = await haws.callService(readOnly, 'light', 'turn_off', {}, { entity_id: 'light.bedroom_ceiling_light' })
    .then(() => null, (e) => e);
  check(denied && denied.code === 'unauthorized', `a read token cannot call services (${denied && denied.code})`);

  // Home Assistant's REST beside it.
  check((await hearth('GET', '/api/')).body.message === 'API running.', 'GET /api/ says the API runs');
  const rest = await hearth('GET', '/api/states/light.bedroom_ceiling_light');
  check(rest.status === 200 && rest.body.attributes.brightness === 102, 'GET /api/states/<entity_id>');
  check((await hearth('GET', '/api/states/light.nowhere')).status === 404, 'an unknown entity is a 404');
  const off = await hearth('POST', '/api/services/light/turn_off', { entity_id: 'light.bedroom_ceiling_light' });
  check(off.status === 200 && Array.isArray(off.body), 'POST /api/services/light/turn_off');
  await eventually('the REST call turns the light off', () => entities['light.bedroom_ceiling_light']?.state === 'off');
  check((await hearth('POST', '/api/services/light/turn_off', { entity_id: 'light.bedroom_ceiling_light' }, viewer)).status === 403,
    'a read token gets 403 from POST /api/services');

  const answer = await conn.sendMessagePromise({ type: 'conversation/process', text: 'turn on the kitchen light', language: 'en' });
  check(typeof answer.response.speech.plain.speech === 'string' && answer.response.response_type,
    `conversation/process answers (${answer.response.response_type}: ${answer.response.speech.plain.speech})`);

  unsubscribe();
} catch (e) {
  failed = true;
  console.error(e.stack || e);
  for (const child of children) console.error(`--- ${child.name}\n${child.logText().slice(-3000)}`);
} finally {
  for (const c of connections) c.close();
  await stopAll();
  rmSync(tmp, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
