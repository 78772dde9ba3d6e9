"""FastSpring-style identifiers, reproducible under a seed.

Every store draws from its own generator, seeded from the global seed and the
store's name, so one test's ids never depend on what a parallel test did.
"""

from __future__ import annotations

import binascii
import hashlib
import os
import random
from typing import Any

ID_LENGTH = 22
_URL_SAFE = bytes.maketrans(b"+/", b"-_")
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_DIGITS = "0123456789"


class IdGenerator:
    """Makes 22-character URL-safe base64 ids (16 random bytes, no padding)."""

    def __init__(self, seed: int | None, namespace: str) -> None:
        self._seed = seed
        self._namespace = namespace
        self.reset()

    def reseed(self, seed: int | None) -> None:
        """Use another seed from now on (a fixture document's `seed`)."""
        self._seed = seed
        self.reset()

    def reset(self) -> None:
        """Restart the sequence, so a reset store hands out the same ids again."""
        if self._seed is None:
            material = os.urandom(32)
        else:
            material = hashlib.sha256(f"{self._seed}:{self._namespace}".encode()).digest()
        self._random = random.Random(material)

    def export_state(self) -> dict[str, Any]:
        """Where the sequence stands, so a restored store hands out the same next ids."""
        return {"seed": self._seed, "state": random_state(self._random)}

    def restore_state(self, data: dict[str, Any]) -> None:
        self._seed = data["seed"]
        set_random_state(self._random, data["state"])

    def new_id(self) -> str:
        raw = self._random.getrandbits(128).to_bytes(16, "big")
        return binascii.b2a_base64(raw, newline=False)[:ID_LENGTH].translate(_URL_SAFE).decode()

    def base32(self, prefix: str, count: int = 26) -> str:
        """`prefix` and `count` upper-case base32 characters, as the newer services'
        ids are (quotes: `QU` + 26)."""
        value = self._random.getrandbits(5 * count)
        return prefix + "".join(_BASE32[(value >> (5 * i)) & 31] for i in range(count))

    def digits(self, count: int) -> str:
        """Random decimal digits, for order references and similar numbers.

        Draws exactly as `randrange(10)` per digit does (4 bits, again while 10 or
        more), so seeded sequences stay as they were, at a fraction of the cost.
        """
        draw = self._random.getrandbits
        digits = []
        for _ in range(count):
            value = draw(4)
            while value >= 10:
                value = draw(4)
            digits.append(_DIGITS[value])
        return "".join(digits)


def random_state(generator: random.Random) -> list[Any]:
    """A `random.Random`'s state as JSON-ready data."""
    version, internal, gauss = generator.getstate()
    return [version, list(internal), gauss]


def set_random_state(generator: random.Random, state: list[Any]) -> None:
    generator.setstate((state[0], tuple(state[1]), state[2]))
