#!/usr/bin/env bash
# System test of hearthctl: a real Mosquitto on a free port, hearthd with the demo home and
# hearth-fleet playing it, all in a temporary directory; then hearthctl drives the hub the way a
# person would: devices, commands, scenes and undo, rules from a file, export and import, voice,
# tokens and the WebSocket tail; then the same hub over HTTPS and WSS with a self-signed certificate.
# Every step checks what it did, often through a second path (the
# device's state read back, curl).
#   tests/ctl_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
hearthd=$build/hub/hearthd
fleet=$build/sim/hearth-fleet
hearthctl=$build/ctl/hearthctl
for tool in curl python3 mosquitto openssl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/setup installs it)"; exit 1; }
done
for bin in "$hearthd" "$fleet" "$hearthctl"; do
  [ -x "$bin" ] || { echo "FAIL: $bin is not built (cmake --build --preset dev --target hearthd hearth-fleet hearthctl)"; exit 1; }
done

tmp=$(mktemp -d /tmp/hearth-ctl-test.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
mqtt_port=$(free_port)
pids=()

finish() {
  local rc=$?
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    for f in "$tmp"/hub.log "$tmp"/fleet.log "$tmp"/out "$tmp"/err; do
      [ -e "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap finish EXIT
fail() { echo "FAIL: $*"; exit 1; }
# eventually SECONDS CMD...: polls CMD until it succeeds or the deadline passes.
eventually() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}

mkdir -p "$tmp/data" "$tmp/mosquitto"
{
  echo "listener $mqtt_port 127.0.0.1"
  echo "allow_anonymous true"
  echo "persistence false"
  echo "log_dest file $tmp/mosquitto/mosquitto.log"
  echo "max_queued_messages 100000"
  [ "$(id -u)" -ne 0 ] || echo "user root"
} > "$tmp/mosquitto/mosquitto.conf"
mosquitto -c "$tmp/mosquitto/mosquitto.conf" > "$tmp/mosquitto/stdout.log" 2>&1 &
pids+=($!)
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
eventually 20 port_open "$mqtt_port" || fail "mosquitto does not listen on $mqtt_port"

home=$src/sim/homes/demo.yaml
"$hearthd" --http "127.0.0.1:$http_port" --mqtt "tcp://127.0.0.1:$mqtt_port" --data "$tmp/data" --home "$home" \
  > "$tmp/hub.log" 2>&1 &
pids+=($!)
hub_pid=$!
"$fleet" --home "$home" --host 127.0.0.1 --port "$mqtt_port" --offline-fraction 0 > "$tmp/fleet.log" 2>&1 &
pids+=($!)

# hearthctl finds the hub and the owner token the way a user on the hub's machine would.
export HEARTH_URL=http://127.0.0.1:$http_port HEARTH_DATA=$tmp/data
unset HEARTH_TOKEN HEARTH_HTTP
# ctl ARGS...: hearthctl with its output in $tmp/out and $tmp/err; its exit code is the function's.
ctl() { timeout 60 "$hearthctl" "$@" > "$tmp/out" 2> "$tmp/err"; }
# expect_exit CODE ARGS...: hearthctl must end with exactly CODE.
expect_exit() {
  local want=$1 rc=0; shift
  ctl "$@" || rc=$?
  [ "$rc" -eq "$want" ] || fail "hearthctl $* ended with $rc, expected $want: $(cat "$tmp/err")"
}
out_has() { grep -qF -- "$1" "$tmp/out" || fail "${2:-output} lacks '$1': $(head -c 600 "$tmp/out")"; }
err_has() { grep -qF -- "$1" "$tmp/err" || fail "${2:-stderr} lacks '$1': $(cat "$tmp/err")"; }
# state_is DEVICE PYTHON-EXPRESSION-ON-state: reads the device back with hearthctl --json device.
state_is() {
  ctl --json device "$1" || return 1
  python3 -c "import json, sys; state = json.load(open(sys.argv[1]))['state']; sys.exit(0 if ($2) else 1)" "$tmp/out"
}

eventually 60 ctl health || fail "the hub does not answer its health check: $(cat "$tmp/err")"
out_has "ok: mqtt connected"
echo "ok: hearthctl health answers without a token"

# The demo home has 24 devices: 22 native ones and two in Zigbee2MQTT style, which the hub knows
# through their Home Assistant discovery under zigbee2mqtt_<ieee address> ids.
all_online() {
  ctl devices || return 1
  [ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 24 ] && [ "$(grep -cE '  yes(  |$)' "$tmp/out")" -eq 24 ] &&
    [ "$(tail -n +2 "$tmp/out" | grep -cv '^zigbee2mqtt_')" -eq 22 ]
}
eventually 90 all_online || fail "hearthctl devices does not list 22 native + 2 Zigbee2MQTT devices online: $(cat "$tmp/out" "$tmp/err")"
head -n1 "$tmp/out" | grep -qE '^ID +NAME +AREA +ONLINE +STATE$' || fail "the devices table has no header: $(head -n1 "$tmp/out")"
grep -qE '^bedroom\.ceiling_light +bedroom light +bedroom +yes' "$tmp/out" || fail "the bedroom light's row is wrong"
ctl devices --area study --kind light
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 3 ] || fail "devices --area study --kind light is not the 3 study lights: $(cat "$tmp/out")"
ctl --json devices
python3 -c "import json, sys; b = json.load(open(sys.argv[1])); sys.exit(0 if b['total'] == 24 and len(b['devices']) == 24 else 1)" \
  "$tmp/out" || fail "devices --json does not hold 24 devices"
echo "ok: hearthctl devices lists the demo home online (22 native devices, 2 Zigbee2MQTT), filters by area and kind, and gives JSON"

expect_exit 0 set bedroom.ceiling_light on brightness=30
out_has "sent to bedroom.ceiling_light"
eventually 30 state_is bedroom.ceiling_light "state.get('on') is True and state.get('brightness') == 30" ||
  fail "bedroom.ceiling_light did not apply set on brightness=30: $(cat "$tmp/out")"
expect_exit 0 command kitchen.light '{"on": true, "brightness": 55}'
owner=$(cat "$tmp/data/owner.token")
kitchen_is_55() {
  curl -fsS -H "Authorization: Bearer $owner" "$HEARTH_URL/api/v1/devices/kitchen.light" |
    python3 -c "import json, sys; s = json.load(sys.stdin)['state']; sys.exit(0 if s.get('on') is True and s.get('brightness') == 55 else 1)"
}
eventually 30 kitchen_is_55 || fail "kitchen.light did not apply the JSON command (read back with curl)"
ctl devices --area bedroom
grep -E '^bedroom\.ceiling_light ' "$tmp/out" | grep -q 'on=true brightness=30' || fail "the table does not show the new state"
echo "ok: set and command reach the devices; their state reads back through hearthctl and curl"

# --wait returns once the device confirmed: the state reads back at once, without polling.
expect_exit 0 set bedroom.ceiling_light brightness=45 --wait --timeout 30
out_has "confirmed by bedroom.ceiling_light in"
state_is bedroom.ceiling_light "state.get('brightness') == 45" ||
  fail "set --wait returned before the state was 45: $(cat "$tmp/out")"
# The same value again changes nothing, yet the device's report still confirms the command.
expect_exit 0 command bedroom.ceiling_light '{"brightness": 45}' --wait --timeout 30
out_has "confirmed by bedroom.ceiling_light in"
expect_exit 0 --json set bedroom.ceiling_light brightness=46 --wait --timeout 30
python3 -c "import json, sys; a = json.load(open(sys.argv[1])); sys.exit(0 if a['confirmed'] is True and a['latency_ms'] >= 0 else 1)" \
  "$tmp/out" || fail "set --wait --json lacks confirmed/latency_ms: $(cat "$tmp/out")"
# A Zigbee2MQTT device (through HA discovery) reports state without the command's context: it
# never confirms, so --wait ends at its timeout with exit 6.
ctl --json devices
z2m=$(python3 -c "import json, sys; d = json.load(open(sys.argv[1]))['devices']; print(next(x['id'] for x in d if x['id'].startswith('zigbee2mqtt_') and 'on' in x.get('state', {})))" "$tmp/out") ||
  fail "no Zigbee2MQTT device with an on state: $(head -c 600 "$tmp/out")"
expect_exit 6 set "$z2m" on --wait --timeout 2
err_has "did not confirm the command"
# Back to the state the scene and undo steps below expect.
expect_exit 0 set bedroom.ceiling_light brightness=30 --wait --timeout 30
echo "ok: set and command --wait end when the device confirms (exit 0), or at --timeout (exit 6)"

expect_exit 1 set bedroom.ceiling_light brightness=150
err_has "HTTP 422 out_of_range"
err_has "(field brightness)"
expect_exit 5 device no_such.device
err_has "unknown_device"
expect_exit 2 set bedroom.ceiling_light brightness
expect_exit 2 frobnicate
closed_port=$(free_port)
expect_exit 3 --url "http://127.0.0.1:$closed_port" devices
err_has "cannot reach the hub at http://127.0.0.1:$closed_port"
expect_exit 4 --data "$tmp/nowhere" devices
err_has "no token"
echo "ok: refused commands, unknown devices, bad usage, an unreachable hub and a missing token end with 1, 5, 2, 3 and 4"

expect_exit 0 scene activate sleep
out_has "activated sleep"
out_has "  bedroom.ceiling_light  {\"on\":false}"
out_has "  bedroom.speaker"
eventually 30 state_is bedroom.ceiling_light "state.get('on') is False" || fail "the sleep scene did not turn the light off"
eventually 30 state_is bedroom.speaker "state.get('playback') == 'playing' and state.get('media') == 'sleep_music'" ||
  fail "the sleep scene did not start sleep music"
expect_exit 0 undo
out_has "undid "
eventually 30 state_is bedroom.ceiling_light "state.get('on') is True and state.get('brightness') == 30" ||
  fail "undo did not bring the light back to on, 30 %"
ctl scenes
grep -qE '^sleep +sleep +bedroom +5 +yes' "$tmp/out" || fail "scenes does not list sleep with 5 targets: $(cat "$tmp/out")"
echo "ok: scene activate sleep changes the bedroom and undo restores it"

cat > "$tmp/rule.yaml" <<'YAML'
# A rule as a person writes it: YAML, run by a webhook or by hand.
id: ctl_desk_lamp
name: {zh: 台灯测试, en: desk lamp test}
triggers:
  - {webhook: ctl_test}
actions:
  - {command: study.desk_lamp, set: {on: true, brightness: 42}}
YAML
expect_exit 0 rule create "$tmp/rule.yaml"
[ "$(cat "$tmp/out")" = "created rule ctl_desk_lamp" ] || fail "rule create said: $(cat "$tmp/out")"
expect_exit 1 rule create "$tmp/rule.yaml"
err_has "HTTP 409"
ctl rules
grep -qE '^ctl_desk_lamp +desk lamp test +yes +ok' "$tmp/out" || fail "rules does not list the new rule enabled: $(cat "$tmp/out")"
expect_exit 0 rule run ctl_desk_lamp
eventually 30 state_is study.desk_lamp "state.get('on') is True and state.get('brightness') == 42" ||
  fail "running the rule did not reach the desk lamp"
traced() { ctl rule traces ctl_desk_lamp && grep -qE 'ctl_desk_lamp +manual \(run\) +ran +1 \(1 confirmed\)' "$tmp/out"; }
eventually 30 traced || fail "rule traces does not show a confirmed run: $(cat "$tmp/out")"
expect_exit 0 rule disable ctl_desk_lamp
expect_exit 1 rule run ctl_desk_lamp
err_has "HTTP 409"
expect_exit 0 rule enable ctl_desk_lamp
echo "ok: rule create from a YAML file, rules, run, traces (confirmed), disable refuses a run, enable"

expect_exit 0 export
cp "$tmp/out" "$tmp/home.yaml"
grep -q "ctl_desk_lamp" "$tmp/home.yaml" || fail "the export lacks the new rule"
grep -q "bedroom.ceiling_light" "$tmp/home.yaml" || fail "the export lacks the devices"
expect_exit 0 rule delete ctl_desk_lamp
expect_exit 5 rule show ctl_desk_lamp
expect_exit 0 import "$tmp/home.yaml"
out_has "imported: areas 6, devices 24, scenes 6, rules 6"
expect_exit 0 rule show ctl_desk_lamp
out_has '"webhook": "ctl_test"'
printf 'scenes:\n  - {id: broken, targets: [{device: bedroom.ac, state: {on: [1]}}]}\n' > "$tmp/broken.yaml"
rc=0; timeout 60 "$hearthctl" import - < "$tmp/broken.yaml" > "$tmp/out" 2> "$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "a broken import from standard input ended with $rc: $(cat "$tmp/err")"
err_has "(field scenes[0].targets[0].state.on)"
expect_exit 5 scene show broken
echo "ok: export, delete, import brings the rule back; a broken document from stdin is refused with its field"

expect_exit 0 say 我困了
out_has "scene sleep"
commanded=$(grep -cE '^  [a-z_]+\.[a-z_]+  \{' "$tmp/out" || true)
foreign=$(grep -E '^  [a-z_]+\.[a-z_]+  \{' "$tmp/out" | grep -vcE '^  bedroom\.' || true)
[ "$commanded" -ge 2 ] && [ "$foreign" -eq 0 ] || fail "say 我困了 did not command only bedroom devices: $(cat "$tmp/out")"
eventually 30 state_is bedroom.ceiling_light "state.get('on') is False" || fail "我困了 did not turn the bedroom light off"
expect_exit 0 --json say 把卧室空调调到二十五度 --dry-run
python3 -c "
import json, sys
a = json.load(open(sys.argv[1]))
ok = a['dry_run'] and any(c['device'] == 'bedroom.ac' and c['set'].get('target_temperature') == 25 for c in a['commands'])
sys.exit(0 if ok else 1)" "$tmp/out" || fail "a dry-run utterance does not plan the AC command: $(cat "$tmp/out")"
echo "ok: say 我困了 runs the sleep scene on bedroom devices only; --dry-run --json shows the planned command"

secret=$(timeout 60 "$hearthctl" token create ctl-reader --scope read 2> "$tmp/err") || fail "token create failed: $(cat "$tmp/err")"
[[ "$secret" == hth_* ]] || fail "token create printed '$secret', not a secret"
err_has "shown only this once"
token_id=$(sed -n 's/^hearthctl: created token \([^ ]*\) .*/\1/p' "$tmp/err")
[ -n "$token_id" ] || fail "no token id in: $(cat "$tmp/err")"
expect_exit 0 tokens
grep -qE "^$token_id +ctl-reader +read +20" "$tmp/out" || fail "tokens does not list the new token: $(cat "$tmp/out")"
! grep -q "$secret" "$tmp/out" || fail "tokens shows a secret"
expect_exit 0 --token "$secret" devices
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 24 ] || fail "the read token does not see the devices"
expect_exit 4 --token "$secret" set kitchen.light off
err_has "HTTP 403"
echo "$secret" > "$tmp/reader.token"
HEARTH_TOKEN=nonsense expect_exit 4 --token-file "$tmp/reader.token" tokens
err_has "HTTP 403"
expect_exit 0 token revoke "$token_id"
out_has "revoked token $token_id"
expect_exit 4 --token "$secret" devices
err_has "HTTP 401"
expect_exit 0 tokens
! grep -q "ctl-reader" "$tmp/out" || fail "the revoked token is still listed"
echo "ok: token create prints the secret once, the read token reads but may not command, revoke makes it 401"

# start_tail NAME ARGS...: hearthctl tail in the background, output in $tmp/NAME.out and .err; returns
# once it reports its subscription, so what follows cannot slip past it.
start_tail() {
  local name=$1; shift
  timeout 60 "$hearthctl" tail "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  tail_pid=$!
  pids+=($tail_pid)
  eventually 20 grep -qs "subscribed" "$tmp/$name.err" || fail "tail did not subscribe: $(cat "$tmp/$name.err")"
}
wait_tail() {
  local rc=0; wait "$tail_pid" || rc=$?
  [ "$rc" -eq 0 ] || fail "tail ended with $rc: $(cat "$tmp/$1.err")"
}
# study.light is touched by nothing else in the test or the demo's rules, so its first state change
# after subscribing is the command's (checked by its context id).
start_tail raw --json --device study.light --events state --count 1 --timeout 30
expect_exit 0 set study.light on brightness=77
context=$(sed -n 's/.*(context \([^)]*\))$/\1/p' "$tmp/out")
[ -n "$context" ] || fail "set printed no context id: $(cat "$tmp/out")"
wait_tail raw
[ "$(wc -l < "$tmp/raw.out")" -eq 1 ] || fail "tail --count 1 printed other than one line: $(cat "$tmp/raw.out")"
python3 -c "
import json, sys
m = json.loads(open(sys.argv[1]).read())
sys.exit(0 if m['type'] == 'state' and m['device'] == 'study.light' and m.get('context_id') == sys.argv[2] else 1)" \
  "$tmp/raw.out" "$context" || fail "tail --json did not catch the command's state change ($context): $(cat "$tmp/raw.out")"
eventually 30 state_is study.light "state.get('on') is True and state.get('brightness') == 77" || fail "study.light did not settle"
start_tail lines --device study.light --count 1 --timeout 30
expect_exit 0 set study.light off
wait_tail lines
grep -qE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} state study\.light [a-z_]+ .+ -> .+$' "$tmp/lines.out" ||
  fail "tail did not print the state change as a line: $(cat "$tmp/lines.out")"
# Exit 6 and the message say tail ended by its own --timeout; a tail that ignored it would be killed
# by ctl's outer `timeout 60` and end with 124 instead.
expect_exit 6 tail --device entrance.door_lock --events event --count 1 --timeout 1
err_has "0 of 1 messages before the timeout"
expect_exit 4 --token hth_not_a_token tail --count 1 --timeout 5
echo "ok: tail --count 1 catches a command's state change (JSON and line); --timeout bounds it (exit 6); a bad token is refused"

# The same hub and data over TLS: hearthctl checks the self-signed certificate against --ca-file or
# HEARTH_CA_FILE, refuses it against the system's CAs, and skips the check only with --insecure.
mkdir -p "$tmp/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout "$tmp/tls/key.pem" -out "$tmp/tls/cert.pem" 2>/dev/null
kill -TERM "$hub_pid"
wait "$hub_pid" 2>/dev/null || true
https_port=$(free_port)
"$hearthd" --http "127.0.0.1:$https_port" --mqtt "tcp://127.0.0.1:$mqtt_port" --data "$tmp/data" --home "$home" \
  --tls-cert "$tmp/tls/cert.pem" --tls-key "$tmp/tls/key.pem" --cors-origin https://app.example --rate-limit 0 \
  > "$tmp/hub.log" 2>&1 &
pids+=($!)
eventually 20 port_open "$https_port" || fail "hearthd with TLS does not listen on $https_port"
grep -q "API on https://" "$tmp/hub.log" || fail "hearthd does not say it serves https: $(cat "$tmp/hub.log")"
export HEARTH_URL=https://127.0.0.1:$https_port
expect_exit 3 devices
err_has "--ca-file" "an untrusted certificate's error"
export HEARTH_CA_FILE=$tmp/tls/cert.pem
expect_exit 0 devices
[ "$(tail -n +2 "$tmp/out" | wc -l)" -eq 24 ] || fail "devices over https is not the 24 devices: $(cat "$tmp/out")"
start_tail tls --json --device study.light --events state --count 1 --timeout 30
expect_exit 0 set study.light on brightness=33
wait_tail tls
python3 -c "
import json, sys
m = json.loads(open(sys.argv[1]).read())
sys.exit(0 if m['type'] == 'state' and m['device'] == 'study.light' else 1)" "$tmp/tls.out" ||
  fail "tail over wss did not see the state change: $(cat "$tmp/tls.out")"
unset HEARTH_CA_FILE
expect_exit 0 --insecure devices
err_has "warning: --insecure"
expect_exit 2 --insecure --ca-file "$tmp/tls/cert.pem" devices
curl -s --cacert "$tmp/tls/cert.pem" -o /dev/null -D "$tmp/preflight" -X OPTIONS -H "Origin: https://app.example" \
  -H "Access-Control-Request-Method: GET" "https://127.0.0.1:$https_port/api/v1/devices"
grep -qi "^access-control-allow-origin: https://app.example" "$tmp/preflight" ||
  fail "--cors-origin did not allow https://app.example: $(cat "$tmp/preflight")"
[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$https_port/api/v1/health")" = 400 ] ||
  fail "plain HTTP to the TLS port is not answered 400"
echo "ok: over https hearthctl lists devices and tails a state change over wss with --ca-file/HEARTH_CA_FILE; refuses an untrusted certificate (exit 3); --insecure warns; --cors-origin and plain HTTP on the TLS port"

kill -TERM "${pids[@]}" 2>/dev/null || true
for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
for pid in "${pids[@]}"; do ! kill -0 "$pid" 2>/dev/null || fail "process $pid still runs"; done
pids=()
echo "ok: broker, hub and fleet stopped"
