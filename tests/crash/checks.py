"""The invariants checked after every restart: every acknowledged write is back (tokens also
authenticate), and the delays and `for:` windows the database held at the kill resume."""
import time

from processes import http_json, stored_document

TOKENS_SAMPLED = 10  # older tokens whose secret is tried again after each restart (every id is listed)


def get(hub, token, path):
    r = http_json(hub.port, "GET", path, token=token)
    if r.status != 200:
        raise RuntimeError(f"GET {path} answered {r.status}: {r.body}")
    return r.body


def lost_writes(hub, token, ledger, rng):
    """One sentence per acknowledged write that is gone."""
    problems = []
    scenes = {s["id"]: s.get("name", {}).get("en") for s in get(hub, token, "/api/v1/scenes")["scenes"]}
    rules = {r["id"]: r.get("name", {}).get("en") for r in get(hub, token, "/api/v1/rules")["rules"]}
    moods = {"sleepy": get(hub, token, "/api/v1/conversation/moods")["moods"].get("sleepy")}
    for what, keyed, stored in (("scene", ledger.scenes, scenes), ("rule", ledger.rules, rules), ("mood", ledger.moods, moods)):
        problems += [f"{what} {k}: acknowledged {v!r}, stored {s!r}" for k, v, s in keyed.lost(stored)]
        keyed.settle(stored)
    listed = {t["id"] for t in get(hub, token, "/api/v1/tokens")["tokens"]}
    problems += [f"token {t}: acknowledged, not listed" for t in ledger.tokens if t not in listed]
    older = [t for t in ledger.tokens if t not in ledger.recent_tokens]
    for t in ledger.recent_tokens + rng.sample(older, min(TOKENS_SAMPLED, len(older))):
        status = http_json(hub.port, "GET", "/api/v1/areas", token=ledger.tokens[t]).status
        if status != 200:
            problems.append(f"token {t}: acknowledged, its secret gets {status}")
    ledger.recent_tokens.clear()
    sentences = {s["id"] for s in get(hub, token, "/api/v1/conversation/sentences")["sentences"]}
    problems += [f"sentence {s}: acknowledged, not listed" for s in ledger.sentences - sentences]
    return problems


def pending_at_kill(db):
    """The delayed runs (trace ids) and held windows the database holds for the campaign's rules."""
    doc = stored_document(db, "automation", "pending") or {}
    runs = [r["trace"]["id"] for r in doc.get("runs", []) if r.get("rule") == "crash_delay"]
    holds = [h for h in doc.get("holds", []) if h.get("rule") == "crash_hold"]
    return runs, holds


class Resumed:
    """Counts of what became of the pending work after the restarts."""

    def __init__(self):
        self.runs = self.runs_ran = self.runs_refused = 0
        self.holds = self.holds_fired = self.holds_reset = 0
        self.problems = []


def check_resumed(hub, token, runs, holds, resumed, timeout=30):
    """Waits (bounded) until every pending run has ended and every pending window has fired or been
    reset, and checks each outcome against docs/rules.md ("Surviving a restart")."""
    resumed.runs += len(runs)
    resumed.holds += bool(holds)
    deadline = time.monotonic() + timeout
    waiting = set(runs)
    hold_done = not holds
    while (waiting or not hold_done) and time.monotonic() < deadline:
        if waiting:
            traces = {t["id"]: t for t in get(hub, token, "/api/v1/rules/crash_delay/traces?limit=500")["traces"]}
            for ident in [i for i in waiting if i in traces and traces[i]["outcome"] != "running"]:
                waiting.discard(ident)
                trace = traces[ident]
                errors = [c["error"] for c in trace["commands"] if c.get("error")]
                if trace["outcome"] == "ran" and not errors and trace["commands"]:
                    resumed.runs_ran += 1
                elif errors:
                    resumed.runs_refused += 1
                    resumed.problems.append(f"delayed run {ident} resumed but its command was refused: {errors[0]}")
                else:
                    resumed.problems.append(f"delayed run {ident} ended {trace['outcome']}: {trace['reason']}")
        if not hold_done:
            hold_done = hold_outcome(hub, token, resumed)
        if waiting or not hold_done:
            time.sleep(0.1)
    resumed.problems += [f"delayed run {i} pending at the kill never ended after the restart" for i in waiting]
    if not hold_done:
        resumed.problems.append("a for: window pending at the kill neither fired nor reset after the restart")


def hold_outcome(hub, token, resumed):
    """True once crash_hold has a trace since the restart; a reset is right only if the light is on."""
    traces = get(hub, token, "/api/v1/rules/crash_hold/traces?limit=50")["traces"]
    since = [t for t in traces if t["started"] >= hub.started_wall_ms and t["outcome"] in ("ran", "hold_reset")]
    if not since:
        return False
    trace = since[-1]  # the oldest since the restart
    light_on = get(hub, token, "/api/v1/devices/lab.hold_light")["state"].get("on")
    if trace["outcome"] == "hold_reset":
        resumed.holds_reset += 1
        if light_on is not True:
            resumed.problems.append(f"the for: window was reset although lab.hold_light is {light_on}")
        return True
    errors = [c["error"] for c in trace["commands"] if c.get("error")]
    if errors:
        resumed.problems.append(f"the for: window fired but its command was refused: {errors[0]}")
    else:
        resumed.holds_fired += 1
    return True
