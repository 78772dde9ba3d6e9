"""Live updates: a server-sent event stream that says "changed" when the store does.

The page then fetches itself again and swaps in its live regions. The stream
compares a cheap fingerprint of the store five times a second, so a page shows a
change well within a second, and it ends after a few minutes (the browser's
EventSource reconnects at once), so no connection is held forever.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from emulator.registry import Namespace
from emulator.ui.access import Viewer, dashboard_page
from emulator.ui.queries import fingerprint

POLL_S = 0.2
HEARTBEAT_S = 15.0
STREAM_S = 300.0
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


async def _changes(namespace: Namespace) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    yield b"retry: 1000\n\n"
    last = fingerprint(namespace)
    started = quiet_since = loop.time()
    while loop.time() - started < STREAM_S:
        await asyncio.sleep(POLL_S)
        store = namespace.store
        if not namespace.held:
            # A running clock makes work due with no request to notice it.
            store.timeline.catch_up(store.clock.now_ms())
        now = fingerprint(namespace)
        if now != last:
            last, quiet_since = now, loop.time()
            yield b"data: changed\n\n"
        elif loop.time() - quiet_since > HEARTBEAT_S:
            quiet_since = loop.time()
            yield b": still here\n\n"


@dashboard_page
async def live(request: Request, viewer: Viewer) -> Response:
    if request.method == "HEAD":  # the headers only: no stream to keep open
        return Response(media_type="text/event-stream", headers=_HEADERS)
    return StreamingResponse(
        _changes(viewer.namespace),
        media_type="text/event-stream",
        headers=_HEADERS,
    )
