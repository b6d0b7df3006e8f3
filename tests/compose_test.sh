#!/usr/bin/env bash
# Static checks of the container files (no Docker engine needed): docker/compose.yaml validates with
# `docker-compose config` and wires broker, hub and fleets as documented; the Dockerfile has a
# non-root user, a health check and a data volume; docker/fleet-entrypoint maps a replica to its slice.
#   tests/compose_test.sh SOURCE_DIR
# The Dockerfile and entrypoint checks always run; only the compose checks need docker-compose, and
# exit 77 (skipped) after the others have passed when it is not installed (scripts/setup installs it).
set -euo pipefail
src=$1
cd "$src"
fail() { echo "FAIL: $*"; exit 1; }

dockerfile=docker/Dockerfile
grep -q '^FROM ${DEBIAN} AS build' "$dockerfile" && grep -q '^FROM ${DEBIAN} AS runtime' "$dockerfile" &&
  grep -q '^ARG DEBIAN=debian:12-slim' "$dockerfile" || fail "two Debian 12 slim stages"
grep -q '^RUN ./scripts/setup' "$dockerfile" || fail "the build stage installs what scripts/setup lists"
grep -q '^USER hearth' "$dockerfile" || fail "the runtime runs as a non-root user"
grep -A1 '^HEALTHCHECK' "$dockerfile" | grep -q '/api/v1/health' || fail "the health check asks /api/v1/health"
grep -q '^VOLUME \["/var/lib/hearth"\]' "$dockerfile" || fail "the data directory is a volume"
echo "ok: the Dockerfile builds on Debian 12 slim, runs as hearth, checks /api/v1/health, keeps data in a volume"

slice() { env HEARTH_FLEET_DRY_RUN=1 "$@" docker/fleet-entrypoint --devices 10 | grep -o -- '--slice [0-9/]*'; }
[ "$(slice HEARTH_FLEET_REPLICAS=4 HEARTH_FLEET_NAME=hearth-fleet-3.hearth_default)" = "--slice 3/4" ] || fail "compose v2 replica 3 of 4"
[ "$(slice HEARTH_FLEET_REPLICAS=2 HEARTH_FLEET_NAME=hearth_fleet-large_2)" = "--slice 2/2" ] || fail "compose v1 replica 2 of 2"
[ "$(slice HEARTH_FLEET_REPLICAS=5 HEARTH_FLEET_SLICE_INDEX=4 HEARTH_FLEET_NAME=x)" = "--slice 4/5" ] || fail "an explicit index"
! slice HEARTH_FLEET_REPLICAS=2 HEARTH_FLEET_NAME=hearth-fleet-3 2>/dev/null || fail "replica 3 of 2 must be refused"
! slice HEARTH_FLEET_NAME=no-number-here 2>/dev/null || fail "a name without a replica number must be refused"
echo "ok: each fleet replica runs its own slice; a replica beyond HEARTH_FLEET_REPLICAS is refused"

if ! command -v docker-compose >/dev/null; then
  echo "skipped: docker/compose.yaml not validated, docker-compose is not installed (Debian package docker-compose)"
  exit 77
fi
compose=(docker-compose --project-name hearth -f docker/compose.yaml)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"${compose[@]}" config -q || fail "docker/compose.yaml does not validate"
"${compose[@]}" config > "$tmp/default.yaml"
HEARTH_FLEET_REPLICAS=3 HEARTH_LARGE_REPLICAS=2 HEARTH_LARGE_DEVICES=20000 "${compose[@]}" --profile large config > "$tmp/scaled.yaml"
python3 - "$tmp/default.yaml" "$tmp/scaled.yaml" <<'PY'
import sys, yaml
default = yaml.safe_load(open(sys.argv[1]))["services"]
scaled = yaml.safe_load(open(sys.argv[2]))["services"]
def check(ok, what):
    if not ok:
        print("FAIL: " + what)
        sys.exit(1)
check({"broker-auth", "broker", "hub", "fleet"} <= set(default), "services broker-auth, broker, hub, fleet")
check(default["fleet-large"].get("profiles") == ["large"], "fleet-large only in the profile large")
check(all("profiles" not in default[s] for s in ("broker-auth", "broker", "hub", "fleet")), "the core runs without a profile")
auth = " ".join(default["broker-auth"]["command"])
check(auth.startswith("broker-auth --out /var/lib/hearth-auth"), "broker-auth generates the broker files: " + auth)
check("--home /usr/share/hearth/homes/demo.yaml" in auth and "--devices 10000" in auth, "accounts for the home and the large fleet")
check(default["broker"]["command"] == ["mosquitto", "-c", "/var/lib/hearth-auth/mosquitto.conf"], "the broker runs the generated config")
check(default["broker"]["depends_on"]["broker-auth"]["condition"] == "service_completed_successfully", "the broker waits for its accounts")
hub = default["hub"]["environment"]
check(hub.get("HEARTH_MQTT_USER") == "hearthd" and hub.get("HEARTH_MQTT_PASSWORD_FILE") == "/var/lib/hearth-auth/hub.password",
      "the hub logs in with its own account")
check(hub.get("HEARTH_MQTT_URL") == "tcp://broker:1883", "the hub talks to the broker service")
def target(v):
    return v["target"] if isinstance(v, dict) else v.split(":")[1]
check("/var/lib/hearth" in map(target, default["hub"]["volumes"]), "the hub keeps its data in a volume")
check(default["fleet"]["command"][0] == "hearth-fleet-entrypoint", "fleet replicas take their slice from the entrypoint")
check(scaled["fleet"]["environment"]["HEARTH_FLEET_REPLICAS"] == "3" and scaled["fleet"]["deploy"]["replicas"] == 3,
      "HEARTH_FLEET_REPLICAS sets the fleet's replica count and slice count")
check(scaled["fleet-large"]["environment"]["HEARTH_FLEET_REPLICAS"] == "2", "the large fleet scales with HEARTH_LARGE_REPLICAS")
check("--devices 20000" in " ".join(scaled["fleet-large"]["command"]) and "--devices 20000" in " ".join(scaled["broker-auth"]["command"]),
      "HEARTH_LARGE_DEVICES sizes the fleet and its accounts together")
check(scaled["broker"]["ulimits"]["nofile"]["hard"] >= 65536, "the broker may hold many connections")
PY
echo "ok: docker/compose.yaml validates and wires broker-auth → broker → hub and scalable fleets"
