"""Handlers for the Subscriptions API (`docs/api.md`, "Subscriptions")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.errors import DomainError, Invalid
from emulator.domain.formats import iso_date
from emulator.domain.paging import paginate, parse_paging
from emulator.domain.subscription_search import search_subscriptions
from emulator.domain.views import history_view, subscription_view
from emulator.http import pitfalls
from emulator.http.batch import batch_items, batch_response, element, error_element, run_each
from emulator.http.body import read_json, read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import JSON, failure, success
from emulator.http.views import order_record, session_view

LIST_FILTERS = ("accountId", "status", "scope", "products", "event")
MAX_CHARGE_BATCH = 50


def _record(ctx: RequestContext, sub_id: str, action: str) -> dict[str, Any]:
    sub = ctx.store.subscriptions.get(sub_id)
    return {**subscription_view(sub), "action": action, "result": "success"}


@endpoint("subscription.get", echo=("subscription", "id"))
async def get_subscriptions(request: Request, ctx: RequestContext) -> Response:
    """One id: the bare subscription. Several: `{"subscriptions": [...]}`.

    Query parameters are ignored here: one real client sends list filters on this
    path, and FastSpring answers with the subscription.
    """
    ids = request.path_params["id"].split(",")
    if len(ids) == 1:
        return success("subscription.get", _record(ctx, ids[0], "subscription.get"))
    records = run_each(
        "subscription.get",
        "subscription",
        ids,
        lambda sub_id: _record(ctx, sub_id, "subscription.get"),
    )
    return batch_response("subscriptions", records)


@endpoint("subscription.getall")
async def list_subscriptions(request: Request, ctx: RequestContext) -> Response:
    """Without filters: ids. With any filter: subscription objects."""
    params = query_params(request)
    page, limit = parse_paging(params.get("page"), params.get("limit"))
    filtered = any(name in params for name in LIST_FILTERS)
    found = paginate(search_subscriptions(ctx.store, params), page, limit)
    items: list[Any] = found.items
    if filtered:
        subs = ctx.store.subscriptions
        items = [subscription_view(subs.get(i)) for i in found.items]
    return success(
        "subscription.getall",
        {
            "page": found.page,
            "limit": found.limit,
            "nextPage": found.next_page,
            "total": found.total,
            "subscriptions": items,
        },
    )


@endpoint("subscription.cancel")
async def cancel_subscriptions(request: Request, ctx: RequestContext) -> Response:
    """Cancel at period end; `?billingPeriod=0` deactivates immediately."""
    params = query_params(request)
    ctx.warn_all(pitfalls.cancel_query(params))
    immediately = params.get("billingPeriod") == "0"
    lifecycle = ctx.store.lifecycle

    def cancel(sub_id: str) -> dict[str, Any]:
        lifecycle.cancel(sub_id, immediately)
        return element("subscription.cancel", "subscription", sub_id)

    return batch_response(
        "subscriptions",
        run_each(
            "subscription.cancel", "subscription", request.path_params["id"].split(","), cancel
        ),
    )


def _update_items(body: dict[str, Any], path_id: str | None) -> list[Any]:
    if "subscriptions" not in body and path_id is not None:
        return [{**body, "subscription": path_id}]
    items = batch_items(body, "subscriptions")
    if path_id is not None:
        items = [
            {**i, "subscription": i.get("subscription", path_id)} if isinstance(i, dict) else i
            for i in items
        ]
    return items


@endpoint("subscription.update")
async def update_subscriptions(request: Request, ctx: RequestContext) -> Response:
    """The batch update of `POST /subscriptions` (and `POST /subscriptions/{id}`)."""
    body = await read_json_object(request, ctx.max_body_bytes)
    items = _update_items(body, request.path_params.get("id"))
    for item in items:
        if isinstance(item, dict):
            ctx.warn_all(pitfalls.subscription_update(item))
    plans = ctx.store.plans
    records = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("subscription"), str):
            records.append(
                error_element(
                    "subscription.update", "subscription", None, {"subscription": "Not found"}
                )
            )
            continue
        sub_id = item["subscription"]
        try:
            _, preview = plans.update(sub_id, item)
        except DomainError as exc:
            records.append(error_element("subscription.update", "subscription", sub_id, exc.errors))
            continue
        records.append(
            element(
                "subscription.update",
                "subscription",
                sub_id,
                {"preview": preview} if preview is not None else None,
            )
        )
    return batch_response("subscriptions", records)


@endpoint("subscription.charge")
async def charge_subscriptions(request: Request, ctx: RequestContext) -> Response:
    """Charge managed subscriptions now, one result per item, at most 50 per call."""
    items = batch_items(await read_json_object(request, ctx.max_body_bytes), "subscriptions")
    if len(items) > MAX_CHARGE_BATCH:
        raise Invalid({"subscriptions": f"At most {MAX_CHARGE_BATCH} subscriptions per request"})
    lifecycle = ctx.store.lifecycle
    records = []
    for item in items:
        sub_id = item.get("subscription") if isinstance(item, dict) else None
        if not isinstance(sub_id, str):
            records.append(
                error_element(
                    "subscription.charge", "subscription", None, {"subscription": "Not found"}
                )
            )
            continue
        try:
            lifecycle.charge_managed(sub_id)
        except DomainError as exc:
            records.append(error_element("subscription.charge", "subscription", sub_id, exc.errors))
            continue
        records.append(element("subscription.charge", "subscription", sub_id))
    answer = batch_response("subscriptions", records)
    # FastSpring's reference prints the list under `subscription`; live clients read
    # `subscriptions`. Both carry it.
    return JSON({"subscriptions": records, "subscription": records}, status_code=answer.status_code)


@endpoint("subscription.get", echo=("subscription", "id"))
async def subscription_entries(request: Request, ctx: RequestContext) -> Response:
    """A bare array of the subscription's orders, newest first."""
    store = ctx.store
    sub = store.subscriptions.get(request.path_params["id"])
    # yyyy-mm-dd strings, as FastSpring's entries documentation and live clients have
    # them (docs/fidelity.md).
    entries = [
        {
            "beginPeriodDate": iso_date(begin),
            "endPeriodDate": None if end is None else iso_date(end),
            "order": order_record(store, store.orders.get(order_id)),
        }
        for order_id, begin, end in reversed(sub.entries)
    ]
    return JSON(entries)


def _pause_count(body: Any) -> Any:
    """The pause body is an object, or (in FastSpring's own example) an array of one."""
    if isinstance(body, list) and body and isinstance(body[0], dict):
        body = body[0]
    return body.get("pausePeriodCount") if isinstance(body, dict) else None


@endpoint("subscriptions.pause")
async def pause_subscription(request: Request, ctx: RequestContext) -> Response:
    """Schedule a pause of N periods from the next charge date."""
    sub_id = request.path_params["id"]
    store = ctx.store
    if store.subscriptions.find(sub_id) is None:
        raise Invalid({"subscription.pause": "Unable to find subscription."})
    body = await read_json(request, ctx.max_body_bytes)
    store.lifecycle.pause(sub_id, _pause_count(body))
    return success("subscriptions.pause.get", subscription_view(store.subscriptions.get(sub_id)))


@endpoint("subscriptions.resume")
async def resume_subscription(request: Request, ctx: RequestContext) -> Response:
    store = ctx.store
    sub_id = request.path_params["id"]
    store.lifecycle.resume(sub_id)
    return success("subscriptions.resume", subscription_view(store.subscriptions.get(sub_id)))


@endpoint("subscriptions.estimate.update")
async def estimate_subscription(request: Request, ctx: RequestContext) -> Response:
    """The proration of a plan change, without making it."""
    body = await read_json_object(request, ctx.max_body_bytes)
    try:
        estimate = ctx.store.plans.estimate(body)
    except DomainError as exc:
        subscription = body.get("subscription")
        return failure(
            "subscriptions.estimate.update",
            exc.errors,
            400,
            {"subscription": subscription} if isinstance(subscription, str) else None,
        )
    return JSON(estimate)


@endpoint("subscription.convert")
async def convert_subscription(request: Request, ctx: RequestContext) -> Response:
    """A checkout session for a trial that ended without a payment method."""
    commerce = ctx.store.commerce
    session = ctx.store.plans.convert(request.path_params["id"])
    return JSON(session_view(session, commerce.session_subtotal(session)))


@endpoint("subscription.history", echo=("subscription", "id"))
async def subscription_history(request: Request, ctx: RequestContext) -> Response:
    """Every plan the subscription has had: `?scope=base_plan|add_on`,
    `?order=increasing|decreasing`."""
    params = query_params(request)
    scope = params.get("scope")
    if scope is not None and scope not in ("base_plan", "add_on"):
        raise Invalid({"scope": "Supported value: base_plan, add_on"})
    order = params.get("order", "increasing")
    if order not in ("increasing", "decreasing"):
        raise Invalid({"order": "Supported value: increasing, decreasing"})
    sub = ctx.store.subscriptions.get(request.path_params["id"])
    return success(
        "subscription.history",
        {
            "subscription": sub.id,
            "history": history_view(sub, scope, newest_first=order == "decreasing"),
        },
    )
