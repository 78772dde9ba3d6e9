"""The route table: every path the emulator serves, in one readable list."""

from __future__ import annotations

from emulator.http import accounts, control, products
from emulator.http.router import Route

ROUTES = [
    # Accounts API (fastspring-api.md section 2)
    Route("GET", "/accounts", accounts.list_accounts),
    Route("POST", "/accounts", accounts.create_account),
    Route("PUT", "/accounts", accounts.refuse_put_or_patch),
    Route("PATCH", "/accounts", accounts.refuse_put_or_patch),
    Route("GET", "/accounts/{id}", accounts.get_account),
    Route("POST", "/accounts/{id}", accounts.update_account),
    Route("PUT", "/accounts/{id}", accounts.refuse_put_or_patch),
    Route("PATCH", "/accounts/{id}", accounts.refuse_put_or_patch),
    Route("GET", "/accounts/{ids}/authenticate", accounts.authenticate_accounts),
    # Products (section 4.4)
    Route("GET", "/products", products.list_products),
    Route("POST", "/products", products.upsert_products),
    Route("GET", "/products/{paths}", products.get_products),
    Route("DELETE", "/products/{paths}", products.delete_products),
    # Control plane (design.md, "Control plane")
    Route("GET", "/_emulator/health", control.health),
    Route("POST", "/_emulator/reset", control.reset),
    Route("GET", "/_emulator/requests", control.requests),
]
