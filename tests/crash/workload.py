"""The client of the kill campaign: configuration writes (scene and rule PUTs, tokens, the mood map,
sentences), command bursts, a webhook that starts a delayed run, and a light that opens a `for:`
window. Every write that gets a 2xx goes into the ledger."""
import http.client
import time

from processes import http_json

SCENES = 8      # scene and rule ids are reused, so PUTs overwrite
# The loop guard stops a rule triggered more than 20 times in 10 s (docs/rules.md): stay below it.
WEBHOOK_EVERY = 0.6


def scene(ident, marker, brightness):
    return {"id": ident, "name": {"en": marker},
            "targets": [{"device": "lab.burst_light", "state": {"on": True, "brightness": brightness}}]}


def rule(ident, marker):
    return {"id": ident, "name": {"en": marker}, "triggers": [{"webhook": "crash-never"}],
            "actions": [{"notify": marker}]}


# A delay that is pending when the hub dies must end after the restart (docs/rules.md, `missed`).
DELAYED_RULE = {"id": "crash_delay", "name": {"en": "delayed command"}, "mode": "parallel", "max": 100,
                "triggers": [{"webhook": "crash-delay"}],
                "actions": [{"delay": "2s"}, {"command": "lab.delay_light", "set": {"on": True, "brightness": 40}}]}
# A `for:` window open when the hub dies must fire after the restart (or reset if the light came back on).
HELD_RULE = {"id": "crash_hold", "name": {"en": "held off"},
             "triggers": [{"state": "lab.hold_light", "attribute": "on", "to": False, "for": "1s"}],
             "actions": [{"command": "lab.delay_light", "set": {"brightness": 20}}]}


class HubGone(Exception):
    """The hub did not answer: killed (or dying) under the request."""


class Client:
    def __init__(self, hub, token, ledger, rng):
        self.hub = hub
        self.token = token
        self.ledger = ledger
        self.rng = rng
        self.round = 0
        self.commands_accepted = 0
        self.commands_refused = 0
        self.webhooks = 0
        self.last_webhook = 0.0

    def call(self, method, path, body=None):
        try:
            return http_json(self.hub.port, method, path, body, self.token)
        except (OSError, http.client.HTTPException) as e:
            raise HubGone(str(e)) from e

    def write_keyed(self, keyed, key, value, method, path, body):
        keyed.start(key, value)
        r = self.call(method, path, body)
        if r.ok:
            keyed.acknowledged(key, value)
            self.ledger.acknowledged += 1
        else:
            keyed.refused(key)
        return r

    def setup(self):
        """Rules and scenes that must exist before the campaign; raises if the hub refuses them."""
        for body in (DELAYED_RULE, HELD_RULE):
            r = self.write_keyed(self.ledger.rules, body["id"], body["name"]["en"], "PUT", f"/api/v1/rules/{body['id']}", body)
            if not r.ok:
                raise RuntimeError(f"the hub refused {body['id']}: {r.status} {r.body}")
        for k in range(SCENES):
            self.put_scene(k)

    def put_scene(self, k):
        ident, marker = f"crash_s{k}", f"v{self.round}.{k}"
        return self.write_keyed(self.ledger.scenes, ident, marker, "PUT", f"/api/v1/scenes/{ident}",
                                scene(ident, marker, self.rng.randint(1, 100)))

    def one_round(self):
        """One of each write, a burst of commands, a webhook and a window; raises HubGone when the hub dies."""
        self.round += 1
        n, k = self.round, self.round % SCENES
        self.put_scene(k)
        ident, marker = f"crash_r{k}", f"r{n}"
        self.write_keyed(self.ledger.rules, ident, marker, "PUT", f"/api/v1/rules/{ident}", rule(ident, marker))
        self.create_token(n)
        mood_scene = f"crash_s{self.rng.randrange(SCENES)}"
        self.write_keyed(self.ledger.moods, "sleepy", mood_scene, "PUT", "/api/v1/conversation/moods", {"moods": {"sleepy": mood_scene}})
        self.add_sentence(n)
        for _ in range(5):
            self.command("lab.burst_light", {"on": True, "brightness": self.rng.randint(1, 100)})
        if time.monotonic() - self.last_webhook >= WEBHOOK_EVERY:
            self.last_webhook = time.monotonic()
            if self.call("POST", "/api/v1/webhooks/crash-delay").ok:
                self.webhooks += 1
        self.command("lab.hold_light", {"on": True})
        self.command("lab.hold_light", {"on": False})

    def create_token(self, n):
        r = self.call("POST", "/api/v1/tokens", {"name": f"crash-{n}", "scope": "read"})
        if r.ok:
            self.ledger.tokens[r.body["id"]] = r.body["secret"]
            self.ledger.recent_tokens.append(r.body["id"])
            self.ledger.acknowledged += 1

    def add_sentence(self, n):
        ident = f"crash_p{n}"
        r = self.call("POST", "/api/v1/conversation/sentences",
                      {"id": ident, "pattern": f"crash pattern {n}", "scene": f"crash_s{n % SCENES}"})
        if r.ok:
            self.ledger.sentences.add(ident)
            self.ledger.acknowledged += 1

    def command(self, device, state):
        r = self.call("POST", f"/api/v1/devices/{device}/commands", state)
        if r.ok:
            self.commands_accepted += 1
        else:
            self.commands_refused += 1
