#!/usr/bin/env python3
"""A hostile client against a real hearthd and Mosquitto, over real sockets.

Every REST route, every WebSocket message type (before and after authentication) and every MQTT
topic family gets wrong types, nulls, huge numbers, deep nesting, invalid UTF-8 and oversized
input. After each attempt the hub must still answer /api/v1/health; a reply must never be a 5xx
or an `internal` error; input that was refused must leave the home as it was (devices and their
state, areas, scenes, rules, tokens, moods, sentences). Input the hub accepted is undone so that
the next attempt starts from the same home.

    tests/hostile_test.py BUILD_DIR [--quick]
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts"))
from harness import WebSocket, free_port, wait_for  # noqa: E402  (the scripts' shared client)

HUGE = [10**400, -10**400, 2**64, -(2**63) - 1, 1e308, -1e308]
WRONG = [None, True, False, 0, -1, 1.5, "", "x", [], {}, [None], {"": None}, "\u0000", "🏠" * 100] + HUGE[2:]
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 50_000 + "1" + "}" * 50_000
RAW_BODIES = [b"", b"null", b"{", b"}", b"[]", b"\xff\xfe\xfd", b'{"id":"\xc3\x28"}', b"\x00" * 64,
              DEEP_ARRAY.encode(), DEEP_OBJECT.encode(), b'{"a":' + b"9" * 5000 + b"}", b"NaN", b"1e999999"]

failures = []


def fail(what):
    failures.append(what)
    print("FAIL:", what, flush=True)


class Http:
    def __init__(self, port, token):
        self.port, self.token = port, token

    def request(self, method, path, body=None, token=True, raw=False):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        headers = {"Authorization": "Bearer " + self.token} if token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
            if not raw:
                body = json.dumps(body).encode()
        c.request(method, path, body=body, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        try:
            return r.status, json.loads(data) if data else None
        except ValueError:
            return r.status, data.decode(errors="replace")

    def get(self, path):
        status, body = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {body}")
        return body


class Home:
    """A broker, a hub and two native devices published by hand (so nothing changes on its own)."""

    def __init__(self, build, work):
        self.work = work
        self.mqtt_port, self.http_port = free_port(), free_port()
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.mqtt_port} 127.0.0.1\nallow_anonymous true\nuser root\n"
                    "persistence false\nmessage_size_limit 0\n")
        self.broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("the broker", lambda: socket.create_connection(("127.0.0.1", self.mqtt_port), timeout=1).close() or True, 60)
        data = os.path.join(work, "data")
        os.mkdir(data)
        self.hub_log = open(os.path.join(work, "hub.log"), "w")
        self.hub = subprocess.Popen([os.path.join(build, "hub", "hearthd"), "--http", f"127.0.0.1:{self.http_port}",
                                     "--mqtt", f"tcp://127.0.0.1:{self.mqtt_port}", "--data", data,
                                     "--rate-limit", "0"],
                                    stdout=subprocess.DEVNULL, stderr=self.hub_log)
        token_file = os.path.join(data, "owner.token")
        wait_for("the hub's token", lambda: os.path.exists(token_file) and os.path.getsize(token_file) > 0, 60)
        with open(token_file) as f:
            self.http = Http(self.http_port, f.read().strip())
        wait_for("the hub's health", lambda: self.http.request("GET", "/api/v1/health", token=False)[0] == 200, 60)
        lamp = {"id": "lamp", "name": {"en": "Lamp", "zh": "台灯"}, "area": "bedroom", "kind": "light",
                "capabilities": ["on", "brightness"]}
        sensor = {"id": "thermo", "name": {"en": "Thermometer"}, "area": "bedroom", "kind": "sensor",
                  "capabilities": ["temperature"]}
        for d, state in ((lamp, {"on": False, "brightness": 30}), (sensor, {"temperature": 21.5})):
            self.publish(f"hearth/device/{d['id']}/config", json.dumps(d), retain=True)
            self.publish(f"hearth/device/{d['id']}/state", json.dumps(state), retain=True)
            self.publish(f"hearth/device/{d['id']}/availability", "online", retain=True)
        # Each device's three retained messages come over separate connections: wait for all of them.
        wait_for("the devices", lambda: len(self.http.get("/api/v1/devices")["devices"]) == 2 and
                 all(d.get("state") and d.get("availability") == "online"
                     for d in self.http.get("/api/v1/devices")["devices"]), 60)

    def publish(self, topic, payload, retain=False):
        args = ["mosquitto_pub", "-p", str(self.mqtt_port), "-t", topic, "-q", "1"]
        if retain:
            args.append("-r")
        data = payload if isinstance(payload, bytes) else payload.encode()
        subprocess.run(args + (["-s"] if data else ["-n"]), input=data, check=True, timeout=20)

    def alive(self):
        if self.hub.poll() is not None:
            return False
        try:
            return self.http.request("GET", "/api/v1/health", token=False)[0] == 200
        except OSError:
            return False

    def snapshot(self):
        """Everything a refused input must leave as it was; times and counters left out."""
        devices = self.http.get("/api/v1/devices")["devices"]
        for d in devices:
            for key in ("updated_at", "last_seen", "updated_ms", "time_ms"):
                d.pop(key, None)
        out = {"devices": devices}
        for path in ("/api/v1/areas", "/api/v1/scenes", "/api/v1/rules", "/api/v1/tokens",
                     "/api/v1/conversation/moods", "/api/v1/conversation/sentences"):
            out[path] = self.http.get(path)
        out["/api/v1/household"] = self.http.get("/api/v1/household")
        out["/api/v1/care"] = self.http.get("/api/v1/care")["settings"]
        return out

    def stop(self):
        for p in (self.hub, self.broker):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()


def difference(before, after, path=""):
    """Where two JSON values differ, as "path: before -> after" (the first few places)."""
    if isinstance(before, dict) and isinstance(after, dict):
        out = []
        for k in sorted(set(before) | set(after), key=str):
            out += difference(before.get(k), after.get(k), f"{path}.{k}")
        return out[:5]
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [d for i, (b, a) in enumerate(zip(before, after)) for d in difference(b, a, f"{path}[{i}]")][:5]
    return [] if before == after else [f"{path}: {json.dumps(before)[:80]} -> {json.dumps(after)[:80]}"]


def mutations(sample):
    """The sample with each top-level field (and each field of nested objects) set to each wrong value,
    then removed; then the whole body replaced by each wrong value."""
    def walk(value, path):
        if isinstance(value, dict):
            for k in value:
                for w in WRONG:
                    yield path + [k], w
                yield path + [k], KeyError
                yield from walk(value[k], path + [k])

    def put(value, path, w):
        value = json.loads(json.dumps(value))
        target = value
        for k in path[:-1]:
            target = target[k]
        if w is KeyError:
            del target[path[-1]]
        else:
            target[path[-1]] = w
        return value

    for path, w in walk(sample, []):
        yield ".".join(path), put(sample, path, w)
    for w in WRONG:
        yield "body", w


class Campaign:
    def __init__(self, home, quick):
        self.home, self.quick = home, quick
        self.baseline = home.snapshot()
        self.attempts = 0

    def check(self, what, status, body, accepted_undo=None):
        """One attempt's verdict: the hub lives, no 5xx, a refusal changed nothing."""
        self.attempts += 1
        if not self.home.alive():
            fail(f"{what}: the hub stopped answering")
            raise SystemExit(1)
        if status >= 500 and status != 507:
            fail(f"{what}: answered {status} {str(body)[:200]}")
        if isinstance(body, dict) and isinstance(body.get("error"), dict) and body["error"].get("code") == "internal":
            fail(f"{what}: internal error {str(body)[:200]}")
        if 200 <= status < 300:
            if accepted_undo:
                accepted_undo()
            self.baseline = self.home.snapshot()
            return
        now = self.home.snapshot()
        if now != self.baseline:
            fail(f"{what}: refused ({status}) but the home changed: {difference(self.baseline, now)}")
            self.baseline = now

    def rest(self):
        h = self.home.http
        samples = {
            ("POST", "/api/v1/devices/lamp/commands"): ({"set": {"on": True, "brightness": 50}}, None),
            ("POST", "/api/v1/scenes"): ({"id": "hostile", "name": {"en": "Hostile"}, "targets": [
                {"device": "lamp", "set": {"on": True}}]}, lambda: h.request("DELETE", "/api/v1/scenes/hostile")),
            ("PUT", "/api/v1/scenes/hostile"): ({"name": {"en": "Hostile"}, "targets": [{"device": "lamp", "set": {"brightness": 10}}]},
                                                lambda: h.request("DELETE", "/api/v1/scenes/hostile")),
            ("POST", "/api/v1/scenes/snapshot"): ({"id": "snap", "name": {"en": "Snap"}, "devices": ["lamp"]},
                                                  lambda: h.request("DELETE", "/api/v1/scenes/snap")),
            ("POST", "/api/v1/rules"): ({"id": "hostile", "name": {"en": "Hostile"}, "triggers": [
                {"numeric": "thermo", "attribute": "temperature", "above": 28}],
                "conditions": [{"time": {"after": "22:00"}}],
                "actions": [{"command": "lamp", "set": {"on": False}}, {"delay": "5s"}]},
                lambda: h.request("DELETE", "/api/v1/rules/hostile")),
            ("PUT", "/api/v1/rules/hostile"): ({"name": {"en": "Hostile"}, "triggers": [{"cron": "0 7 * * *"}],
                                               "actions": [{"scene": "none"}]},
                                              lambda: h.request("DELETE", "/api/v1/rules/hostile")),
            ("POST", "/api/v1/tokens"): ({"name": "hostile", "scope": "read"}, self.delete_tokens),
            ("POST", "/api/v1/conversation"): ({"text": "把台灯调到40%", "language": "zh", "conversation_id": "c1",
                                               "dry_run": True}, None),
            ("PUT", "/api/v1/conversation/moods"): ({"moods": {"sleepy": {"scene": "none"}}}, self.restore_moods),
            ("POST", "/api/v1/conversation/sentences"): ({"id": "hostile", "language": "en", "sentences": ["hostile please"],
                                                         "scene": "none"},
                                                        lambda: h.request("DELETE", "/api/v1/conversation/sentences/hostile")),
            ("POST", "/api/v1/import"): ({"scenes": [], "rules": []}, None),
            ("POST", "/api/v1/undo"): ({}, None),
            ("POST", "/api/v1/scenes/none/activate"): ({}, None),
            ("POST", "/api/v1/rules/none/run"): ({}, None),
            ("POST", "/api/v1/webhooks/hostile"): ({"any": 1}, None),
            ("PUT", "/api/v1/household"): ({"people": [{"id": "hostile", "name": "H", "role": "elder", "allergies": ["dust"],
                                                        "bedtime": "21:00", "presence": ["lamp"],
                                                        "quiet_hours": {"from": "20:00", "to": "07:00"}}]},
                                           self.restore_household),
            ("PUT", "/api/v1/care"): ({"notifications": {"quiet_hours": {"from": "22:00", "to": "07:00"}, "dedup": {"air": 60}},
                                       "webhooks": [{"url": "http://127.0.0.1:9/hostile", "attempts": 1, "backoff_ms": 10}],
                                       "air": {"curve": [{"pm25": 35, "level": "low"}], "hysteresis": 5, "pollen_months": [4]},
                                       "watch": {"enabled": True}}, self.restore_care),
            ("POST", "/api/v1/care/notifications"): ({"text": {"en": "hi", "zh": "你好"}, "urgency": "comfort", "key": "k"}, None),
            ("POST", "/api/v1/care/ask"): ({"speaker": "lamp", "text": {"zh": "好吗", "en": "OK?"}, "language": "en",
                                            "timeout_s": 5, "scene_on_yes": "none"}, None),
        }
        for (method, path), (sample, undo) in samples.items():
            for field, body in mutations(sample):
                status, reply = h.request(method, path, body)
                self.check(f"{method} {path} {field}={json.dumps(body)[:80]}", status, reply, undo)
            for raw in RAW_BODIES:
                status, reply = h.request(method, path, raw, raw=True)
                self.check(f"{method} {path} raw {raw[:40]!r}", status, reply, undo)
        status, reply = self.oversized("/api/v1/scenes", 4 << 20)
        self.check("POST /api/v1/scenes 4 MiB", status, reply)
        if status != 413:
            fail(f"a 4 MiB body answered {status}, not 413")
        # Queries and path ids.
        queries = ["limit=-1", "limit=1e99", "limit=99999999999999999999", "limit=x", "from=garbage", "to=%FF%FE",
                   "from=2026-13-45T99:99:99Z", "q=%ZZ", "attribute=%00", "limit=" + "9" * 5000, "a=" + "%FF" * 2000]
        ids = ["%00", "..%2F..", "%FF", "x" * 5000, "lamp%2Fset", "%C3%28", "%20", "LAMP"]
        for q in queries:
            for path in ("/api/v1/devices/lamp/history", "/api/v1/traces", "/api/v1/notifications", "/api/v1/devices",
                         "/api/v1/care/notifications",
                         "/api/v1/rules/none/traces"):
                status, reply = h.request("GET", f"{path}?{q}")
                self.check(f"GET {path}?{q[:40]}", status, reply)
        for i in ids:
            for method, path in (("GET", "/api/v1/devices/{}"), ("GET", "/api/v1/devices/{}/history"),
                                 ("POST", "/api/v1/devices/{}/commands"), ("GET", "/api/v1/scenes/{}"),
                                 ("DELETE", "/api/v1/scenes/{}"), ("DELETE", "/api/v1/rules/{}"),
                                 ("POST", "/api/v1/rules/{}/enable"), ("DELETE", "/api/v1/tokens/{}"),
                                 ("DELETE", "/api/v1/conversation/sentences/{}")):
                status, reply = h.request(method, path.format(i), {"set": {"on": True}} if method == "POST" else None)
                self.check(f"{method} {path.format(i[:20])}", status, reply)
    def oversized(self, path, size):
        """Status and body of the answer to a POST of `size` bytes; the hub may answer before reading it all."""
        with socket.create_connection(("127.0.0.1", self.home.http_port), timeout=20) as sock:
            sock.sendall((f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {self.home.http.token}\r\n"
                          f"Content-Type: application/json\r\nContent-Length: {size}\r\n\r\n").encode())
            try:
                chunk = b"x" * 65536
                for _ in range(size // len(chunk)):
                    sock.sendall(chunk)
            except OSError:
                pass
            answer = b""
            try:
                while b"\r\n\r\n" not in answer or len(answer) < answer.find(b"\r\n\r\n") + 4 + 20:
                    data = sock.recv(65536)
                    if not data:
                        break
                    answer += data
            except OSError:
                pass
        head, _, body = answer.partition(b"\r\n\r\n")
        status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode(errors="replace")

    def bad_tokens(self):
        """Last: repeated bad tokens lock the address out."""
        h = self.home.http
        for bad in ("", "x", "Bearer", "\u00ff" * 10, "a" * 10000):
            c = http.client.HTTPConnection("127.0.0.1", h.port, timeout=20)
            c.putrequest("GET", "/api/v1/devices")
            c.putheader("Authorization", ("Bearer " + bad).encode("latin-1", errors="replace"))
            c.endheaders()
            r = c.getresponse()
            r.read()
            c.close()
            self.attempts += 1
            if not self.home.alive():
                fail(f"bad token {bad[:10]!r}: the hub stopped answering")
            if r.status not in (401, 403, 429, 431, 400):
                fail(f"a bad token got {r.status}")

    def delete_tokens(self):
        for t in self.home.http.get("/api/v1/tokens")["tokens"]:
            if t.get("name") == "hostile":
                self.home.http.request("DELETE", f"/api/v1/tokens/{t['id']}")

    def restore_household(self):
        self.home.http.request("PUT", "/api/v1/household", self.baseline["/api/v1/household"])

    def restore_care(self):
        self.home.http.request("PUT", "/api/v1/care", self.baseline["/api/v1/care"])

    def restore_moods(self):
        self.home.http.request("PUT", "/api/v1/conversation/moods", self.baseline["/api/v1/conversation/moods"])

    def websocket(self):
        samples = {
            "auth": {"type": "auth", "token": "x"},
            "ping": {"id": 1, "type": "ping"},
            "subscribe": {"id": 1, "type": "subscribe", "events": ["state"], "devices": ["lamp"]},
            "unsubscribe": {"id": 1, "type": "unsubscribe", "subscription": 1},
            "command": {"id": 1, "type": "command", "device": "lamp", "set": {"brightness": 5}, "dry_run": True},
            "conversation": {"id": 1, "type": "conversation", "text": "turn on the lamp", "dry_run": True},
            "activate": {"id": 1, "type": "activate", "scene": "none"},
            "undo": {"id": 1, "type": "undo"},
        }
        raws = [b"", b"{", b"\xff\xfe", b"[]", b"null", b"5", DEEP_ARRAY.encode(), DEEP_OBJECT.encode()]
        for authenticated in (False, True):
            ws = self.open_ws(authenticated)
            for kind, sample in samples.items():
                bodies = list(mutations(sample))
                if self.quick:
                    bodies = bodies[::3]
                for field, body in bodies:
                    what = f"ws{' authenticated' if authenticated else ''} {kind} {field}={json.dumps(body)[:60]}"
                    if ws is None:
                        ws = self.open_ws(authenticated)
                    ws.send(json.dumps(body))
                    reply = ws.reply()
                    if reply is None:  # the hub closes a socket that fails to authenticate
                        ws.close()
                        ws = None
                    elif authenticated and reply.get("type") == "auth_failed":
                        fail(f"{what}: an authenticated socket was asked to authenticate again")
                    self.check(what, 400 if reply is None or not reply.get("success", True) else 200,
                               reply, lambda: self.home.http.request("POST", "/api/v1/devices/lamp/commands",
                                                                      {"set": self.baseline_lamp()}))
            for raw in raws:
                if ws is None:
                    ws = self.open_ws(authenticated)
                ws.send(raw, opcode=1 if raw[:1] != b"\xff" else 2)
                reply = ws.reply()
                if reply is None:
                    ws.close()
                    ws = None
                self.check(f"ws raw {raw[:20]!r}", 400, reply)
            if ws:
                ws.close()
        # A frame over the size limit closes only that socket.
        ws = self.open_ws(True)
        try:
            ws.send(b'{"type":"ping","pad":"' + b"x" * (8 << 20) + b'"}')
            ws.reply()
        except OSError:
            pass  # the hub closed the socket mid-frame, as it should
        ws.close()
        self.check("ws 8 MiB frame", 400, None)

    def ha_websocket(self):
        """Home Assistant's WebSocket (/api/websocket): every message type, mutated."""
        samples = {
            "auth": {"type": "auth", "access_token": "x"},
            "ping": {"id": 1, "type": "ping"},
            "get_states": {"id": 1, "type": "get_states"},
            "subscribe_events": {"id": 1, "type": "subscribe_events", "event_type": "state_changed"},
            "subscribe_entities": {"id": 1, "type": "subscribe_entities", "entity_ids": ["light.lamp"]},
            "unsubscribe_events": {"id": 1, "type": "unsubscribe_events", "subscription": 1},
            "call_service": {"id": 1, "type": "call_service", "domain": "light", "service": "turn_on",
                             "service_data": {"brightness_pct": 5}, "target": {"entity_id": "light.lamp"}},
            "conversation/process": {"id": 1, "type": "conversation/process", "text": "turn on the lamp", "language": "en"},
            "config/device_registry/list": {"id": 1, "type": "config/device_registry/list"},
        }
        undo = lambda: self.home.http.request("POST", "/api/v1/devices/lamp/commands", {"set": self.baseline_lamp()})
        next_id = 1000
        for authenticated in (False, True):
            ws = self.open_ha_ws(authenticated)
            for kind, sample in samples.items():
                bodies = list(mutations(sample))
                if self.quick:
                    bodies = bodies[::3]
                for field, body in bodies:
                    what = f"ha ws{' authenticated' if authenticated else ''} {kind} {field}={json.dumps(body)[:60]}"
                    if ws is None:
                        ws = self.open_ha_ws(authenticated)
                    if isinstance(body, dict) and body.get("id") == 1:
                        next_id += 1  # Home Assistant's ids increase; keep them unique so only the mutation is tested
                        body = dict(body, id=next_id)
                    ws.send(json.dumps(body))
                    reply = ws.reply()
                    if reply is None:
                        ws.close()
                        ws = None
                    elif authenticated and reply.get("type") == "auth_invalid":
                        fail(f"{what}: an authenticated socket was refused authentication")
                    self.check(what, 400 if reply is None or not reply.get("success", True) else 200, reply, undo)
            for raw in [b"", b"{", b"\xff\xfe", b"[]", b"null", DEEP_ARRAY.encode(), DEEP_OBJECT.encode()]:
                if ws is None:
                    ws = self.open_ha_ws(authenticated)
                ws.send(raw, opcode=1 if raw[:1] != b"\xff" else 2)
                reply = ws.reply()
                if reply is None:
                    ws.close()
                    ws = None
                self.check(f"ha ws raw {raw[:20]!r}", 400, reply)
            if ws:
                ws.close()

    def open_ha_ws(self, authenticated):
        ws = WebSocket(self.home.http_port, source=None if authenticated else "127.0.0.2", path="/api/websocket")
        if authenticated:
            ws.send(json.dumps({"type": "auth", "access_token": self.home.http.token}))
            reply = ws.reply()
            if not reply or reply.get("type") != "auth_ok":
                raise RuntimeError(f"Home Assistant authentication failed: {reply}")
        return ws

    def baseline_lamp(self):
        lamp = next(d for d in self.baseline["devices"] if d["id"] == "lamp")
        return {k: v for k, v in lamp["state"].items() if k in ("on", "brightness")}

    def open_ws(self, authenticated):
        # Bad logins count against their address (and lock it out after ten): the unauthenticated
        # probes come from 127.0.0.2, so the authenticated ones on 127.0.0.1 keep working.
        ws = WebSocket(self.home.http_port, source=None if authenticated else "127.0.0.2")
        if authenticated:
            ws.send(json.dumps({"type": "auth", "token": self.home.http.token}))
            reply = ws.reply()
            if not reply or reply.get("type") != "auth_ok":
                raise RuntimeError(f"authentication failed: {reply}")
        return ws

    def mqtt(self):
        bad_payloads = [json.dumps(w).encode() for w in WRONG] + RAW_BODIES + [b"\xc3\x28" * 100]
        families = {
            "native state": "hearth/device/lamp/state",
            "native event": "hearth/device/lamp/event",
            "native availability": "hearth/device/thermo/availability",
            "native config (new device)": "hearth/device/hostile/config",
            "native state (unknown device)": "hearth/device/ghost/state",
            "assist": "hearth/assist/hostile/text",
            "ha discovery": "homeassistant/light/hostile/config",
            "ha discovery (node)": "homeassistant/sensor/node/hostile/config",
            "zigbee2mqtt devices": "zigbee2mqtt/bridge/devices",
            "zigbee2mqtt state": "zigbee2mqtt/bridge/state",
            "tasmota config": "tasmota/discovery/AABBCCDDEEFF/config",
            "tasmota sensors": "tasmota/discovery/AABBCCDDEEFF/sensors",
        }
        # null in a report says "unknown" and is taken, so it is not among the wrong values here.
        field_payloads = [json.dumps({"on": w}).encode() for w in WRONG if w is not None and not isinstance(w, bool)] + \
                         [json.dumps({"brightness": w}).encode() for w in WRONG
                          if w is not None and (not isinstance(w, (int, float)) or isinstance(w, bool))] + \
                         [b'{"brightness":1e999}', b'{"brightness":-1e999}', b'{"brightness":100000}']
        for family, topic in families.items():
            payloads = bad_payloads + (field_payloads if family == "native state" else [])
            for p in payloads:
                self.home.publish(topic, p)
            # Retained junk would come back at the next connection: clear what retained publishes left.
            self.home.publish(topic, b"", retain=True)
            time.sleep(0.3)
            now = self.home.snapshot()
            now["devices"] = [d for d in now["devices"] if d["id"] in ("lamp", "thermo")]
            base = dict(self.baseline)
            base["devices"] = [d for d in base["devices"] if d["id"] in ("lamp", "thermo")]
            self.attempts += len(payloads)
            if not self.home.alive():
                fail(f"mqtt {family}: the hub stopped answering")
                raise SystemExit(1)
            if now != base:
                fail(f"mqtt {family}: refused payloads changed the home: {difference(base, now)}")
            # Devices a hostile config created must carry a problem and no state.
            for d in self.home.http.get("/api/v1/devices")["devices"]:
                if d["id"] not in ("lamp", "thermo") and d.get("state") and not d.get("problem"):
                    fail(f"mqtt {family}: hostile input created a working device {d['id']}")


def main():
    build = sys.argv[1]
    quick = "--quick" in sys.argv
    for tool in ("mosquitto", "mosquitto_pub"):
        if not shutil.which(tool):
            print(f"FAIL: {tool} is missing (scripts/setup installs it)")
            return 1
    work = tempfile.mkdtemp(prefix="hearth-hostile-")
    home = None
    try:
        home = Home(build, work)
        campaign = Campaign(home, quick)
        started = time.monotonic()
        campaign.rest()
        campaign.websocket()
        campaign.ha_websocket()
        campaign.mqtt()
        campaign.bad_tokens()
        print(f"hostile: {campaign.attempts} attempts in {time.monotonic() - started:.0f} s, "
              f"{len(failures)} failures, hub alive: {home.alive()}")
    finally:
        if home:
            home.stop()
            if failures:
                with open(os.path.join(work, "hub.log")) as f:
                    print("--- hub.log (tail)\n" + "".join(f.readlines()[-30:]))
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
