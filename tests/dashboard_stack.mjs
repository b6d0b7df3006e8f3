// The real stack behind the dashboard's browser test and its budget measurement: a Mosquitto on a
// free port, hearthd with the demo home serving the built app, hearth-fleet playing the demo home
// (every device online), and Debian's Chromium through playwright-core.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const chromiumPath = process.env.HEARTH_CHROMIUM || '/usr/bin/chromium';
// What Chromium needs on these machines (no sandbox as root, no calls home on a closed network).
export const chromiumArgs = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
export const { chromium } = createRequire(join(src, 'web/package.json'))('playwright-core');

function freePort() {
  return new Promise((ok, bad) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
    s.on('error', bad);
  });
}

/** Polls `check` until it returns something truthy, or throws after `seconds`. */
export async function eventually(what, check, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try { const v = await check(); if (v) return v; last = v; } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`not within ${seconds} s: ${what} (last: ${last?.message ?? JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function startStack({ bin, web, home = join(src, 'sim/homes/demo.yaml') }) {
  if (!existsSync(join(web, 'index.html'))) throw new Error(`the dashboard is not built in ${web} (cmake --build --preset dev --target hearth-web)`);
  if (!existsSync(chromiumPath)) throw new Error(`${chromiumPath} is missing (scripts/setup installs Debian's chromium)`);
  const tmp = mkdtempSync(join(tmpdir(), 'hearth-dashboard-'));
  const children = new Map();
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  const start = (name, cmd, args) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks = [];
    child.stdout.on('data', (d) => chunks.push(d));
    child.stderr.on('data', (d) => chunks.push(d));
    child.logText = () => Buffer.concat(chunks).toString();
    children.set(name, child);
    return child;
  };
  const stop = async (name) => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((ok) => child.on('exit', ok));
    child.kill('SIGTERM');
    await gone;
  };
  const startHub = () => start('hub', join(bin, 'hub/hearthd'), ['--http', `127.0.0.1:${httpPort}`, '--mqtt', `tcp://127.0.0.1:${mqttPort}`,
    '--data', join(tmp, 'data'), '--home', home, '--web', web, '--rate-limit', '0']);

  mkdirSync(join(tmp, 'mosquitto'), { recursive: true });
  writeFileSync(join(tmp, 'mosquitto/mosquitto.conf'), [`listener ${mqttPort} 127.0.0.1`, 'allow_anonymous true', 'persistence false',
    'max_queued_messages 100000', ...(process.getuid() === 0 ? ['user root'] : [])].join('\n') + '\n');
  start('mosquitto', 'mosquitto', ['-c', join(tmp, 'mosquitto/mosquitto.conf')]);
  startHub();
  start('fleet', join(bin, 'sim/hearth-fleet'), ['--home', home, '--host', '127.0.0.1', '--port', String(mqttPort), '--offline-fraction', '0']);
  await eventually('hearthd writes the owner token', () => existsSync(join(tmp, 'data/owner.token')));
  const owner = readFileSync(join(tmp, 'data/owner.token'), 'utf8').trim();
  await eventually('every demo device online on the hub', async () => {
    const h = await (await fetch(`${base}/api/v1/health`)).json();
    return h.devices > 20 && h.devices_online === h.devices;
  }, 60);

  const rest = async (method, path, body) => {
    const r = await fetch(`${base}/api/v1${path}`, { method, headers: { Authorization: `Bearer ${owner}`, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined });
    const json = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const shutdown = async ({ showLogs = false } = {}) => {
    for (const name of ['fleet', 'hub', 'mosquitto']) await stop(name);
    if (showLogs) for (const [name, c] of children) console.log(`--- ${name}\n${c.logText().slice(-3000)}`);
    rmSync(tmp, { recursive: true, force: true });
  };
  return { base, owner, rest, startHub, stop, shutdown };
}
