"""The route table: every path the emulator serves, in one readable list."""

from __future__ import annotations

from starlette.routing import Route

from emulator.http import accounts, control

ROUTES = [
    # Accounts API (fastspring-api.md section 2)
    Route("/accounts", accounts.list_accounts, methods=["GET"]),
    Route("/accounts", accounts.create_account, methods=["POST"]),
    Route("/accounts", accounts.refuse_put_or_patch, methods=["PUT", "PATCH"]),
    Route("/accounts/{id}", accounts.get_account, methods=["GET"]),
    Route("/accounts/{id}", accounts.update_account, methods=["POST"]),
    Route("/accounts/{id}", accounts.refuse_put_or_patch, methods=["PUT", "PATCH"]),
    Route("/accounts/{ids}/authenticate", accounts.authenticate_accounts, methods=["GET"]),
    # Control plane (design.md, "Control plane")
    Route("/_emulator/health", control.health, methods=["GET"]),
    Route("/_emulator/reset", control.reset, methods=["POST"]),
    Route("/_emulator/requests", control.requests, methods=["GET"]),
]
