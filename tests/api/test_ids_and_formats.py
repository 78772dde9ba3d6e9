"""Ids are FastSpring-shaped and reproducible under a seed; field-family helpers."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from emulator.config import Settings
from emulator.domain.formats import date_family, display_money, money_family, start_of_day
from emulator.domain.ids import IdGenerator
from tests.support.clients import client_for, create_account

ID = re.compile(r"[A-Za-z0-9_-]{22}")


def ids_of_a_run(make_client, seed, username="store"):
    client = make_client(Settings(seed=seed), username=username)
    ids = [
        create_account(client, contact={"first": "A", "last": "B", "email": f"u{n}@example.com"})
        for n in range(5)
    ]
    globals_ = [client.get(f"/accounts/{i}").json()["lookup"]["global"] for i in ids]
    return ids + globals_


def test_ids_are_22_char_url_safe_base64(client):
    ids = [create_account(client) for _ in range(50)]
    assert all(ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == 50


def test_the_same_seed_gives_the_same_ids(make_client):
    assert ids_of_a_run(make_client, 42) == ids_of_a_run(make_client, 42)
    assert ids_of_a_run(make_client, 42) != ids_of_a_run(make_client, 43)


def test_each_store_has_its_own_sequence_under_a_seed(make_client):
    assert ids_of_a_run(make_client, 42, "a") != ids_of_a_run(make_client, 42, "b")


def test_a_store_is_unaffected_by_what_other_stores_do(app):
    seeded = Settings(seed=5)
    from emulator.app import create_app

    quiet = client_for(create_app(seeded), "target", "pw")
    busy_app = create_app(seeded)
    noisy, target = client_for(busy_app, "noise", "pw"), client_for(busy_app, "target", "pw")
    for _ in range(3):
        create_account(noisy)
    assert create_account(quiet) == create_account(target)


def test_reset_restarts_the_sequence_under_a_seed(make_client):
    client = make_client(Settings(seed=9))
    first = create_account(client)
    client.post("/_emulator/reset")
    assert create_account(client) == first


def test_without_a_seed_runs_differ(make_client):
    assert ids_of_a_run(make_client, None) != ids_of_a_run(make_client, None)


def test_date_family_spellings_and_formats():
    ms = 1501545600000  # 2017-08-01T00:00Z
    assert date_family("next", ms) == {
        "next": ms,
        "nextValue": ms,
        "nextInSeconds": 1501545600,
        "nextDisplay": "8/1/17",
        "nextDisplayISO8601": "2017-08-01",
    }
    assert date_family("end", None) == {
        "end": None,
        "endValue": None,
        "endInSeconds": None,
        "endDisplay": None,
        "endDisplayISO8601": None,
    }
    assert "changedDisplayISO8601" not in date_family("changed", ms, iso=False)


@given(st.integers(min_value=0, max_value=4102444800000))
def test_date_family_is_consistent_for_any_instant(ms):
    family = date_family("d", ms)
    assert family["dInSeconds"] == ms // 1000 and family["dValue"] == ms
    day = datetime.fromtimestamp(ms / 1000, tz=UTC)
    assert family["dDisplayISO8601"] == day.strftime("%Y-%m-%d")
    assert start_of_day(ms) % 86_400_000 == 0 and 0 <= ms - start_of_day(ms) < 86_400_000


def test_money_family_spellings_and_payout_display():
    assert money_family("total", 14.95, "USD") == {
        "total": 14.95,
        "totalDisplay": "$14.95",
        "totalInPayoutCurrency": 14.95,
        "totalInPayoutCurrencyDisplay": "$14.95",
    }
    eur = money_family("total", 187, "EUR", payout_currency="USD", payout_rate=1.09)
    assert eur["totalDisplay"] == "€187.00"
    assert eur["totalInPayoutCurrency"] == 203.83
    assert eur["totalInPayoutCurrencyDisplay"] == "USD 203.83"
    assert display_money(1234.5, "JPY") == "¥1,235"
    assert display_money(2.005, "XYZ") == "XYZ 2.01"


@given(seed=st.integers(0, 2**32), counts=st.lists(st.integers(1, 9), min_size=1, max_size=8))
def test_reference_digits_draw_as_randrange_does(seed, counts):
    """Order references under a seed stay what they were: each digit is drawn exactly
    as `random.randrange(10)` draws it, so the ids after it do not move either."""
    generator = IdGenerator(seed, "store")
    reference = random.Random()
    reference.setstate(generator._random.getstate())
    for count in counts:
        expected = "".join(str(reference.randrange(10)) for _ in range(count))
        assert generator.digits(count) == expected
    assert generator._random.getrandbits(64) == reference.getrandbits(64)
