"""Long work keeps the cyclic garbage collector off the store, and gives it back.

A clock advance sets aside what exists from the collector while it runs (see
docs/architecture.md, "Events render when read"). In a process that runs other code
too (the pytest plugin's server runs inside the tests), everything must be handed
back afterwards; the CLI's server instead keeps long-lived objects set aside.
"""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

from emulator.domain.cooperative import quiet_collector
from tests.support.shop import add_product, buy, shop


def test_nested_holders_hand_everything_back_when_the_last_one_leaves():
    assert gc.get_freeze_count() == 0
    with quiet_collector():
        outer = gc.get_freeze_count()
        assert outer > 0
        with quiet_collector():
            assert gc.get_freeze_count() >= outer
        assert gc.get_freeze_count() >= outer  # the outer holder still holds
    assert gc.get_freeze_count() == 0


def test_an_advance_hands_the_collector_back():
    client = shop()
    add_product(client, "pro")
    for n in range(3):
        buy(client, "pro", email=f"c{n}@example.com")
    answer = client.post("/_emulator/clock/advance", json={"days": 70})
    assert answer.status_code == 200
    assert len(answer.json()["transitions"]) == 12
    assert gc.get_freeze_count() == 0


def test_the_server_keeps_what_survives_a_full_collection_set_aside():
    program = textwrap.dedent(
        """
        import gc
        from emulator.domain.cooperative import collect_young_only, quiet_collector
        collect_young_only()
        kept = [[n] for n in range(1000)]
        gc.collect()
        after_collection = gc.get_freeze_count()
        with quiet_collector():
            more = [[n] for n in range(1000)]
        print(after_collection >= 1000, gc.get_freeze_count() >= after_collection + 1000)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["True", "True"], done.stderr
