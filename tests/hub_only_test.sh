#!/usr/bin/env bash
# Hub-only mode publishes nothing but the hub's own topics. As the README's quick start for an
# existing broker says: `HEARTH_MQTT_URL=… ./scripts/run` against "someone else's" broker (a private
# Mosquitto here, with an account and a password, as a real home's would have), while a subscriber
# to `#` lists every topic published. Allowed: the hub's status and its resynchronisation marker
# (hearth/hub/…) and Home Assistant discovery's birth (`homeassistant/status`, not retained, which
# asks devices to announce themselves). After Ctrl-C the only retained message left is the hub's
# own status. Then a device that announces itself Zigbee2MQTT-style with HA discovery is adopted.
#   tests/hub_only_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
bin=$(cd "$2" && pwd)
work=$(mktemp -d /tmp/hearth-hub-only.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "hub_only_test: FAIL: $*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
until_true() {  # until_true SECONDS COMMAND...: polls COMMAND until it succeeds or the deadline passes
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.1; done
}

port=$(free_port)
http_port=$(free_port)
mosquitto_passwd -c -b "$work/passwd" homeowner 'p@ss word' >/dev/null
{
  echo "listener $port 127.0.0.1"
  echo "allow_anonymous false"
  echo "password_file $work/passwd"
  echo "persistence false"
  [ "$(id -u)" -ne 0 ] || echo "user root"
} > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
sub=(-h 127.0.0.1 -p "$port" -u homeowner -P 'p@ss word')
until_true 10 mosquitto_pub "${sub[@]}" -t probe/ready -n || fail "mosquitto did not start"

mosquitto_sub "${sub[@]}" -t '#' -F '%t' > "$work/topics" &
pids+=($!)
until_true 10 bash -c "mosquitto_pub ${sub[*]@Q} -t probe/listening -n && grep -q 'probe/listening' '$work/topics'" \
  || fail "the subscriber does not see publishes"

# The quick start, as written, with the URL's password percent-encoded.
HEARTH_BUILD_DIR=$bin HEARTH_MQTT_URL="mqtt://homeowner:p%40ss%20word@127.0.0.1:$port" \
  HEARTH_HTTP=127.0.0.1:$http_port HEARTH_DATA=$work/data \
  setsid "$src/scripts/run" > "$work/run.log" 2>&1 &
run_pid=$!
pids+=($run_pid)
export http_port
health() { curl -sf "http://127.0.0.1:$http_port/api/v1/health"; }
until_true 30 bash -c "$(declare -f health); health | grep -q '\"state\":\"synced\"'" \
  || { cat "$work/run.log" >&2; fail "the hub did not connect and resynchronise"; }
grep -q 'hub-only' "$work/run.log" || fail "scripts/run did not say it runs hub-only"
if grep -q 'p@ss word\|p%40ss%20word' "$work/run.log"; then fail "scripts/run or hearthd showed the broker password"; fi
# A fleet starts with the hub and announces within a second; give it three, then ask the broker.
sleep 3
if pgrep -P "$run_pid" -f hearth-fleet > /dev/null; then fail "scripts/run started a simulated fleet"; fi
token=$(cat "$work/data/owner.token")
export token
devices=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$http_port/api/v1/devices" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["devices"]))')
[ "$devices" = 0 ] || fail "the hub knows $devices devices on an empty broker"

kill -INT -- "-$run_pid"
until_true 15 bash -c "! kill -0 $run_pid 2>/dev/null" || fail "scripts/run did not stop on Ctrl-C"
until_true 10 bash -c "[ \$(grep -c '^hearth/hub/status\$' '$work/topics') -ge 2 ]" \
  || fail "the hub's online and offline status were not both published (is the subscriber blind?)"

echo "topics published while hearthd ran hub-only:"
grep -v '^probe/' "$work/topics" | sort | uniq -c
unexpected=$(grep -v -E '^(probe/(ready|listening)|hearth/hub/status|hearth/hub/sync/hearthd|homeassistant/status)$' "$work/topics" || true)
[ -z "$unexpected" ] || fail "hub-only published outside the hub's own topics: $unexpected"

retained=$(mosquitto_sub "${sub[@]}" -t '#' --retained-only -W 2 -F '%t %p' 2>/dev/null || true)
[ "$retained" = "hearth/hub/status offline" ] || fail "retained after Ctrl-C: '$retained' (only the hub's offline status may stay)"

# "Connect your Zigbee2MQTT": a device announced with HA discovery, as Zigbee2MQTT does, is adopted.
cat > "$work/home.yaml" <<'HOME'
devices:
  - id: hall.lamp
    name: {en: hall lamp}
    kind: light
    capabilities: [on, brightness]
HOME
"$bin/sim/hearth-fleet" --home "$work/home.yaml" --style zigbee2mqtt --offline-fraction 0 \
  --mqtt "mqtt://homeowner:p%40ss%20word@127.0.0.1:$port" > "$work/fleet.log" 2>&1 &
fleet_pid=$!
pids+=($fleet_pid)
HEARTH_BUILD_DIR=$bin HEARTH_MQTT_URL="mqtt://homeowner:p%40ss%20word@127.0.0.1:$port" \
  HEARTH_HTTP=127.0.0.1:$http_port HEARTH_DATA=$work/data \
  setsid "$src/scripts/run" > "$work/run2.log" 2>&1 &
run_pid=$!
pids+=($run_pid)
adopted() {
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$http_port/api/v1/devices" |
    python3 -c 'import json,sys; d=json.load(sys.stdin)["devices"]; sys.exit(0 if any(x.get("online") and x["id"] != "hall.lamp" for x in d) else 1)' 2>/dev/null
}
until_true 30 bash -c "$(declare -f adopted); adopted" \
  || { cat "$work/fleet.log" "$work/run2.log" >&2; fail "the Zigbee2MQTT-style device was not adopted"; }
kill -INT -- "-$run_pid"
echo "hub_only_test: ok"
