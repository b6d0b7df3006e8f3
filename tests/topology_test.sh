#!/usr/bin/env bash
# System test of scripts/topology: the broker with generated accounts and ACLs, hearthd with its own
# account and two fleet processes (each a slice), optionally each fleet in its own network
# namespace. Checks that the hub sees and commands every device, and that the broker refuses what a
# device must not do: log in as nobody, with a wrong password or anonymously, publish as another
# device, read another device's commands.
#   tests/topology_test.sh SOURCE_DIR BUILD_DIR [--netns]
# Exit 77 (skipped) for --netns when not root or without ip.
set -euo pipefail
src=$1 build=$2 mode=${3:-}
if [ "$mode" = --netns ]; then
  if [ "$(id -u)" -ne 0 ] || ! command -v ip >/dev/null || ! ip netns list >/dev/null 2>&1; then
    echo "skipped: network namespaces need root and iproute2"
    exit 77
  fi
fi
for tool in curl python3 mosquitto mosquitto_pub mosquitto_sub mosquitto_passwd; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/setup installs it)"; exit 1; }
done

tmp=$(mktemp -d /tmp/hearth-topology-test.XXXXXX)
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
http_port=$(free_port)
mqtt_port=$(free_port)
topology=-1
helpers=()

finish() {
  local rc=$?
  [ ${#helpers[@]} -eq 0 ] || kill "${helpers[@]}" 2>/dev/null || true
  if [ "$topology" -gt 0 ]; then kill -TERM "$topology" 2>/dev/null || true; wait "$topology" 2>/dev/null || true; fi
  if [ $rc -ne 0 ]; then
    echo "--- topology output"; cat "$tmp/topology.out" 2>/dev/null || true
    for f in "$tmp"/hub.log "$tmp"/fleet-*.log; do [ -e "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap finish EXIT
fail() { echo "FAIL: $*"; exit 1; }
# eventually SECONDS CMD...: polls CMD until it succeeds or the deadline passes.
eventually() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.1; done
}

"$src/scripts/topology" --bin "$build" --data "$tmp" --http "127.0.0.1:$http_port" --mqtt-port "$mqtt_port" \
  --fleets 2 --devices 44 --offline-fraction 0 $mode > "$tmp/topology.out" 2>&1 &
topology=$!
ready() { kill -0 "$topology" 2>/dev/null || fail "scripts/topology exited"; [ -e "$tmp/ready" ]; }
eventually 120 ready || fail "the topology did not become ready"

# Where the broker and the hub live, and where a device (fleet process 1) lives.
lan=() host=() broker_host=127.0.0.1
if [ "$mode" = --netns ]; then
  lan=(ip netns exec "hearth-lan-$topology")
  host=(ip netns exec "hearth-fleet1-$topology")
  broker_host=10.77.1.1
  ip netns list | grep -q "hearth-fleet2-$topology" || fail "no namespace for fleet 2"
  "${lan[@]}" ip -o addr show | grep -q "10.77.2.1/24" || fail "the lan namespace has no address towards fleet 2"
  ! ip -o addr show | grep -q "10\.77\." || fail "an address leaked into the host's namespace"
fi
token=$(cat "$tmp/hub/owner.token")
api() { "${lan[@]}" curl -fsS -H "Authorization: Bearer $token" "$@"; }
base=http://127.0.0.1:$http_port/api/v1

all_online() {
  api "$base/devices?limit=1000" > "$tmp/devices.json" 2>/dev/null || return 1
  python3 - "$tmp/devices.json" <<'PY'
import json, sys
body = json.load(open(sys.argv[1]))
online = [d for d in body["devices"] if d.get("online")]
sys.exit(0 if body["total"] == 66 and len(online) == 66 else 1)
PY
}
eventually 90 all_online || fail "the hub does not see all 66 devices online: $(head -c 300 "$tmp/devices.json")"
echo "ok: the hub, logged in with its own account, sees 66 devices of 2 fleet processes online"

state_is() {  # state_is DEVICE PYTHON-EXPRESSION-ON-state
  api "$base/devices/$1" > "$tmp/device.json" 2>/dev/null || return 1
  python3 -c "import json, sys; state = json.load(open(sys.argv[1]))['state']; sys.exit(0 if ($2) else 1)" "$tmp/device.json"
}
for device in bedroom.ceiling_light h00002.living_room.floor_lamp; do
  api -X POST "$base/devices/$device/commands" -d '{"on": true, "brightness": 30}' > /dev/null ||
    fail "the hub refused to command $device"
  eventually 30 state_is "$device" "state.get('on') is True and state.get('brightness') == 30" ||
    fail "$device did not apply the hub's command: $(cat "$tmp/device.json")"
done
echo "ok: the hub commands devices of both fleet processes"

password() { awk -F: -v id="$1" '$1 == id { print substr($0, length(id) + 2) }' "$tmp/broker/credentials"; }
a=h00001.bedroom.ac b=h00001.bedroom.ceiling_light
pa=$(password $a) hub_password=$(head -n1 "$tmp/broker/hub.password")
[ -n "$pa" ] || fail "no password for $a"
pub() { "${host[@]}" mosquitto_pub -h "$broker_host" -p "$mqtt_port" "$@"; }
sub() { "${host[@]}" stdbuf -oL mosquitto_sub -h "$broker_host" -p "$mqtt_port" "$@"; }

refused() { ! pub "$@" -t "hearth/device/$a/event" -m '{"event":"probe"}' > /dev/null 2>&1; }
refused -u nobody -P "$pa" || fail "an unknown user could connect"
refused -u "$a" -P "wrong-$pa" || fail "a wrong password was accepted"
refused || fail "an anonymous client could connect"
refused -u "$a" || fail "a device without its password could connect"
echo "ok: unknown users, wrong passwords and anonymous clients cannot connect"

# wait_subscribed FILE: mosquitto_sub -d prints "Subscribed" once the SUBACK is in.
wait_subscribed() { eventually 10 grep -qs "Subscribed" "$1"; }

# A device publishes as another device, then on its own topic over a later connection: the broker
# handles the first completely (PUBACK) before the second exists, so had it passed, the hub's
# subscription would see it first.
sub -d -u hearthd -P "$hub_password" -t 'hearth/device/+/event' -v -C 1 -W 30 > "$tmp/hub_sub" 2>&1 &
helpers+=($!)
wait_subscribed "$tmp/hub_sub" || fail "the hub account could not subscribe"
pub -V 5 -q 1 -d -u "$a" -P "$pa" -t "hearth/device/$b/event" -m '{"event":"forged"}' > "$tmp/forged" 2>&1 || true
grep -q "received PUBACK.*RC:135" "$tmp/forged" || fail "the broker did not refuse the publish as another device: $(cat "$tmp/forged")"
pub -q 1 -u "$a" -P "$pa" -t "hearth/device/$a/event" -m '{"event":"probe"}' || fail "a device could not publish its own event"
wait "${helpers[-1]}" || fail "the hub account saw nothing: $(cat "$tmp/hub_sub")"
grep -q "^hearth/device/$a/event " "$tmp/hub_sub" || fail "the hub account did not see the device's own event"
! grep -q "forged" "$tmp/hub_sub" || fail "a device published as another device"
echo "ok: a device publishing as another device is refused (MQTT 5 PUBACK 0x87) and nothing arrives"

# A device subscribes to another device's commands and to its own; the hub commands the other
# device first, then this one: the only command that reaches it is its own.
sub -d -u "$a" -P "$pa" -t "hearth/device/$b/set" -t "hearth/device/$a/set" -v -C 1 -W 30 > "$tmp/device_sub" 2>&1 &
helpers+=($!)
wait_subscribed "$tmp/device_sub" || fail "the device could not subscribe"
pub -q 1 -u hearthd -P "$hub_password" -t "hearth/device/$b/set" -m '{"on": false}' || fail "the hub account could not command $b"
pub -q 1 -u hearthd -P "$hub_password" -t "hearth/device/$a/set" -m '{"on": true}' || fail "the hub account could not command $a"
wait "${helpers[-1]}" || fail "the device received no command: $(cat "$tmp/device_sub")"
! grep -q "^hearth/device/$b/set" "$tmp/device_sub" || fail "a device read another device's commands"
grep -q "^hearth/device/$a/set " "$tmp/device_sub" || fail "the device did not receive its own command"
echo "ok: a device cannot read another device's set topic"

tag=$topology
[ "$(sub -u "$a" -P "$pa" -t hearth/hub/status -C 1 -W 10)" = online ] || fail "a device cannot read the hub status"
echo "ok: a device reads the hub status"

kill -TERM "$topology"
wait "$topology" || true
topology=-1
while read -r role pid; do
  ! kill -0 "$pid" 2>/dev/null || fail "$role ($pid) still runs after the topology stopped"
done < "$tmp/pids"
if [ "$mode" = --netns ]; then
  ! ip netns list | grep -qE "^hearth-(lan|fleet[0-9]+)-$tag( |$)" || fail "namespaces are left behind"
fi
echo "ok: everything stopped$([ "$mode" = --netns ] && echo ", namespaces deleted")"
