"""Fault and rate-limit control paths (`/_emulator/faults`, `/_emulator/rate-limit`)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.responses import JSON


@endpoint("emulator.faults")
async def add_fault(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(ctx.namespace.faults.add(body).as_dict())


@endpoint("emulator.faults")
async def list_faults(request: Request, ctx: RequestContext) -> Response:
    """The rules in creation order, with how often each matched and fired."""
    return JSON({"faults": [rule.as_dict() for rule in ctx.namespace.faults.rules]})


@endpoint("emulator.faults")
async def clear_faults(request: Request, ctx: RequestContext) -> Response:
    ctx.namespace.faults.rules.clear()
    return JSON({"result": "success"})


@endpoint("emulator.faults", echo=("fault", "id"))
async def remove_fault(request: Request, ctx: RequestContext) -> Response:
    ctx.namespace.faults.remove(request.path_params["id"])
    return JSON({"fault": request.path_params["id"], "result": "success"})


@endpoint("emulator.rate-limit")
async def set_rate_limit(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    return JSON(ctx.namespace.faults.set_rate_limit(body).as_dict())


@endpoint("emulator.rate-limit")
async def get_rate_limit(request: Request, ctx: RequestContext) -> Response:
    bucket = ctx.namespace.faults.bucket
    return JSON({"rateLimit": None if bucket is None else bucket.as_dict()})


@endpoint("emulator.rate-limit")
async def remove_rate_limit(request: Request, ctx: RequestContext) -> Response:
    ctx.namespace.faults.bucket = None
    return JSON({"result": "success"})
