"""What the hub acknowledged: every configuration write that got a 2xx, and the one write that was
in flight when the hub died (it may or may not have been committed; both are fine)."""


class Keyed:
    """Documents overwritten under a key (a scene, a rule, the mood map): after a crash the stored
    value must be the last acknowledged one, or the one in flight at the kill."""

    def __init__(self):
        self.acked = {}
        self.in_flight = {}

    def start(self, key, value):
        self.in_flight[key] = value

    def acknowledged(self, key, value):
        self.acked[key] = value
        self.in_flight.pop(key, None)

    def refused(self, key):
        self.in_flight.pop(key, None)

    def lost(self, stored):
        """Keys whose acknowledged value is gone; `stored` maps key -> value as the hub reads it back."""
        missing = []
        for key, value in self.acked.items():
            if stored.get(key) not in (value, self.in_flight.get(key)):
                missing.append((key, value, stored.get(key)))
        return missing

    def settle(self, stored):
        """After a check: what the hub holds now is the base for the next round."""
        for key in list(self.in_flight):
            if stored.get(key) == self.in_flight[key]:
                self.acked[key] = self.in_flight[key]
        self.in_flight.clear()


class Ledger:
    def __init__(self):
        self.scenes = Keyed()
        self.rules = Keyed()
        self.moods = Keyed()
        self.tokens = {}          # id -> secret, every token created with a 2xx
        self.recent_tokens = []   # ids created since the last check
        self.sentences = set()    # ids created with a 2xx
        self.acknowledged = 0     # 2xx configuration writes
