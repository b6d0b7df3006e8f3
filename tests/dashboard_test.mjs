// Browser test of the dashboard against the real stack (dashboard_stack.mjs): Mosquitto, hearthd with
// the demo home serving the built app, hearth-fleet playing it, Debian's Chromium driven by
// playwright-core. It signs in as a person would and checks what the page shows against what the
// devices did.
//   node tests/dashboard_test.mjs --bin BUILD_DIR --web WEB_DIST
import test from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { src, chromium, chromiumPath, chromiumArgs, eventually, startStack } from './dashboard_stack.mjs';

const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
const bin = arg('--bin', join(src, 'build/dev'));
const web = arg('--web', join(bin, 'web/dist'));
let stack, base, owner, rest, browser, page;
const state = async (id) => (await rest('GET', `/devices/${id}`)).state || {};
const card = (id) => page.locator(`[data-device="${id}"]`);

test.before(async () => {
  stack = await startStack({ bin, web });
  ({ base, owner, rest } = stack);
  browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
  page = await (await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } })).newPage();
  page.setDefaultTimeout(60000);  // the machine may be busy with other tests; deadlines, not timings
  page.on('pageerror', (e) => console.log('page error:', e.message));
});

test.after(async () => {
  await browser?.close();
  await stack?.shutdown({ showLogs: !!process.exitCode });
});

test('hearthd serves the app gzip-compressed with cache headers, and its pages fall back to index.html', async () => {
  const index = await fetch(`${base}/`, { headers: { 'Accept-Encoding': 'gzip' } });
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.equal(index.headers.get('content-encoding'), 'gzip');
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const script = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  assert.doesNotMatch(html, /https?:\/\//, 'the page loads nothing from another host');
  const js = await fetch(base + script);
  assert.match(js.headers.get('content-type'), /^text\/javascript/);
  assert.match(js.headers.get('cache-control'), /immutable/);
  const deep = await fetch(`${base}/devices/bedroom.ac`);
  assert.equal(await deep.text(), html);
  assert.equal((await fetch(`${base}/assets/nothing-here.js`)).status, 404);
  assert.equal((await fetch(`${base}/api/v1/nothing`)).status, 404);
});

test('a browser that prefers Chinese gets the sign-in page in Chinese', async () => {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const zhPage = await context.newPage();
  await zhPage.goto(base + '/');
  await zhPage.locator('button[type=submit]').waitFor();
  assert.equal(await zhPage.locator('button[type=submit]').innerText(), '登录');
  assert.equal(await zhPage.evaluate(() => document.documentElement.lang), 'zh-CN');
  await context.close();
});

test('a bad token is refused with the hub\'s reason', async () => {
  await page.goto(base + '/');
  await page.fill('input[name=token]', 'hth_not_a_real_token');
  await page.click('button[type=submit]');
  const alert = page.locator('[role=alert]');
  await alert.waitFor();
  assert.match(await alert.innerText(), /refused this token: the token is not valid/);
  assert.equal(await page.locator('[data-device]').count(), 0);
});

test('signing in shows every demo device online, live', async () => {
  await page.fill('input[name=token]', owner);
  await page.click('button[type=submit]');
  await page.locator('[data-link=live]').waitFor();
  const total = (await rest('GET', '/devices')).total;
  await eventually('every card online', async () =>
    (await page.locator('[data-device][data-availability=online]').count()) === total);
  assert.equal(await page.locator('[data-device]').count(), total);
  assert.equal(await page.locator('[data-area]').count(), 6);
});

test('toggling a light sends the command and the card follows the device\'s confirmation', async () => {
  const id = 'living_room.ceiling_light';
  const before = !!(await state(id)).on;
  const toggle = card(id).locator('input[data-attr=on]');
  assert.equal(await toggle.isChecked(), before);
  await toggle.click();
  await eventually('the simulated light reports the new state', async () => (await state(id)).on === !before);
  await eventually('the card shows it, caused by the app', async () =>
    (await toggle.isChecked()) === !before && /cause: app/.test(await card(id).innerText()));
});

test('saying 我困了 changes the bedroom cards live, and undo restores them', async () => {
  await rest('POST', '/devices/bedroom.speaker/commands', { playback: 'stopped' });
  await rest('POST', '/devices/bedroom.curtain/commands', { position: 100 });
  const speakerButton = card('bedroom.speaker').locator('button[data-attr=playback]');
  const curtain = card('bedroom.curtain').locator('input[data-attr=position]');
  await eventually('speaker stopped, curtain open on the cards', async () =>
    /Play/.test(await speakerButton.innerText()) && (await curtain.inputValue()) === '100');

  await page.fill('input[name=utterance]', '我困了');
  await page.click('.voice button[type=submit]');
  const answer = page.locator('.voice .answer');
  await answer.waitFor();
  assert.equal(await answer.getAttribute('data-outcome'), 'scene');
  assert.match(await answer.innerText(), /bedroom\.speaker/);
  await eventually('the speaker card shows sleep music playing', async () => /Pause/.test(await speakerButton.innerText()), 30);
  await eventually('the curtain card shows it closed', async () => (await curtain.inputValue()) === '0', 30);
  assert.equal((await state('bedroom.speaker')).playback, 'playing');

  await page.click('.voice button[name=undo]');
  await page.locator('.voice .undone').waitFor();
  await eventually('undo: the speaker card is stopped again', async () => /Play/.test(await speakerButton.innerText()), 30);
  await eventually('undo: the curtain card is open again', async () => (await curtain.inputValue()) === '100', 30);
});

test('a dry run shows the commands and sends nothing', async () => {
  // A sent utterance leaves a _voice trace before the hub answers; a dry run leaves none.
  const traces = async () => (await rest('GET', '/traces?device=bedroom.speaker&limit=100')).traces.length;
  const before = { state: await state('bedroom.speaker'), traces: await traces() };
  await page.check('.voice input[name=dry_run]');
  await page.fill('input[name=utterance]', '我困了');
  await page.click('.voice button[type=submit]');
  await eventually('the answer says nothing was sent', async () => /nothing sent/.test(await page.locator('.voice .answer').innerText()));
  assert.match(await page.locator('.voice .answer').innerText(), /bedroom\.speaker/);
  assert.equal(await traces(), before.traces);
  assert.equal((await state('bedroom.speaker')).playback, before.state.playback);
  await page.uncheck('.voice input[name=dry_run]');
});

test('a device\'s history is plotted (pixels drawn, not just a node) and its traces listed', async () => {
  // The speaker: its volume went 30 → 15 → 30 with 我困了 and undo, and both left traces.
  await card('bedroom.speaker').locator('header a').click();
  await page.locator('.plot[data-attribute=volume] canvas').waitFor();
  const linePixels = () => page.evaluate(() => {
    const canvas = document.querySelector('.plot[data-attribute=volume] canvas');
    if (!canvas) return 0;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - 228) < 30 && Math.abs(data[i + 1] - 87) < 30 && Math.abs(data[i + 2] - 46) < 30 && data[i + 3] > 200) n++;
    return n > 50 ? n : 0;
  });
  const coloured = await eventually('the chart has drawn its line', linePixels);
  assert.ok(coloured > 50, `the chart drew ${coloured} line pixels`);
  await page.click('button[data-range=h1]');
  await page.locator('.plot[data-attribute=volume] canvas').waitFor();

  // A range chosen by date and time: the last two hours draw the line; a morning long past has nothing.
  const localTime = (offsetMs) => page.evaluate((o) => {
    const ms = Date.now() + o;
    return new Date(ms - new Date(ms).getTimezoneOffset() * 60e3).toISOString().slice(0, 16);
  }, offsetMs);
  const setRange = async (from, to) => {
    await page.fill('.ranges input[name=from]', from);
    await page.fill('.ranges input[name=to]', to);
    await page.click('.ranges button[name=show-range]');
  };
  await setRange(await localTime(-2 * 3600e3), await localTime(60e3));
  await eventually('the chosen range draws the line', async () => (await linePixels()) > 50);
  await setRange('2020-01-01T08:00', '2020-01-01T09:00');
  await eventually('a range with no changes says so', async () => /No recorded changes in this range/.test(await page.locator('main').innerText()));
  assert.equal(await page.locator('.plot[data-attribute=volume]').count(), 0);
  await setRange('2020-01-01T09:00', '2020-01-01T08:00');
  assert.match(await page.locator('.ranges [role=alert]').innerText(), /before/);
  await page.click('button[data-range=h1]');
  await eventually('the voice command and the undo are among the device\'s traces', async () =>
    (await page.locator('.trace[data-rule=_voice]').count()) > 0 && (await page.locator('.trace[data-rule=_undo]').count()) > 0);
  await page.locator('.trace[data-rule=_voice] summary').first().click();
  assert.match(await page.locator('.trace[data-rule=_voice]').first().innerText(), /我困了[\s\S]*bedroom\.speaker[\s\S]*confirmed/);
  await page.goBack();
});

test('a rule runs now and its trace opens as a timeline', async () => {
  await page.click('nav a[href="/rules"]');
  const rule = page.locator('[data-rule=sunset_floor_lamp]').first();
  await rule.locator('button', { hasText: 'Run now' }).click();
  const trace = rule.locator('.trace').first();
  await eventually('the run\'s trace is listed', async () => (await rule.locator('.trace').count()) > 0);
  await trace.locator('summary').click();
  assert.match(await trace.innerText(), /living_room\.floor_lamp/);
  await page.click('nav a[href="/"]');
});

test('a rule edited as YAML shows an error at its line and column, and is saved once fixed', async () => {
  await page.click('nav a[href="/rules"]');
  const rule = page.locator('li[data-rule=bathroom_light_off]');
  await rule.locator('button[name=edit-yaml]').click();
  const editor = page.locator('form[data-rule-editor=bathroom_light_off]');
  const yaml = editor.locator('textarea[name=yaml]');
  await eventually('the rule is loaded as YAML', async () => /for: 40m/.test(await yaml.inputValue()));
  const lines = [
    'id: bathroom_light_off',
    'name: {zh: 卫生间无人关灯, en: empty bathroom light off}',
    'triggers:',
    '  - {state: bathroom.presence, attribute: occupancy, to: false, for: 30m}',
    'conditions:',
    '  - {state: bathroom.light, attribute: on, is: true}',
    'actions:',
    '  - command: bathroom.light',
    '    set: {on: false}',
    '    colour: red',
  ];
  await yaml.fill(lines.join('\n') + '\n');
  await editor.locator('button[name=save-rule]').click();
  const error = editor.locator('[role=alert]');
  await error.waitFor();
  assert.match(await error.innerText(), /^line 10, column 5: .*colour/);
  const marked = editor.locator('.gutter [data-error-line]');
  assert.equal(await marked.count(), 1);
  assert.equal(await marked.getAttribute('data-error-line'), '10');
  assert.equal((await marked.innerText()).trim(), '10', 'the gutter marks line 10');
  const caret = await yaml.evaluate((el) => el.selectionStart);
  assert.equal(caret, lines.slice(0, 9).join('\n').length + 1 + 4, 'the caret is put at line 10, column 5');
  assert.equal((await rest('GET', '/rules/bathroom_light_off')).triggers[0].for, '40m', 'a refused rule changes nothing');

  await yaml.fill('id: bathroom_light_off\ntriggers: [\n');
  await editor.locator('button[name=save-rule]').click();
  await eventually('a YAML syntax error names where reading stopped', async () => /^line \d+, column \d+: YAML error/.test(await error.innerText()));

  await yaml.fill(lines.slice(0, 9).join('\n') + '\n');
  await editor.locator('button[name=save-rule]').click();
  await editor.waitFor({ state: 'detached' });
  assert.equal((await rest('GET', '/rules/bathroom_light_off')).triggers[0].for, '30m');
  await page.click('nav a[href="/"]');
});

test('a rule\'s notification appears on the Notifications page as it is sent', async () => {
  await page.click('nav a[href="/notifications"]');
  await page.locator('main h2').waitFor();
  await rest('POST', '/rules/door_opened_while_away/run');
  await eventually('the notification is listed', async () => /The front door opened while nobody is home/.test(await page.locator('main').innerText()));
  await page.click('nav a[href="/"]');
});

test('a scene made with the form is checked against the devices, saved, and activates', async () => {
  await page.click('nav a[href="/scenes"]');
  await page.click('button[name=new-scene]');
  const form = page.locator('form.scene-form');
  await form.locator('input[name=id]').fill('dashboard_reading');
  await form.locator('input[name=name_en]').fill('reading (dashboard)');
  await form.locator('select[name=device]').selectOption('study.desk_lamp');
  await form.locator('input[name=state]').fill('{"on": true, "brightness": 150}');
  await form.locator('button[name=save]').click();
  assert.match(await form.locator('.field-error').first().innerText(), /brightness 150 is outside 0–100/);
  assert.equal((await rest('GET', '/scenes')).scenes.some((x) => x.id === 'dashboard_reading'), false, 'an invalid scene is not sent');
  await form.locator('input[name=state]').fill('{"on": true, "brightness": 35}');
  await form.locator('button[name=save]').click();
  const item = page.locator('[data-scene=dashboard_reading]');
  await item.waitFor();
  assert.deepEqual((await rest('GET', '/scenes/dashboard_reading')).targets[0].state, { on: true, brightness: 35 });
  await item.locator('button[name=activate]').click();
  await eventually('the desk lamp reaches the scene', async () => {
    const s = await state('study.desk_lamp');
    return s.on === true && s.brightness === 35;
  });
  await item.locator('button[name=delete]').click();
  await item.locator('button[name=confirm-delete]').click();
  await item.waitFor({ state: 'detached' });
  await assert.rejects(rest('GET', '/scenes/dashboard_reading'), /404|no scene/);
  await page.click('nav a[href="/"]');
});

test('areas are created, renamed, given a device and deleted on the Rooms page', async () => {
  await page.click('nav a[href="/settings"]');
  await page.click('main a[href="/areas"]');  // Settings leads to the Rooms page
  const create = page.locator('form[name=new-area]');
  await create.locator('input[name=id]').fill('garage');
  await create.locator('input[name=zh]').fill('车库');
  await create.locator('input[name=en]').fill('garage');
  await create.locator('button[type=submit]').click();
  const row = page.locator('li[data-area-row=garage]');
  await row.waitFor();
  await row.locator('input[name=en]').fill('car port');
  await row.locator('button[name=rename]').click();
  await eventually('the new name is saved', async () => (await rest('GET', '/areas')).areas.some((a) => a.id === 'garage' && a.name.en === 'car port'));

  await page.locator('li[data-area-row=study] li[data-member="study.desk_lamp"] select[name=move]').selectOption('garage');
  await row.locator('li[data-member="study.desk_lamp"]').waitFor();
  assert.equal((await rest('GET', '/devices/study.desk_lamp')).area, 'garage');
  await row.locator('button[name=delete]').click();
  await row.locator('button[name=confirm-delete]').click();
  await eventually('deleting an area with a device is refused, naming it', async () =>
    /still has devices \(study\.desk_lamp\)/.test(await page.locator('.messages').innerText()));
  await page.click('nav a[href="/"]');
  await page.locator('section[data-area=garage] [data-device="study.desk_lamp"]').waitFor();
  assert.match(await page.locator('section[data-area=garage] h2').innerText(), /car port/);

  await page.click('nav a[href="/areas"]');
  await row.locator('li[data-member="study.desk_lamp"] select[name=move]').selectOption('study');
  await page.locator('li[data-area-row=study] li[data-member="study.desk_lamp"]').waitFor();
  await row.locator('button[name=delete]').click();
  await row.locator('button[name=confirm-delete]').click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await rest('GET', '/areas')).areas.some((a) => a.id === 'garage'), false);
  await page.click('nav a[href="/"]');
});

test('the page survives a hub restart and works again', async () => {
  await stack.stop('hub');
  await page.locator('[data-link=down]').waitFor();
  stack.startHub();
  await page.locator('[data-link=live]').waitFor({ timeout: 60000 });
  const total = (await rest('GET', '/devices')).total;
  await eventually('every card online again', async () =>
    (await page.locator('[data-device][data-availability=online]').count()) === total, 60);
  const id = 'kitchen.light';
  const toggle = card(id).locator('input[data-attr=on]');
  const before = await toggle.isChecked();
  await toggle.click();
  await eventually('a toggle after the restart reaches the device and the card', async () =>
    (await state(id)).on === !before && (await toggle.isChecked()) === !before);
});

test('Chinese and dark mode switch from the header', async () => {
  await page.click('header button.lang');
  await eventually('the page speaks Chinese', async () => /卧室/.test(await page.locator('main').innerText()));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await page.click('header button.theme');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.click('header button.lang');
  await page.click('header button.theme');
});

test('a read-scope token made in Settings shows the home with every control disabled (a wall panel)', async () => {
  await page.click('nav a[href="/settings"]');
  await page.fill('form.row input', 'hall-panel');
  await page.selectOption('form.row select', 'read');
  await page.click('form.row button[type=submit]');
  const secret = (await page.locator('.secret code').innerText()).trim();
  assert.ok(secret.length > 10);
  await eventually('the new token is listed with its scope', async () => /hall-panel\s+read/.test(await page.locator('table.tokens').innerText()));
  await page.click('header button.signout');
  await page.fill('input[name=token]', secret);
  await page.click('button[type=submit]');
  await page.locator('[data-link=live]').waitFor();
  await page.click('nav a[href="/"]');
  await card('kitchen.light').waitFor();
  assert.ok(await card('kitchen.light').locator('input[data-attr=on]').isDisabled());
  assert.ok(await card('bedroom.ac').locator('.thermostat button').first().isDisabled());
  assert.equal(await card('kitchen.light').getAttribute('data-availability'), 'online');
});
