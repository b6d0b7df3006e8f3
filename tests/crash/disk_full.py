#!/usr/bin/env python3
"""Disk full: hearthd's data directory on a small tmpfs (mounted here, unmounted on the way out).
Writes are acknowledged, a filler file takes the rest of the space, and configuration writes go on
until the hub refuses one. Checks: the refusal is 507 `storage_full`; nothing acknowledged is lost;
reads, commands and health keep working and health says the store is full; once the filler is
removed the very next write succeeds without a restart; after a kill -9 and a restart everything
acknowledged is there and `PRAGMA integrity_check` is ok. Needs root (mount); exits 77 (skipped)
without it. Prints one line of figures.

  tests/crash/disk_full.py --build-dir build/dev [--size-mib 8]
"""
import argparse
import errno
import os
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from processes import Broker, Fleet, Hub, http_json, integrity_ok, wait_for  # noqa: E402

SKIP = 77
MAX_WRITES_WHILE_FULL = 3000  # bounded: the WAL's free room is used up long before this


def fail(message):
    print(f"FAIL: {message}", flush=True)
    sys.exit(1)


def big_rule(n):
    # ~4 KiB per write, so the write-ahead log outgrows its free room quickly.
    return {"id": f"full_{n}", "name": {"en": f"n{n}"}, "triggers": [{"webhook": "never"}],
            "actions": [{"notify": f"{n} " + "x" * 4000}]}


class Test:
    def __init__(self, args, work, data):
        self.broker = Broker(work)
        self.fleet = Fleet(args.build_dir, self.broker, os.path.join(work, "fleet.log"))
        self.hub = Hub(args.build_dir, self.broker, data, os.path.join(work, "hearthd.log"))
        self.filler = os.path.join(data, "filler")
        self.acked = []   # rule ids written with a 2xx
        self.written = 0

    def call(self, method, path, body=None):
        return http_json(self.hub.port, method, path, body, self.token)

    def write(self):
        self.written += 1
        body = big_rule(self.written)
        r = self.call("PUT", f"/api/v1/rules/{body['id']}", body)
        if r.ok:
            self.acked.append(body["id"])
        return r

    def lost(self):
        listed = {r["id"] for r in self.call("GET", "/api/v1/rules").body["rules"]}
        return [i for i in self.acked if i not in listed]

    def fill(self):
        chunk = b"\0" * (1 << 16)
        with open(self.filler, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise

    def run(self):
        self.hub.spawn()
        self.hub.wait_ready()
        self.token = self.hub.owner_token()
        wait_for("the lab lights online", lambda: http_json(self.hub.port, "GET", "/api/v1/health").body["devices_online"] >= 3, 60)
        for _ in range(20):
            if not self.write().ok:
                fail("a write failed before the disk was full")
        before_full = len(self.acked)
        self.fill()
        refusal = None
        while refusal is None and self.written < before_full + MAX_WRITES_WHILE_FULL:
            r = self.write()
            if not r.ok:
                refusal = r
        if refusal is None:
            fail(f"{MAX_WRITES_WHILE_FULL} writes on a full disk were all acknowledged")
        code = refusal.body.get("error", {}).get("code") if isinstance(refusal.body, dict) else None
        if refusal.status != 507 or code != "storage_full":
            fail(f"a write on a full disk got {refusal.status} {refusal.body}, expected 507 storage_full")
        acked_while_full = len(self.acked) - before_full
        refused = 1 + sum(not self.write().ok for _ in range(4))
        if refused != 5:
            fail(f"only {refused} of 5 further writes on the full disk were refused")

        health = self.call("GET", "/api/v1/health")
        if health.status != 200 or health.body.get("store") != "full" or health.body.get("status") != "degraded":
            fail(f"health on a full disk: {health.status} {health.body}")
        if self.call("GET", "/api/v1/devices/lab.burst_light").status != 200:
            fail("reads stopped while the disk was full")
        if self.call("POST", "/api/v1/devices/lab.burst_light/commands", {"on": True, "brightness": 7}).status != 202:
            fail("commands stopped while the disk was full")
        if lost := self.lost():
            fail(f"acknowledged writes lost while the disk was full: {lost[:5]}")

        os.remove(self.filler)
        after = self.write()
        if not after.ok:
            fail(f"the first write after space returned got {after.status} {after.body}")
        health = self.call("GET", "/api/v1/health").body
        if health.get("store") != "ok":
            fail(f"health after space returned: {health}")

        self.hub.kill()
        ok, lines = integrity_ok(self.hub.db)
        if not ok:
            fail(f"integrity_check after the kill: {lines[:5]}")
        self.hub.spawn()
        self.hub.wait_ready()
        if lost := self.lost():
            fail(f"acknowledged writes lost after the restart: {lost[:5]}")
        print(f"ok: disk full: {before_full} writes acknowledged before the filler, {acked_while_full} more while full "
              f"(the WAL's free room), then 507 storage_full for {refused} of {refused}; health 'full' and reads and "
              f"commands served meanwhile; the first write after space returned: {after.status}; "
              f"{len(self.acked)} acknowledged, 0 lost after kill -9 and restart; integrity ok", flush=True)

    def close(self):
        self.hub.stop()
        self.fleet.stop()
        self.broker.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True, help="holds hub/hearthd and sim/hearth-fleet")
    parser.add_argument("--size-mib", type=int, default=8, help="size of the tmpfs holding the data dir")
    args = parser.parse_args()
    if os.getuid() != 0:
        print("skipped: mounting a small file system needs root")
        return SKIP
    work = tempfile.mkdtemp(prefix="hearth-disk-full-")
    data = os.path.join(work, "data")
    os.makedirs(data)
    mount = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={args.size_mib}m", "tmpfs", data], capture_output=True, text=True)
    if mount.returncode != 0:
        print(f"skipped: cannot mount a tmpfs: {mount.stderr.strip()}")
        return SKIP
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # a ctest timeout still unmounts
    test = None
    try:
        test = Test(args, work, data)
        test.run()
    except BaseException:
        log = os.path.join(work, "hearthd.log")
        if os.path.exists(log):
            print("--- hearthd.log (tail)\n" + "".join(open(log, errors="replace").readlines()[-20:]), flush=True)
        raise
    finally:
        if test:
            test.close()
        subprocess.run(["umount", "-l", data], check=False)
        subprocess.run(["rm", "-rf", work], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
