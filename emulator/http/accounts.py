"""Handlers for the Accounts API (`docs/api.md`, "The Accounts API")."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from emulator.domain.accounts import LOOKUP_FILTERS
from emulator.domain.paging import Page, paginate, parse_paging
from emulator.domain.views import account_view
from emulator.http import pitfalls
from emulator.http.batch import batch_response, run_each
from emulator.http.body import read_json_object
from emulator.http.context import RequestContext
from emulator.http.endpoint import endpoint
from emulator.http.query import query_params
from emulator.http.responses import failure, success


def _list_action(request: Request) -> str:
    params = query_params(request)
    if any(name in params for name in LOOKUP_FILTERS):
        return "account.lookup"
    return "account.getall"


def _paging(page: Page[Any]) -> dict[str, object]:
    return {"page": page.page, "limit": page.limit, "nextPage": page.next_page, "total": page.total}


@endpoint(_list_action)
async def list_accounts(request: Request, ctx: RequestContext) -> Response:
    """No filter lists ids; one lookup filter returns the matching account objects."""
    params = query_params(request)
    ctx.warn_all(pitfalls.account_query(params))
    page, limit = parse_paging(params.get("page"), params.get("limit"))
    filters = {name: params[name] for name in LOOKUP_FILTERS if name in params}
    accounts = ctx.store.accounts
    if not filters:
        ids = accounts.page(page, limit)
        return success("account.getall", {**_paging(ids), "accounts": ids.items})
    found = paginate(accounts.lookup(filters), page, limit)
    host = ctx.store.portal_host
    return success(
        "account.lookup",
        {**_paging(found), "accounts": [account_view(a, host) for a in found.items]},
    )


@endpoint("account.create")
async def create_account(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    ctx.warn_all(pitfalls.account_body(body))
    store = ctx.store
    account = store.accounts.create(body)
    if ctx.api_account_created:
        store.outcomes.account_created(account.id)
    return success("account.create", {"account": account.id})


@endpoint("account.get", echo=("account", "id"))
async def get_account(request: Request, ctx: RequestContext) -> Response:
    """One id only: FastSpring treats `a,b` as a single unknown id here."""
    account = ctx.store.accounts.get(request.path_params["id"])
    return success("account.get", account_view(account, ctx.store.portal_host))


@endpoint("account.update", echo=("account", "id"))
async def update_account(request: Request, ctx: RequestContext) -> Response:
    body = await read_json_object(request, ctx.max_body_bytes)
    ctx.warn_all(pitfalls.account_body(body))
    store = ctx.store
    account, changed = store.accounts.update(request.path_params["id"], body)
    if changed:
        store.outcomes.account_updated(account.id)
    return success("account.update", {"account": account.id})


@endpoint("account.update")
async def refuse_put_or_patch(request: Request, ctx: RequestContext) -> Response:
    """The guides' PUT/PATCH: the real API answers 405, the emulator also warns."""
    ctx.warn(pitfalls.ACCOUNT_UPDATE_METHOD)
    return failure(
        None,
        {"method": f"Request method '{request.method}' not supported"},
        405,
        headers={"Allow": "GET, POST"},
    )


# Served only to answer as the real API does; never advertised in Allow.
refuse_put_or_patch.refuses = True  # type: ignore[attr-defined]


@endpoint("account.authenticate.get")
async def authenticate_accounts(request: Request, ctx: RequestContext) -> Response:
    """A fresh, short-lived portal URL per account; batches with comma-separated ids."""
    store = ctx.store

    def portal_url(account_id: str) -> dict[str, str]:
        store.accounts.get(account_id)
        url = f"https://{store.portal_host}/account/{store.portal_token()}/{store.portal_token()}"
        return {
            "action": "account.authenticate.get",
            "result": "success",
            "account": account_id,
            "url": url,
        }

    records = run_each(
        "account.authenticate.get", "account", request.path_params["ids"].split(","), portal_url
    )
    for record in records:
        if record["result"] == "error":
            record["error"] = {"account": "Not found"}
    return batch_response("accounts", records)
