"""The real parts of a crash test: a private mosquitto, hearthd on a data dir (started, killed with
SIGKILL, started again), hearth-fleet playing a small home, HTTP calls and read-only looks at the
SQLite file with the sqlite3 command-line tool. Python 3 standard library only."""
import http.client
import json
import os
import signal
import socket
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOME_FILE = os.path.join(HERE, "home.yaml")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def port_open(port):
    try:
        socket.create_connection(("127.0.0.1", port), 0.2).close()
        return True
    except OSError:
        return False


class Broker:
    """A private mosquitto on a free loopback port."""

    def __init__(self, work):
        self.port = free_port()
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 100000\nlog_dest none\n" + ("user root\n" if os.getuid() == 0 else ""))
        self.proc = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for("mosquitto", lambda: port_open(self.port), 20)

    @property
    def url(self):
        return f"tcp://127.0.0.1:{self.port}"

    def stop(self):
        stop_process(self.proc)


def stop_process(proc, timeout=30):
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class Fleet:
    """hearth-fleet playing the test home's devices (they answer commands and report state)."""

    def __init__(self, build_dir, broker, log_path):
        binary = os.path.join(build_dir, "sim", "hearth-fleet")
        self.proc = subprocess.Popen([binary, "--home", HOME_FILE, "--host", "127.0.0.1", "--port", str(broker.port),
                                      "--offline-fraction", "0"],
                                     stdout=subprocess.DEVNULL, stderr=open(log_path, "a"))

    def stop(self):
        stop_process(self.proc)


class Response:
    def __init__(self, status, body):
        self.status = status
        self.body = body

    @property
    def ok(self):
        return 200 <= self.status < 300


def http_json(port, method, path, body=None, token=None, timeout=15):
    """One request on a new connection. Raises OSError (or http.client's errors) when the hub is gone."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = conn.getresponse()
        data = r.read()
    finally:
        conn.close()
    try:
        return Response(r.status, json.loads(data) if data else None)
    except ValueError:
        return Response(r.status, data.decode(errors="replace"))


class Hub:
    """hearthd on a fixed port and data dir, so that it can be killed and started again as the same hub."""

    def __init__(self, build_dir, broker, data_dir, log_path):
        self.binary = os.path.join(build_dir, "hub", "hearthd")
        self.broker = broker
        self.data_dir = data_dir
        self.log_path = log_path
        self.port = free_port()
        self.proc = None
        self.started_wall_ms = 0

    @property
    def db(self):
        return os.path.join(self.data_dir, "hearth.db")

    def spawn(self):
        self.started_wall_ms = int(time.time() * 1000)
        self.proc = subprocess.Popen(
            [self.binary, "--http", f"127.0.0.1:{self.port}", "--mqtt", self.broker.url, "--data", self.data_dir,
             "--home", HOME_FILE, "--rate-limit", "0"],
            stdout=subprocess.DEVNULL, stderr=open(self.log_path, "a"))

    def health(self):
        try:
            r = http_json(self.port, "GET", "/api/v1/health", timeout=2)
        except (OSError, http.client.HTTPException):
            return None
        return r.body if r.status == 200 else None

    def wait_ready(self, timeout=120, mqtt=True):
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError(f"hearthd exited with {self.proc.returncode} (see {self.log_path})")
            h = self.health()
            return h and (not mqtt or h.get("mqtt") == "connected")
        wait_for("hearthd's health" + (" with MQTT connected" if mqtt else ""), ready, timeout)

    def kill(self):
        """SIGKILL: no handler runs, nothing is flushed; what the hub acknowledged must already be on disk."""
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        if self.proc:
            self.proc.wait()

    def stop(self):
        if self.proc:
            stop_process(self.proc)

    def owner_token(self):
        with open(os.path.join(self.data_dir, "owner.token")) as f:
            return f.read().strip()


def sqlite_readonly(db, sql):
    """Runs SQL with the sqlite3 tool on a read-only connection; returns its output lines."""
    out = subprocess.run(["sqlite3", "-readonly", "-batch", db, sql], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"sqlite3 {sql!r} failed: {out.stderr.strip()}")
    return out.stdout.splitlines()


def integrity_ok(db):
    lines = sqlite_readonly(db, "PRAGMA integrity_check")
    return lines == ["ok"], lines


def stored_document(db, collection, ident):
    rows = sqlite_readonly(db, f"SELECT body FROM documents WHERE collection = '{collection}' AND id = '{ident}'")
    return json.loads(rows[0]) if rows else None
