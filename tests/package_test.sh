#!/usr/bin/env bash
# The .deb, end to end: CPack builds it from this build directory (no rebuild: the binaries the
# suite just tested, stripped), dpkg-deb unpacks it into a temporary root, and what it holds must
# work from there: hearthd, hearthctl and hearth-fleet run; the systemd unit passes
# `systemd-analyze verify` with not one complaint; the packaged hearthd starts against a private
# Mosquitto with stderr taken for the journal, tells a NOTIFY_SOCKET this test listens on READY=1
# once its API answers, answers /api/v1/health, logs "<N>"-prefixed lines without the owner
# token's secret, and says STOPPING=1 when stopped.
#   tests/package_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1 build=$2
for tool in cpack dpkg-deb dpkg-shlibdeps systemd-analyze python3 mosquitto curl; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (scripts/setup installs it)"; exit 1; }
done
tmp=$(mktemp -d /tmp/hearth-package-test.XXXXXX)
pids=()
finish() {
  local rc=$?
  [ ${#pids[@]} -eq 0 ] || kill -TERM "${pids[@]}" 2>/dev/null || true
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    for f in "$tmp"/cpack.log "$tmp"/verify.log "$tmp"/hub.log "$tmp"/notify.log; do
      [ -e "$f" ] && { echo "--- $f"; tail -n 30 "$f"; }
    done
  fi
  rm -rf "$tmp"
  exit $rc
}
trap finish EXIT
fail() { echo "FAIL: $*"; exit 1; }
eventually() {
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.2; done
}

# ---- the package ----
# Uncompressed: the dev build's binaries are large and the compression is not what is tested.
(cd "$build" && cpack -G DEB -B "$tmp/pkg" -D CPACK_DEBIAN_COMPRESSION_TYPE=none --config "$build/CPackConfig.cmake") > "$tmp/cpack.log" 2>&1 \
  || fail "cpack did not build the .deb"
deb=$(ls "$tmp"/pkg/hearth_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no hearth_*.deb in $tmp/pkg"
dpkg-deb -I "$deb" > "$tmp/info"
grep -q '^ Package: hearth$' "$tmp/info" || fail "the package is not named hearth: $(cat "$tmp/info")"
grep -Eq '^ Depends: .*libpaho-mqttpp3' "$tmp/info" || fail "Depends lacks the shared libraries: $(grep Depends "$tmp/info")"
grep -Eq '^ Depends: .*tzdata' "$tmp/info" || fail "Depends lacks tzdata"
grep -Eq '^ Recommends: mosquitto' "$tmp/info" || fail "mosquitto is not recommended"
dpkg-deb -e "$deb" "$tmp/control"
grep -qx '/etc/default/hearthd' "$tmp/control/conffiles" || fail "/etc/default/hearthd is not a conffile"
root=$tmp/root
dpkg-deb -x "$deb" "$root"
for f in usr/bin/hearthd usr/bin/hearthctl usr/bin/hearth-fleet; do
  [ -x "$root/$f" ] || fail "the package lacks /$f"
done
for f in usr/lib/systemd/system/hearthd.service etc/default/hearthd usr/share/hearth/homes/demo.yaml \
         usr/share/hearth/openapi.json usr/share/doc/hearth/deployment.md; do
  [ -f "$root/$f" ] || fail "the package lacks /$f"
done

# ---- the programs run from the package ----
"$root/usr/bin/hearthd" --help > "$tmp/help" || fail "hearthd --help failed"
grep -q -- '--log-level' "$tmp/help" || fail "hearthd --help does not list --log-level"
"$root/usr/bin/hearthd" --version | grep -Eq '^hearthd [0-9]+[.][0-9]+[.][0-9]+' || fail "hearthd --version failed"
"$root/usr/bin/hearthd" --config "$root/usr/share/doc/hearth/hearthd.conf" --check-config > /dev/null \
  || fail "the packaged default config (hearthd.conf) does not load"
"$root/usr/bin/hearthctl" help > /dev/null || fail "hearthctl help failed"
"$root/usr/bin/hearth-fleet" --help > /dev/null || fail "hearth-fleet --help failed"
"$root/usr/bin/hearth-fleet" --home "$root/usr/share/hearth/homes/demo.yaml" --list-ids > "$tmp/ids" \
  || fail "hearth-fleet cannot read the packaged demo home"
[ -s "$tmp/ids" ] || fail "the packaged demo home lists no devices"

# ---- the unit ----
unit=$root/usr/lib/systemd/system/hearthd.service
grep -qx 'ExecStart=/usr/bin/hearthd' "$unit" || fail "the unit does not start /usr/bin/hearthd: $(grep ExecStart "$unit")"
grep -qx 'EnvironmentFile=-/etc/default/hearthd' "$unit" || fail "the unit does not read /etc/default/hearthd"
for line in Type=notify StateDirectory=hearth DynamicUser=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes \
            NoNewPrivileges=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6'; do
  grep -qx "$line" "$unit" || fail "the unit lacks $line"
done
# verify runs the unit as installed but with ExecStart on the unpacked binary (it checks that the
# command exists); any complaint at all fails, since verify exits 0 on unknown keys.
sed "s|^ExecStart=/usr/bin/hearthd|ExecStart=$root/usr/bin/hearthd|" "$unit" > "$tmp/hearthd.service"
(cd "$tmp" && systemd-analyze verify ./hearthd.service) > "$tmp/verify.log" 2>&1 || fail "systemd-analyze verify failed"
[ ! -s "$tmp/verify.log" ] || fail "systemd-analyze verify complains: $(cat "$tmp/verify.log")"

# ---- the packaged hearthd as systemd would run it ----
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mqtt_port=$(free_port)
mkdir -p "$tmp/mosquitto" "$tmp/data"
{
  echo "listener $mqtt_port 127.0.0.1"
  echo "allow_anonymous true"
  echo "persistence false"
  [ "$(id -u)" -ne 0 ] || echo "user root"
} > "$tmp/mosquitto/mosquitto.conf"
mosquitto -c "$tmp/mosquitto/mosquitto.conf" > "$tmp/mosquitto/log" 2>&1 &
pids+=($!)
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
eventually 20 port_open "$mqtt_port" || fail "mosquitto does not listen on $mqtt_port"

# The notify socket: every datagram becomes one line of notify.log ("\n" inside shown as "|").
notify=$tmp/notify.sock
: > "$tmp/notify.log"
python3 -u - "$notify" > "$tmp/notify.log" 2>&1 <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    print(s.recv(4096).decode().replace("\n", "|"), flush=True)
PY
pids+=($!)
eventually 20 grep -q listening "$tmp/notify.log" || fail "the notify listener did not start"

# Port 0: the hub takes a free port and says which in READY's STATUS. JOURNAL_STREAM says stderr is
# the journal, as systemd sets it for StandardError=journal.
NOTIFY_SOCKET=$notify JOURNAL_STREAM=8:12345 HEARTH_DATA=$tmp/data HEARTH_LOG_LEVEL=info \
  "$root/usr/bin/hearthd" --http 127.0.0.1:0 --mqtt "tcp://127.0.0.1:$mqtt_port" > "$tmp/hub.log" 2>&1 &
hub_pid=$!
pids+=($hub_pid)
eventually 60 grep -q '^READY=1' "$tmp/notify.log" || fail "hearthd did not notify READY=1: $(cat "$tmp/notify.log")"
port=$(sed -n 's/^READY=1|STATUS=API on port \([0-9]*\)$/\1/p' "$tmp/notify.log" | head -n 1)
[ -n "$port" ] || fail "READY=1 does not say the port: $(cat "$tmp/notify.log")"
curl -sf "http://127.0.0.1:$port/api/v1/health" > "$tmp/health" || fail "no /api/v1/health on port $port after READY=1"
python3 -c 'import json, sys; h = json.load(open(sys.argv[1])); assert h["store"] == "ok", h' "$tmp/health" \
  || fail "health is not as expected: $(cat "$tmp/health")"
secret=$(cat "$tmp/data/owner.token")
[ -n "$secret" ] || fail "no owner token was written"
# The whole exposition, through the Prometheus client library's own parser (Debian's package; the
# system python, since python3 may be another installation).
curl -sf -H "Authorization: Bearer $secret" "http://127.0.0.1:$port/metrics" > "$tmp/metrics" || fail "no /metrics"
/usr/bin/python3 - "$tmp/metrics" <<'PY' || fail "/metrics does not parse or lacks its labelled families"
import sys
from prometheus_client.parser import text_string_to_metric_families
families = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
def family(name):
    return families.get(name) or families[name.removesuffix("_total")]
build = family("hearth_build_info").samples
assert len(build) == 1 and build[0].labels["version"] and build[0].value == 1, build
requests = family("hearth_http_requests_total").samples
assert any(s.labels == {"method": "GET", "route": "/api/v1/health", "code": "200"} and s.value >= 1 for s in requests), requests
buckets = [s for s in family("hearth_http_request_seconds").samples if s.name.endswith("_bucket")]
assert any(s.labels["route"] == "/api/v1/health" and float(s.labels["le"]) < 0.001 for s in buckets), buckets
for name in ("hearth_rule_runs_total", "hearth_utterances_total", "hearth_mqtt_messages_in_total"):
    family(name)
print(len(families), "families")
PY
eventually 30 grep -Eq '^<6>connected to (tcp|mqtt)://' "$tmp/hub.log" || fail "no <6> journal line saying the broker connected"
grep -q '^<6>API on http://127.0.0.1:' "$tmp/hub.log" || fail "no <6> journal line for the API"
if grep -vq '^<[0-7]>' "$tmp/hub.log"; then fail "a log line without a priority prefix: $(grep -v '^<[0-7]>' "$tmp/hub.log" | head -n 3)"; fi
if grep -qF "$secret" "$tmp/hub.log"; then fail "the owner token's secret is in the journal"; fi
grep -q '^<6>created the owner token' "$tmp/hub.log" || fail "the log does not say where the owner token is"

kill -TERM "$hub_pid"
rc=0; wait "$hub_pid" || rc=$?
[ "$rc" -eq 0 ] || fail "hearthd ended with $rc on SIGTERM"
eventually 10 grep -q '^STOPPING=1' "$tmp/notify.log" || fail "hearthd did not notify STOPPING=1"
echo "package ok: $(basename "$deb"), $(du -k "$deb" | cut -f1) KiB"
