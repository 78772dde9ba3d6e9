"""Handlers for the reporting API, `/data/v1` (docs/api.md, "Reports").

Building a report walks the store's orders or subscriptions; the domain pauses
every few thousand facts and these handlers give the event loop back at each
pause, so one store's large report never stalls another store's requests.
Errors are Spring bodies, as the reporting service sends them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.formats import iso_instant
from emulator.domain.reports import (
    KINDS,
    ReportError,
    ReportJob,
    build_rows,
    page_of,
    parse_request,
    run_job,
)
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.responses import JSON, raw
from emulator.http.spring import spring_endpoint

Handler = Callable[[Request, RequestContext], Awaitable[Response]]
T = TypeVar("T")
TEXT = b"text/plain; charset=utf-8"


report_endpoint = spring_endpoint()


async def drive(work: Generator[None, None, T]) -> T:
    """Run domain work that pauses, yielding to the event loop at every pause."""
    while True:
        try:
            next(work)
        except StopIteration as done:
            return done.value
        await asyncio.sleep(0)


def _store_name(ctx: RequestContext) -> str:
    return ctx.namespace.name


def job_view(request: Request, job: ReportJob) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": job.id,
        "status": job.status,
        "name": job.name,
        "created": iso_instant(job.created),
    }
    if job.status == "COMPLETE" and job.complete_date is not None:
        view["completeDate"] = iso_instant(job.complete_date)
        view["downloadUrl"] = str(request.base_url).rstrip("/") + f"/data/v1/downloads/{job.id}"
    view["notificationEmails"] = list(job.emails)
    return view


async def _finish_pending(ctx: RequestContext, jobs: list[ReportJob]) -> None:
    """Build jobs still PROCESSING (a job another request is building is left as is)."""
    store = ctx.store
    for job in jobs:
        if job.status != "PROCESSING" or job.id in store.reports.building:
            continue
        store.reports.building.add(job.id)
        try:
            await drive(run_job(store, job, _store_name(ctx), store.clock.now_ms))
        finally:
            store.reports.building.discard(job.id)


async def _report(kind: str, request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    parsed = parse_request(kind, body)
    store = ctx.store
    if parsed.run_async:
        job = ReportJob(
            store.ids.base32("JOB"),
            KINDS[kind],
            kind,
            body,
            store.clock.now_ms(),
            list(parsed.emails),
        )
        store.reports.add(job)
        return JSON({"id": job.id, "name": job.name, "status": job.status, "request": body})
    rows = await drive(build_rows(store, parsed, _store_name(ctx)))
    return JSON({"report": page_of(rows, parsed), "request": body})


@report_endpoint
async def subscription_report(request: Request, ctx: RequestContext) -> Response:
    return await _report("subscription", request, ctx)


@report_endpoint
async def revenue_report(request: Request, ctx: RequestContext) -> Response:
    return await _report("revenue", request, ctx)


@report_endpoint
async def list_jobs(request: Request, ctx: RequestContext) -> Response:
    """Every job of the store, oldest first, as a bare array."""
    jobs = list(ctx.store.reports.jobs.values())
    await _finish_pending(ctx, jobs)
    return JSON([job_view(request, job) for job in jobs])


@report_endpoint
async def get_job(request: Request, ctx: RequestContext) -> Response:
    job = ctx.store.reports.get(request.path_params["id"])
    await _finish_pending(ctx, [job])
    return JSON(job_view(request, job))


@report_endpoint
async def download(request: Request, ctx: RequestContext) -> Response:
    """The CSV of a completed job; an unknown, failed or unfinished job is refused."""
    job = ctx.store.reports.get(request.path_params["id"])
    await _finish_pending(ctx, [job])
    if job.status != "COMPLETE" or job.csv is None:
        raise ReportError("Invalid JobId", "jobId", job.id, "invalid")
    return raw(job.csv.encode(), content_type=TEXT)


async def reset_cache(request: Request) -> Response:
    """A no-op: the emulator's reports are never cached."""
    return raw(b"Cache reset success", content_type=TEXT)


@report_endpoint
async def fail_job(request: Request, ctx: RequestContext) -> Response:
    """Control plane: a PROCESSING job fails, so a client's failure path can be tested."""
    job = ctx.store.reports.get(request.path_params["id"])
    if job.status != "PROCESSING":
        raise ReportError(f"Job is {job.status}", "jobId", job.id, "invalid")
    job.status = "FAILED"
    return JSON(job_view(request, job))
