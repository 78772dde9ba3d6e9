"""Long work that shares the event loop: it runs in steps and gives the loop back.

A piece of work that may be long (exporting a big store, serializing it) is
written once, as a generator that yields between small steps. `finish` runs it
straight through (start-up, tests); `finish_async` runs it inside a request and
gives the loop back whenever it has held it for `YIELD_EVERY_S`, so one store's
big export never delays another store's requests by more than that.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import itertools
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any, TypeVar

import orjson

T = TypeVar("T")
U = TypeVar("U")
Steps = Generator[None, None, T]

YIELD_EVERY_S = 0.005
STEP = 16  # records handled between two chances to yield
_CHUNK = 100  # list items serialized in one go


class Yielder:
    """Gives the event loop back when a piece of work has held it for a while."""

    def __init__(self, every_s: float = YIELD_EVERY_S) -> None:
        self._every = every_s
        self._since = time.perf_counter()

    async def __call__(self) -> None:
        if time.perf_counter() - self._since >= self._every:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


def finish(steps: Steps[T]) -> T:
    """Run stepped work to its end without yielding."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


async def finish_async(steps: Steps[T]) -> T:
    """Run stepped work, giving the event loop back regularly. Inside
    `quiet_collector`, what each step made is set aside as it goes: an export keeps
    what it builds until it is written, and full collections over a growing
    document held the loop for tens of milliseconds each."""
    pause = Yielder()
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value
        set_aside()
        await pause()


def each(items: Iterable[T], convert: Callable[[T], U]) -> Steps[list[U]]:
    """`[convert(i) for i in items]`, in steps."""
    out: list[U] = []
    for item in items:
        out.append(convert(item))
        if len(out) % STEP == 0:
            yield
    return out


def dump_json_pieces(value: Any) -> Steps[list[bytes]]:
    """`orjson.dumps(value)` in steps, as pieces to write one after another: long lists
    and dicts are written a chunk at a time, and nothing is joined into one big copy."""
    pieces: list[bytes] = []
    yield from _dump_into(value, pieces)
    return pieces


def dump_json_and_let_go(handed: list[Any]) -> Steps[list[bytes]]:
    """`dump_json_pieces` of the one value `handed` holds (the caller keeps no other
    reference to it), which is then let go of in steps (`let_go`)."""
    pieces = yield from dump_json_pieces(handed[0])
    yield from let_go(handed)
    return pieces


def let_go(held: list[Any]) -> Steps[None]:
    """Drop what `held` holds (its caller's only references), a part at a time.

    Freeing a whole exported store at once is one long call into the allocator (tens
    of milliseconds at 100,000 accounts). Here a list or dict that nothing else
    refers to is emptied `_CHUNK` items at a time, so each step frees a little; one
    that is still referred to elsewhere (the store's own records) is only let go of,
    never changed. How many refer to an object is CPython's reference count.

    Big parts sit near the top of what an export makes (sections, indexes); from
    `_RECORD_DEPTH` levels down, parts are records, freed a chunk at a time whole.
    """
    pending = [(value, 0) for value in held]
    held.clear()
    while pending:
        value, depth = pending.pop()
        # Two references: `value` here, and getrefcount's own argument.
        if not isinstance(value, (dict, list)) or sys.getrefcount(value) > 2:
            continue
        parts = list(value.values()) if isinstance(value, dict) else value
        if parts is not value:
            value.clear()  # its keys go here; its values live on in `parts`
        del value
        while parts:
            chunk = parts[-_CHUNK:]
            del parts[-_CHUNK:]
            if depth < _RECORD_DEPTH:
                pending.extend(
                    (part, depth + 1)
                    for part in chunk
                    if isinstance(part, (dict, list)) and part and not _small((part,))
                )
            del chunk  # what is small goes now
            yield


_RECORD_DEPTH = 3


_quiet_holders = 0
_young_only = False


def collect_young_only() -> None:
    """For a process that is only the emulator (the CLI's server): after every full
    collection, set aside what survived it, so that the next one looks only at what
    came since. A full collection then costs what changed lately, never the whole
    store (at 100,000 accounts that held the loop for hundreds of milliseconds).

    The price: cyclic garbage among what was set aside is not collected. The store's
    records form no cycles, so this is memory that a store never frees anyway. Not for
    a process that runs other code too (the pytest plugin's in-process server).
    """
    global _young_only
    if not _young_only:
        _young_only = True
        gc.freeze()
        gc.callbacks.append(_set_aside_survivors)


def _set_aside_survivors(phase: str, info: dict[str, int]) -> None:
    if phase == "stop" and info["generation"] == 2:
        gc.freeze()


@contextlib.contextmanager
def quiet_collector() -> Iterator[None]:
    """While big stepped work runs, the cyclic garbage collector skips the objects
    that existed before it: a full collection then costs what the work allocated,
    not what the whole process holds (which held the loop for hundreds of ms).

    Holders may overlap (two stores advancing at once): each entry sets aside what
    exists by then, and the last one out lets the collector see everything again.
    """
    global _quiet_holders
    gc.freeze()
    _quiet_holders += 1
    try:
        yield
    finally:
        _quiet_holders -= 1
        if _quiet_holders == 0:
            if _young_only:
                gc.freeze()  # what the work made stays set aside too
            else:
                gc.unfreeze()


def set_aside() -> None:
    """Inside `quiet_collector`, set aside what exists by now as well. Work that
    keeps most of what it makes (a clock advance keeps orders and events) calls this
    between steps, so the collector has nothing to rescan until the work ends; it
    costs the same however much exists (the collector moves whole lists)."""
    if _quiet_holders:
        gc.freeze()


def _dump_into(value: Any, pieces: list[bytes]) -> Steps[None]:
    if isinstance(value, dict) and len(value) > 0:
        pieces.append(b"{")
        # A hundred items at a time: listing a big dict's items at once makes as many
        # tuples in one call, and the collector runs over them again and again.
        items = iter(value.items())
        start = 0
        while group := list(itertools.islice(items, _CHUNK)):
            comma = b"," if start else b""
            start += len(group)
            if _small(v for _, v in group):  # the common case: one call writes them all
                pieces.append(comma + orjson.dumps(dict(group), option=_STR_KEYS)[1:-1])
            else:
                for n, (key, item) in enumerate(group):
                    pieces.append(comma if n == 0 else b",")
                    pieces.append(orjson.dumps(str(key)) + b":")
                    yield from _dump_into(item, pieces)
            yield
        pieces.append(b"}")
    elif isinstance(value, list) and len(value) > _CHUNK:
        pieces.append(b"[")
        for start in range(0, len(value), _CHUNK):
            chunk = orjson.dumps(value[start : start + _CHUNK])
            pieces.append((b"," if start else b"") + chunk[1:-1])
            yield
        pieces.append(b"]")
    else:
        pieces.append(orjson.dumps(value))


_STR_KEYS = orjson.OPT_NON_STR_KEYS  # keys written as str(key) does, as before
_SMALL = 20 * _CHUNK  # items, at every depth, that one orjson call may write


def _small(values: Iterable[Any]) -> bool:
    """Whether `values` hold at most `_SMALL` list and dict items at every depth. A
    dict of small records is written in one call per `_CHUNK` entries; a dict with a
    big part is taken apart, so no single call writes a store's worth."""
    budget = _SMALL
    pending = [v for v in values if isinstance(v, (dict, list))]
    while pending:
        value = pending.pop()
        inner = value.values() if isinstance(value, dict) else value
        budget -= len(inner)
        if budget < 0:
            return False
        pending.extend(v for v in inner if isinstance(v, (dict, list)))
    return True
