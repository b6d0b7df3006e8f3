#!/usr/bin/env python3
"""Seed inputs for the fuzz targets.

  seeds.py tests  OUT   small seeds from the unit tests' strings and the demo home (committed as
                        fuzz/corpus/<target>/)
  seeds.py shared OUT   seeds from ../shared/testdata: real Zigbee2MQTT and Tasmota payloads, HA
                        discovery configs, the HA intents' sentences (built at run time by scripts/fuzz)

Each seed is one file OUT/<target>/<sha1 of its content>, in the target's input format (see the
comment at the top of fuzz/<target>_fuzz.cpp).
"""
import hashlib
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "testdata"


def write(out, target, seeds):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        data = seed.encode() if isinstance(seed, str) else seed
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)


def lines(messages):
    """Messages in the adapters' input format: one per line, topic TAB payload."""
    out = []
    for topic, payload in messages:
        if not isinstance(payload, str):
            payload = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        out.append(f"{topic}\t{payload}")
    return "\n".join(out)


# ---- strings from the tests ----

LITERAL = re.compile(r'R"(?P<delim>[A-Za-z]*)\((?P<raw>.*?)\)(?P=delim)"|"(?P<plain>(?:[^"\\\n]|\\.)*)"', re.S)


def literals(*paths):
    for path in paths:
        text = (ROOT / path).read_text()
        for m in LITERAL.finditer(text):
            if m.group("raw") is not None:
                yield m.group("raw")
            else:
                yield bytes(m.group("plain"), "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def json_objects(*paths):
    for s in literals(*paths):
        try:
            value = json.loads(s)
        except ValueError:
            continue
        if isinstance(value, (dict, list)):
            yield json.dumps(value, ensure_ascii=False)


def demo_home():
    return (ROOT / "sim" / "homes" / "demo.yaml").read_text()


def documented(key):
    """Every `key` entry (scenes, rules) of the demo home and of the YAML examples in docs/*.md.
    Needs PyYAML (python3-yaml); only `seeds.py tests` uses it."""
    import yaml
    texts = [demo_home()]
    for doc in sorted((ROOT / "docs").glob("*.md")):
        texts += re.findall(r"```yaml\n(.*?)```", doc.read_text(), re.S)
    for text in texts:
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError:
            continue
        if isinstance(document, dict) and isinstance(document.get(key), list):
            for entry in document[key]:
                yield json.dumps(entry, ensure_ascii=False, default=str)


def from_tests(out):
    lamp = {"id": "hall.lamp", "kind": "light", "capabilities": ["on", "brightness"]}
    write(out, "native", [
        lines([("hearth/device/hall.lamp/config", lamp),
               ("hearth/device/hall.lamp/state", {"on": True, "brightness": 40, "context_id": "r-1.1"}),
               ("hearth/device/hall.lamp/availability", "online"),
               ("hearth/device/hall.lamp/event", {"event": "pressed", "count": 2})]),
        lines([("hearth/device/hall.lamp/state", {"on": True}),
               ("hearth/device/hall.lamp/availability", "offline"),
               ("hearth/device/hall.lamp/config", lamp),
               ("hearth/device/hall.lamp/config", "")]),
    ])
    write(out, "ha_discovery", [
        lines([("homeassistant/switch/plug1/config",
                {"~": "tasmota/plug", "name": "Plug", "uniq_id": "plug1", "stat_t": "~/STATE", "cmd_t": "~/cmnd/POWER",
                 "avty_t": "~/LWT", "pl_on": "ON", "pl_off": "OFF", "val_tpl": "{{ value_json.POWER }}",
                 "dev": {"ids": ["plug1"], "name": "Plug", "sa": "Hall"}}),
               ("tasmota/plug/LWT", "online"), ("tasmota/plug/STATE", {"POWER": "ON"})]),
        lines([("homeassistant/light/bedside/config",
                {"name": "Bedside", "uniq_id": "bedside", "schema": "json", "stat_t": "bedside/state",
                 "cmd_t": "bedside/set", "brightness": True, "color_mode": True, "supported_color_modes": ["color_temp"],
                 "dev": {"ids": ["bedside"], "name": "Bedside lamp"}}),
               ("bedside/state", {"state": "ON", "brightness": 40, "color_temp": 250})]),
    ])
    write(out, "zigbee2mqtt", [lines([
        ("zigbee2mqtt/bridge/state", {"state": "online"}),
        ("zigbee2mqtt/bridge/devices", [{"friendly_name": "hall/switch", "ieee_address": "0xabc", "definition": {
            "model": "X", "vendor": "Y", "exposes": [{"type": "switch", "endpoint": "l1", "features": [
                {"type": "binary", "name": "state", "property": "state_l1", "value_on": "ON", "value_off": "OFF",
                 "access": 7}]}]}}]),
        ("zigbee2mqtt/hall/switch", {"state_l1": "ON"}),
        ("zigbee2mqtt/hall/switch/availability", {"state": "offline"})])])
    write(out, "tasmota", [lines([("tasmota_49A3BC/tele/LWT", "Online")])])
    write(out, "ha_template", [s + "\0" + '{"temperature":21.5,"state":"ON","n":21,"battery":null}'
                               for s in literals("devices/adapters/template_test.cpp") if "{{" in s or "{%" in s])
    write(out, "command", ['{"on":true,"brightness":40,"transition":2,"context_id":"app-1"}', '{"hvac_mode":"cool"}'] +
          [s for s in json_objects("proto/command_test.cpp")])
    write(out, "scene", list(json_objects("scenes/scene_test.cpp")) + list(documented("scenes")) + [json.dumps({
        "id": "sleep", "name": {"zh": "睡眠", "en": "sleep"}, "area": "bedroom", "transition": 3,
        "targets": [{"device": "bedroom.ceiling_light", "transition": 10,
                     "state": {"on": True, "brightness": 10, "color_temp": {"expr": "clamp(current - 500, 2700, 6500)"}}}]},
        ensure_ascii=False)])
    write(out, "rule", list(json_objects("rules/rule_test.cpp", "rules/engine_test.cpp", "rules/daylight_saving_test.cpp")) +
          list(documented("rules")))
    write(out, "expression", [s for s in literals("scenes/expression_test.cpp")
                              if any(k in s for k in ("(", "==", "and", "+", "current"))][:200])
    write(out, "schedule", ["*/15 * * * *", "30 7 * * 1-5", "0 0 29 2 *", "30 2 * * *", "0 * * * *", "0-30/10 6,18 1-7 1,6-8 0,7"] +
          [s for s in literals("rules/schedule_test.cpp") if re.fullmatch(r"[0-9*/,\- ]+", s) and s.count(" ") == 4])
    write(out, "timestamp", [s for s in literals("scenes/timestamp_test.cpp") if re.match(r"[0-9+]{4}-", s)])
    write(out, "yaml", [demo_home(), "a: [1, 2.5, 'x', yes, ~, true]\nb: {c: \"d\"}\n", "- - - 1\n"])
    write(out, "home_import", [demo_home()])
    write(out, "conversation_request", ['{"text":"我困了","area":"bedroom","language":"zh","dry_run":true}',
                                         '{"text":"turn on the light","id":3,"type":"conversation"}'])
    write(out, "token", ['{"name":"kitchen tablet","scope":"control"}', '{"name":"x"}', '{"name":"x","scope":["admin"]}',
                         '{"id":"tok_1","name":"a","scope":"admin","hash":"00","created":1700000000000}'])
    write(out, "moods", ['{"moods":{"sleepy":"sleep","leave":null}}', '{"wake":"wake_up"}', '{"moods":[1]}'])
    write(out, "sentences", ['{"pattern":"该{activity}了","rule":"dinner_bell"}', '{"pattern":5,"scene":null}', '{"pattern":"晚安","scene":"sleep","id":"good-night"}'])
    auth = '{"type":"auth","token":"hth_fuzz"}'
    write(out, "websocket", [
        "\n".join([auth, '{"id":1,"type":"subscribe","events":["state"],"devices":["bedroom.ac"],"areas":["bedroom"]}',
                   '{"id":2,"type":"unsubscribe","subscription":1}', '{"id":3,"type":"ping"}',
                   '{"id":4,"type":"command","device":"bedroom.ac","set":{"on":true},"transition":2}',
                   '{"id":5,"type":"conversation","text":"我困了"}', '{"id":6,"type":"activate","scene":"sleep"}']),
        '{"type":5}', '{"type":"unsubscribe","subscription":"x"}'])
    ha_auth = '{"type":"auth","access_token":"hth_fuzz"}'
    write(out, "ha_websocket", [
        "\n".join([ha_auth, '{"id":1,"type":"supported_features","features":{"coalesce_messages":1}}',
                   '{"id":2,"type":"get_states"}', '{"id":3,"type":"get_config"}', '{"id":4,"type":"get_services"}',
                   '{"id":5,"type":"subscribe_entities"}', '{"id":6,"type":"subscribe_events","event_type":"state_changed"}',
                   '{"id":7,"type":"call_service","domain":"light","service":"turn_on","service_data":{"brightness_pct":40},'
                   '"target":{"entity_id":"light.bedroom_ceiling_light"}}',
                   '{"id":8,"type":"call_service","domain":"climate","service":"set_temperature",'
                   '"service_data":{"temperature":24,"hvac_mode":"cool"},"target":{"entity_id":"climate.bedroom_ac"}}',
                   '{"id":9,"type":"call_service","domain":"media_player","service":"volume_set",'
                   '"service_data":{"volume_level":0.3,"entity_id":"media_player.bedroom_speaker"}}',
                   '{"id":10,"type":"call_service","domain":"cover","service":"set_cover_position","service_data":{"position":50},'
                   '"target":{"area_id":"bedroom"}}',
                   '{"id":11,"type":"unsubscribe_events","subscription":5}', '{"id":12,"type":"ping"}',
                   '{"id":13,"type":"conversation/process","text":"turn on the light","language":"en-US"}',
                   '{"id":14,"type":"config/area_registry/list"}', '{"id":15,"type":"config/device_registry/list"}',
                   '{"id":16,"type":"config/entity_registry/list"}', '{"id":17,"type":"auth/current_user"}']),
        '{"type":"auth","access_token":5}', ha_auth + '\n{"id":"x","type":"get_states"}\n[1]'])
    write(out, "url", ["/api/v1/devices?area=living_room&kind=light&name=%E5%AE%A2+x\0GET",
                       "/api/v1/devices/bedroom.ac/history?from=2026-03-29T03:00:00%2B02:00&limit=10\0GET",
                       "/api/v1/scenes/sleep/activate\0POST", "/api/v1/rules/%7Bid%7D\0DELETE"])
    write(out, "broker_url", ["mqtt://192.0.2.10:1883\0\0", "mqtts://user:p%40ss@broker.lan\0\0",
                              "tcp://[::1]:1884\0alice\0secret", "ssl://host\0\0", "mqtt://:pw@host\0\0",
                              "mqtt://host:0\0\0", "http://host\0\0", "mqtt://host/path?q#f\0\0"])
    write(out, "care", ["\0" + s for s in json_objects("care/household_test.cpp") if s.startswith("[")] +
          ["\1" + s for s in json_objects("care/care_settings_test.cpp", "care/air_test.cpp")] +
          ["\2" + s for s in json_objects("care/notification_desk_test.cpp") if '"text"' in s])
    write(out, "recognizer", [s + "\0bedroom" for s in literals("nlu/recognizer_test.cpp")
                              if s and not s.isascii() or re.fullmatch(r"[A-Za-z' ,%0-9]+", s or "x") and " " in s][:300])


# ---- real payloads from ../shared/testdata ----

def from_shared(out):
    z2m = SHARED / "mqtt-payloads" / "zigbee2mqtt"
    devices = [json.loads(p.read_text()) for p in sorted(z2m.glob("*.json")) if p.name not in ("index.json", "bridge.json")]
    bridge = json.loads((z2m / "bridge.json").read_text())

    def published(device):
        return [(m["topic"], m["payload"]) for step in device["sequence"] for m in step.get("published", [])]

    ha, z = [], []
    for d in devices:
        configs = [(c["topic"], c["payload"]) for c in d["ha_discovery"]]
        state = [(b["topic"], b["payload"]) for b in bridge["bridge_state"][:1]]
        ha.append(lines(configs + state + published(d)))
        entry = d["z2m_bridge_devices_entry"]
        z.append(lines([("zigbee2mqtt/bridge/state", {"state": "online"}), ("zigbee2mqtt/bridge/devices", [entry])] +
                       published(d) + [(d["state_topic"], d["final_state"])]))
    ha.append(lines([(c["topic"], c["payload"]) for c in bridge["bridge_ha_discovery"]]))
    write(out, "ha_discovery", ha)
    write(out, "zigbee2mqtt", z)
    write(out, "ha_template", [c["payload"][k] + "\0" + json.dumps(d["final_state"])
                               for d in devices for c in d["ha_discovery"]
                               for k in ("value_template", "command_template", "json_attributes_template")
                               if isinstance(c["payload"].get(k), str)])

    tasmota = json.loads((SHARED / "mqtt-payloads" / "tasmota" / "tasmota_samples.json").read_text())
    discovery = [(d["topic"], d["payload"]) for d in tasmota["discovery"]]
    to_hub = [(m["topic"], m["payload"]) for m in tasmota["messages"] if m.get("dir", "").startswith("device")]
    write(out, "tasmota", [lines(discovery + to_hub)] + [lines([d] + to_hub) for d in discovery])

    intents = SHARED / "ha-intents"
    utterances = []
    for path in sorted(intents.glob("*.tests.jsonl")):
        for i, line in enumerate(path.read_text().splitlines()):
            if i % 4 == 0:
                record = json.loads(line)
                area = (record.get("context") or {}).get("area", "")
                utterances.append(record["text"] + ("\0" + area if area else ""))
    write(out, "recognizer", utterances)
    write(out, "conversation_request", [json.dumps({"text": u.split("\0")[0]}, ensure_ascii=False) for u in utterances[::20]])


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("tests", "shared"):
        sys.exit(__doc__)
    (from_tests if sys.argv[1] == "tests" else from_shared)(pathlib.Path(sys.argv[2]))
