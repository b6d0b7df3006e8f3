#!/usr/bin/env python3
"""The kill -9 campaign: a private mosquitto, hearth-fleet playing tests/crash/home.yaml and hearthd
on a temp data dir. A client streams configuration writes and command bursts while hearthd is
SIGKILLed at a random moment (now and then while it is still starting), then started again. After
every kill: `PRAGMA integrity_check` on the file (read-only, before the restart); after every
restart: every acknowledged write is back, and the delays and `for:` windows the file held resume.
Prints a summary; exits 1 when anything acknowledged was lost, the file was damaged, or pending
work did not resume as docs/rules.md says.

  tests/crash/kill_campaign.py --build-dir build/release [--kills 200] [--seed N] [--max-delay S]
"""
import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from checks import Resumed, check_resumed, lost_writes, pending_at_kill  # noqa: E402
from ledger import Ledger  # noqa: E402
from processes import Broker, Fleet, Hub, http_json, integrity_ok, wait_for  # noqa: E402
from workload import Client, HubGone  # noqa: E402

STARTUP_KILLS = 0.1  # share of kills that land while hearthd is still starting


def log(*args):
    print("crash-campaign:", *args, file=sys.stderr, flush=True)


class Campaign:
    def __init__(self, args, work):
        self.args = args
        self.rng = random.Random(args.seed)
        self.broker = Broker(work)
        self.fleet = Fleet(args.build_dir, self.broker, os.path.join(work, "fleet.log"))
        self.hub = Hub(args.build_dir, self.broker, os.path.join(work, "data"), os.path.join(work, "hearthd.log"))
        os.makedirs(self.hub.data_dir)
        self.ledger = Ledger()
        self.resumed = Resumed()
        self.kills = self.startup_kills = self.integrity_failures = 0
        self.lost = []
        self.restart_seconds = []

    def run(self):
        self.hub.spawn()
        self.hub.wait_ready()
        token = self.hub.owner_token()
        wait_for("the three lab lights online",
                 lambda: http_json(self.hub.port, "GET", "/api/v1/health").body.get("devices_online", 0) >= 3, 60)
        self.client = Client(self.hub, token, self.ledger, self.rng)
        self.client.setup()
        while self.kills < self.args.kills:
            self.stream_until_killed()
            self.after_kill()
            if self.kills < self.args.kills and self.rng.random() < STARTUP_KILLS:
                self.hub.spawn()
                time.sleep(self.rng.uniform(0, 0.5))
                self.hub.kill()
                self.kills += 1
                self.startup_kills += 1
                self.after_kill()
            self.restart_and_check(token)
            if self.kills % 10 == 0 or self.kills == self.args.kills:
                log(f"{self.kills} kills, {self.ledger.acknowledged} acknowledged, {len(self.lost)} lost, "
                    f"{self.integrity_failures} integrity failures, {len(self.resumed.problems)} resume problems")
        self.hub.stop()
        ok, lines = integrity_ok(self.hub.db)
        self.integrity_failures += not ok

    def stream_until_killed(self):
        delay = self.rng.uniform(0.05, self.args.max_delay)
        killer = threading.Timer(delay, self.hub.kill)
        killer.start()
        try:
            while self.hub.proc.poll() is None:
                self.client.one_round()
        except HubGone:
            pass
        killer.join()
        self.kills += 1

    def after_kill(self):
        ok, lines = integrity_ok(self.hub.db)
        if not ok:
            self.integrity_failures += 1
            log(f"kill {self.kills}: integrity_check says {lines[:5]}")
        self.pending = pending_at_kill(self.hub.db)

    def restart_and_check(self, token):
        started = time.monotonic()
        self.hub.spawn()
        self.hub.wait_ready()
        self.restart_seconds.append(time.monotonic() - started)
        lost = lost_writes(self.hub, token, self.ledger, self.rng)
        for problem in lost:
            log(f"kill {self.kills}: LOST {problem}")
        self.lost += lost
        before = len(self.resumed.problems)
        check_resumed(self.hub, token, *self.pending, self.resumed)
        for problem in self.resumed.problems[before:]:
            log(f"kill {self.kills}: {problem}")

    def summary(self):
        c, r = self.client, self.resumed
        restarts = sorted(self.restart_seconds)
        median = restarts[len(restarts) // 2] if restarts else 0
        return "\n".join([
            f"kills: {self.kills} ({self.startup_kills} while starting)",
            f"acknowledged configuration writes: {self.ledger.acknowledged} "
            f"({len(self.ledger.tokens)} tokens, {len(self.ledger.sentences)} sentences, scene/rule/mood PUTs)",
            f"commands: {c.commands_accepted} accepted, {c.commands_refused} refused; webhooks fired: {c.webhooks}",
            f"lost: {len(self.lost)}",
            f"integrity failures: {self.integrity_failures}",
            f"delayed runs pending at a kill: {r.runs}, ran after the restart: {r.runs_ran}, command refused: {r.runs_refused}",
            f"restarts with a for: window pending: {r.holds}, fired: {r.holds_fired}, reset (light back on): {r.holds_reset}",
            f"resume problems: {len(r.problems)}",
            f"restart to healthy: median {median:.2f} s, max {restarts[-1] if restarts else 0:.2f} s",
        ])

    def passed(self):
        return not self.lost and not self.integrity_failures and not self.resumed.problems

    def close(self):
        self.hub.stop()
        self.fleet.stop()
        self.broker.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build-dir", required=True, help="holds hub/hearthd and sim/hearth-fleet")
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--max-delay", type=float, default=3.0, help="longest wait before a kill, seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, database)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="hearth-crash-")
    log(f"seed {args.seed}, {args.kills} kills, work dir {work}")
    campaign = Campaign(args, work)
    try:
        campaign.run()
    finally:
        campaign.close()
    print(campaign.summary(), flush=True)
    if args.keep or not campaign.passed():
        log(f"logs and database kept in {work}")
    else:
        shutil.rmtree(work)
    return 0 if campaign.passed() else 1


if __name__ == "__main__":
    sys.exit(main())
