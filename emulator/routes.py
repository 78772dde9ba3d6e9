"""The route table: every path the emulator serves, in one readable list.

Within a first path segment, templates are tried in the order they first appear
here, so literal paths (`/subscriptions/charge`) come before `{id}` templates.
"""

from __future__ import annotations

from emulator.http import (accounts, checkout, checkouts, control, coupons, events, faults,
                           invoices, orders,
                           prices, products, quotes, returns, sessions, subscriptions,
                           webhooks)
from emulator.http.router import Route

V2 = "/v2/checkouts/{store}/{checkout}/sessions"

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
    # Subscriptions API (section 3)
    Route("GET", "/subscriptions", subscriptions.list_subscriptions),
    Route("POST", "/subscriptions", subscriptions.update_subscriptions),
    Route("POST", "/subscriptions/charge", subscriptions.charge_subscriptions),
    Route("POST", "/subscriptions/estimate", subscriptions.estimate_subscription),
    Route("GET", "/subscriptions/{id}", subscriptions.get_subscriptions),
    Route("POST", "/subscriptions/{id}", subscriptions.update_subscriptions),
    Route("DELETE", "/subscriptions/{id}", subscriptions.cancel_subscriptions),
    Route("GET", "/subscriptions/{id}/entries", subscriptions.subscription_entries),
    Route("POST", "/subscriptions/{id}/pause", subscriptions.pause_subscription),
    Route("POST", "/subscriptions/{id}/resume", subscriptions.resume_subscription),
    Route("POST", "/subscriptions/{id}/convert", subscriptions.convert_subscription),
    Route("GET", "/subscriptions/{id}/history", subscriptions.subscription_history),
    # Orders, returns, sessions (section 4)
    Route("GET", "/orders", orders.search_orders),
    Route("POST", "/orders", orders.post_orders),
    Route("GET", "/orders/{ids}", orders.get_orders),
    Route("POST", "/returns", returns.create_returns),
    Route("GET", "/returns/{id}", returns.get_returns),
    Route("POST", "/sessions", sessions.create_session),
    # Checkout sessions v2 (docs/api.md, "Checkout sessions v2")
    Route("POST", V2, checkouts.create_session),
    Route("GET", V2 + "/{id}", checkouts.get_session),
    Route("PUT", V2 + "/{id}", checkouts.overwrite_session),
    Route("GET", V2 + "/{id}/payment-methods", checkouts.payment_methods),
    Route("POST", V2 + "/{id}/cart/items", checkouts.add_item),
    Route("PUT", V2 + "/{id}/cart/items/{path}", checkouts.update_items),
    Route("DELETE", V2 + "/{id}/cart/items/{path}", checkouts.remove_item),
    Route("PUT", V2 + "/{id}/customer", checkouts.set_customer),
    # Products (section 4.4); prices and offers first, as they are not product paths
    Route("GET", "/products/price", prices.all_prices),
    Route("GET", "/products/price/{id}", prices.product_prices),
    Route("GET", "/products/offers/{path}", prices.get_offers),
    Route("POST", "/products/offers/{path}", prices.set_offers),
    Route("GET", "/products", products.list_products),
    Route("POST", "/products", products.upsert_products),
    Route("GET", "/products/{paths}", products.get_products),
    Route("DELETE", "/products/{paths}", products.delete_products),
    # Coupons (docs/api.md, "Coupons")
    Route("GET", "/coupons", coupons.list_coupons),
    Route("POST", "/coupons", coupons.upsert_coupon),
    Route("GET", "/coupons/{id}", coupons.get_coupons),
    Route("POST", "/coupons/{id}", coupons.add_codes),
    Route("DELETE", "/coupons/{id}", coupons.delete_coupon),
    Route("GET", "/coupons/{id}/codes", coupons.list_codes),
    Route("DELETE", "/coupons/{id}/codes", coupons.delete_codes),
    # Payment invoices (docs/api.md, "Payment invoices")
    Route("POST", "/invoices/paymentInvoice", invoices.create_invoice),
    Route("GET", "/invoices/{id}", invoices.get_invoice),
    # Quotes (docs/api.md, "Quotes")
    Route("GET", "/quotes", quotes.list_quotes),
    Route("POST", "/quotes", quotes.create_quote),
    Route("GET", "/quotes/{id}", quotes.get_quote),
    Route("PUT", "/quotes/{id}", quotes.update_quote),
    Route("DELETE", "/quotes/{id}", quotes.delete_quote),
    Route("POST", "/quotes/{id}/cancel", quotes.cancel_quote),
    # Events API and webhook keys (section 5)
    Route("GET", "/events/unprocessed", events.unprocessed_events),
    Route("GET", "/events/processed", events.processed_events),
    Route("POST", "/events/{id}", events.mark_event),
    Route("POST", "/webhooks/keys", webhooks.rotate_key),
    # Control plane (design.md, "Control plane")
    Route("GET", "/_emulator/health", control.health),
    Route("GET", "/_emulator/openapi.json", control.openapi),
    Route("POST", "/_emulator/reset", control.reset),
    Route("GET", "/_emulator/requests", control.requests),
    Route("GET", "/_emulator/clock", control.clock),
    Route("POST", "/_emulator/clock/advance", control.advance_clock),
    Route("POST", "/_emulator/clock/freeze", control.freeze_clock),
    Route("GET", "/_emulator/events", control.events),
    Route("POST", "/_emulator/orders", checkout.complete_checkout),
    Route("POST", "/_emulator/sessions/{id}/complete", sessions.complete_session),
    Route("POST", "/_emulator/accounts/{id}/payment", checkout.set_payment),
    Route("GET", "/_emulator/webhooks", webhooks.list_webhooks),
    Route("POST", "/_emulator/webhooks", webhooks.add_webhook),
    Route("GET", "/_emulator/webhooks/deliveries", webhooks.deliveries),
    Route("POST", "/_emulator/webhooks/deliveries/{id}/redeliver", webhooks.redeliver),
    Route("POST", "/_emulator/webhooks/wait", webhooks.wait),
    Route("DELETE", "/_emulator/webhooks/{id}", webhooks.remove_webhook),
    Route("GET", "/_emulator/faults", faults.list_faults),
    Route("POST", "/_emulator/faults", faults.add_fault),
    Route("DELETE", "/_emulator/faults", faults.clear_faults),
    Route("DELETE", "/_emulator/faults/{id}", faults.remove_fault),
    Route("GET", "/_emulator/rate-limit", faults.get_rate_limit),
    Route("PUT", "/_emulator/rate-limit", faults.set_rate_limit),
    Route("DELETE", "/_emulator/rate-limit", faults.remove_rate_limit),
    Route("POST", "/_emulator/fixtures", control.load_fixture),
    Route("GET", "/_emulator/snapshot", control.export_snapshot),
    Route("POST", "/_emulator/snapshot", control.import_snapshot),
    Route("POST", "/_emulator/quotes/{id}/invoice", quotes.invoice_quote),
    Route("POST", "/_emulator/quotes/{id}/pay", quotes.pay_quote),
    Route("GET", "/_emulator/invoices/{id}/web", invoices.invoice_web),
    Route("GET", "/_emulator/invoices/{id}/pdf", invoices.invoice_pdf),
    Route("GET", "/_emulator/invoices/{id}/pay", invoices.invoice_pay_page),
    Route("POST", "/_emulator/invoices/{id}/pay", invoices.pay_invoice),
    Route("GET", "/_emulator/exchange-rates", control.exchange_rates),
    Route("PUT", "/_emulator/exchange-rates", control.set_exchange_rates),
    Route("GET", "/_emulator/coupons", control.list_coupons),
    Route("POST", "/_emulator/coupons", control.define_coupon),
]
