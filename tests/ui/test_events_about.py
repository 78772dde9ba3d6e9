"""The event log's index by record (a subscription's page lists its events): it must
agree with a scan of the kept events, however many the retention limit dropped."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.domain.clock import Clock
from emulator.domain.events import EventLog, subjects_of
from emulator.domain.ids import IdGenerator
from tests.support.clients import examples

SUBJECTS = ["s1", "s2", "o1", "a1"]
payloads = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(SUBJECTS),
        "subscription": st.one_of(
            st.sampled_from(SUBJECTS), st.builds(lambda i: {"id": i}, st.sampled_from(SUBJECTS))
        ),
        "order": st.builds(lambda i: {"id": i}, st.sampled_from(SUBJECTS)),
    },
)


@settings(max_examples=examples(100), deadline=None)
@given(data=st.lists(payloads, max_size=80), retain=st.integers(1, 30))
def test_events_about_a_record_match_a_scan_of_the_kept_log(data, retain):
    log = EventLog(IdGenerator(1, "t"), Clock(), retain)
    for payload in data:
        log.emit("x.y", payload)
    kept = log.all()
    for subject in SUBJECTS:
        expected = [e.id for e in reversed(kept) if subject in subjects_of(e.data)]
        found, total = log.about(subject, 1000)
        assert [e.id for e in found] == expected
        assert total == len(expected)
        newest, _ = log.about(subject, 2)
        assert [e.id for e in newest] == expected[:2]


def test_subjects_are_the_record_and_the_records_it_names():
    assert subjects_of({"id": "e", "subscription": {"id": "s"}, "order": "o"}) == ("e", "s", "o")
    assert subjects_of({"id": "s", "subscription": "s"}) == ("s",)
    assert subjects_of([1, 2]) == ()
