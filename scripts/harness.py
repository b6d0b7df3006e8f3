"""Shared pieces of the reliability scripts (scripts/soak, scripts/abuse): a private mosquitto, a
hearthd on a temporary data directory, hearth-loadgen, a minimal WebSocket client, /proc samples
and the Prometheus text. Everything started here is stopped by `cleanup()`.
"""
import base64
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
children = []


def log(prog, *parts):
    print(f"{prog}:", *parts, file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except OSError:
            value = None
        if value:
            return value
        time.sleep(step)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def find_bin(explicit):
    """The build directory holding hub/hearthd: --bin, else build/release, else build/dev."""
    for d in ([explicit] if explicit else [os.path.join(ROOT, "build", "release"), os.path.join(ROOT, "build", "dev")]):
        if os.path.exists(os.path.join(d, "hub", "hearthd")):
            return d
    return None


def start(args, log_path=None, **kw):
    out = open(log_path, "ab") if log_path else subprocess.DEVNULL
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **kw)
    children.append(proc)
    return proc


def stop(proc, wait=15):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cleanup():
    for proc in reversed(children):
        stop(proc, wait=5)


# ---- /proc ----

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def settled_fd_count(pid, samples=5, step=0.2):
    """The fewest descriptors over a second: a connection a client just closed is gone by then."""
    out = fd_count(pid)
    for _ in range(samples - 1):
        time.sleep(step)
        out = min(out, fd_count(pid))
    return out


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


# ---- processes ----

class Broker:
    """A private mosquitto on loopback, configured like the bench's (no persistence, nodelay)."""

    def __init__(self, work):
        self.port = free_port()
        conf = os.path.join(work, f"mosquitto-{self.port}.conf")
        with open(conf, "w") as f:
            f.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 100000\nmax_inflight_messages 0\nlog_dest none\nset_tcp_nodelay true\n")
        self.proc = start(["mosquitto", "-c", conf])
        wait_for("mosquitto", lambda: socket.create_connection(("127.0.0.1", self.port), 0.2).close() or True, 10)

    @property
    def address(self):
        return f"127.0.0.1:{self.port}"


class Hub:
    """hearthd on its own data directory; stderr goes to <data>.log (read by error_lines())."""

    def __init__(self, build, broker, data_dir, extra=(), expect_devices=0, timeout=180):
        os.makedirs(data_dir, exist_ok=True)
        self.port = free_port()
        self.data_dir = data_dir
        self.log_path = data_dir + ".log"
        self.proc = start([os.path.join(build, "hub", "hearthd"), "--http", f"127.0.0.1:{self.port}", "--mqtt",
                           f"tcp://{broker.address}", "--data", data_dir, *extra], self.log_path)
        wait_for("the hub's health with its devices", lambda: self._ready(expect_devices), timeout)
        self.token = open(os.path.join(data_dir, "owner.token")).read().strip()

    def _ready(self, expect_devices):
        if self.proc.poll() is not None:
            raise RuntimeError(f"hearthd exited with {self.proc.returncode} (see {self.log_path})")
        status, body = self.request("GET", "/api/v1/health", timeout=2)
        return status == 200 and body.get("devices", 0) >= expect_devices and body.get("mqtt") == "connected"

    def alive(self):
        return self.proc.poll() is None

    def request(self, method, path, body=None, token=None, timeout=10, source=None):
        """(status, JSON body or text). `source`: the local address to connect from (127.0.0.x)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            r = conn.getresponse()
            data = r.read()
            self.last_headers = dict(r.getheaders())
        finally:
            conn.close()
        try:
            return r.status, json.loads(data) if data else None
        except ValueError:
            return r.status, data.decode(errors="replace")

    def metrics(self):
        """The counters and gauges of /metrics as a dict (histogram buckets left out)."""
        status, text = self.request("GET", "/metrics", token=self.token)
        if status != 200:
            raise RuntimeError(f"GET /metrics answered {status}")
        out = {}
        for line in text.splitlines():
            m = re.match(r"^([a-z_]+)(\{[^}]*\})? ([-0-9.e+]+)$", line)
            if m and not m.group(2):
                out[m.group(1)] = float(m.group(3))
        return out

    def health(self):
        return self.request("GET", "/api/v1/health")[1]

    def error_lines(self, allowed=()):
        """Lines of the hub's log that report a problem: warnings and errors (docs/deployment.md, "Logs":
        "<time> <level> message", or "<N>message" under the journal), and any line in neither form."""
        out = []
        with open(self.log_path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                # The owner token, printed once on stdout at the first start, is no log line.
                if not line or line.startswith("hearthd: owner token") or any(re.search(p, line) for p in allowed):
                    continue
                timestamped = re.match(r"^\d{4}-\d\d-\d\dT\S+Z (\w+)\s", line)
                journal = re.match(r"^<(\d)>", line)
                if timestamped:
                    problem = timestamped.group(1) in ("warning", "error")
                elif journal:
                    problem = int(journal.group(1)) <= 4
                else:
                    problem = True
                if problem:
                    out.append(line)
        return out

    def stop(self):
        stop(self.proc, wait=60)


def loadgen(build, mode, broker, **kw):
    """Runs hearth-loadgen to its end; its JSON line."""
    args = [os.path.join(build, "bench", "hearth-loadgen"), mode, "--broker", broker.address]
    for k, v in kw.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=24 * 3600)
    if out.returncode != 0:
        raise RuntimeError(f"hearth-loadgen {mode} failed ({out.returncode}): {out.stderr.strip()}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def loadgen_start(build, mode, broker, log_path, **kw):
    """Starts hearth-loadgen in the background; its JSON line is the last line of log_path."""
    args = [os.path.join(build, "bench", "hearth-loadgen"), mode, "--broker", broker.address]
    for k, v in kw.items():
        args += ["--" + k.replace("_", "-"), str(v)]
    out = open(log_path, "wb")
    proc = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    children.append(proc)
    return proc


def loadgen_result(proc, log_path, timeout):
    proc.wait(timeout)
    with open(log_path) as f:
        lines = [line for line in f.read().splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"hearth-loadgen ended with {proc.returncode} and no result")
    return json.loads(lines[-1])


# ---- WebSocket ----

class WebSocket:
    """The smallest RFC 6455 client: masked text frames out, frames in, pings answered."""

    def __init__(self, port, timeout=10, source=None, path="/api/v1/ws"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise OSError("closed during the handshake")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise OSError("handshake refused: " + head.split(b"\r\n")[0].decode())
        self.buffer = head.split(b"\r\n\r\n", 1)[1]
        self.pos = 0
        self.close_code = None
        self.close_reason = ""

    def send(self, payload, opcode=1):
        if isinstance(payload, (dict, list)):
            payload = json.dumps(payload)
        if isinstance(payload, str):
            payload = payload.encode()
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode])
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        key = int.from_bytes(mask * ((n + 3) // 4), "big") if n else 0
        masked = (int.from_bytes(payload, "big") ^ (key >> (8 * ((4 - n % 4) % 4)))).to_bytes(n, "big") if n else b""
        self.sock.sendall(header + mask + masked)

    def _read(self, n):
        # An offset into one buffer: slicing the rest off after every frame would copy the whole
        # buffer per message, and a subscriber at thousands of messages a second falls behind.
        while len(self.buffer) - self.pos < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise OSError("closed")
            self.buffer = self.buffer[self.pos:] + chunk
            self.pos = 0
        out = self.buffer[self.pos:self.pos + n]
        self.pos += n
        return out

    def frame(self):
        """(opcode, payload) of the next data or close frame; pings are answered on the way."""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            opcode, payload = b0 & 0x0F, self._read(n)
            if opcode == 9:
                self.send(payload, opcode=10)
                continue
            if opcode == 10:
                continue
            if opcode == 8:
                self.close_code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                self.close_reason = payload[2:].decode(errors="replace")
            return opcode, payload

    def message(self):
        """The next JSON message; None once the socket is closed (close_code says how)."""
        payload = self.raw()
        return None if payload is None else json.loads(payload)

    def raw(self):
        """The next text message as bytes; None once the socket is closed."""
        try:
            opcode, payload = self.frame()
        except (OSError, socket.timeout) as e:
            self.close_reason = self.close_reason or f"{type(e).__name__}: {e}"
            return None
        return None if opcode == 8 else payload

    def reply(self):
        """The next answer (result, pong, auth_ok, auth_failed or Home Assistant's auth_invalid),
        skipping pushed events."""
        while True:
            m = self.message()
            if m is None or m.get("type") in ("result", "pong", "auth_ok", "auth_failed", "auth_invalid"):
                return m

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
