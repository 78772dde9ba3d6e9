"""The OpenAPI 3.1 contract of the emulated API and the control plane.

Built in code so the field families are written once; `contracts/openapi.json` is
this document written out (`python -m emulator.contract > contracts/openapi.json`),
and a test keeps the two identical. Schemas pin the fields clients rely on and
allow others, because FastSpring's objects are large and it ignores unknown fields.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson

from emulator import __version__, contract_dashboard
from emulator.domain.accounts import LOOKUP_FILTERS

Schema = dict[str, Any]
STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
NULLABLE_STRING: Schema = {"type": ["string", "null"]}
ID: Schema = {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"}


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    return {
        "type": "object",
        "properties": properties,
        "required": required or [],
        "additionalProperties": True,
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def dates(name: str, nullable: bool = True) -> dict[str, Schema]:
    number = {"type": ["integer", "null"]} if nullable else INTEGER
    text = NULLABLE_STRING if nullable else STRING
    return {
        name: number,
        f"{name}Value": number,
        f"{name}InSeconds": number,
        f"{name}Display": text,
    }


def money(name: str) -> dict[str, Schema]:
    return {
        name: NUMBER,
        f"{name}Display": STRING,
        f"{name}InPayoutCurrency": NUMBER,
        f"{name}InPayoutCurrencyDisplay": STRING,
    }


RECORD = {"action": STRING, "result": {"enum": ["success", "error"]}}
PAGING = {
    "page": {"type": ["integer", "null"]},
    "limit": {"type": ["integer", "null"]},
    "nextPage": {"type": ["integer", "null"]},
    "total": INTEGER,
}

SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {
            "result": {"const": "error"},
            "action": STRING,
            "error": {"type": "object", "additionalProperties": STRING},
        },
        ["result", "error"],
    ),
    "SessionError": obj({"message": STRING, "params": array(STRING)}, ["message", "params"]),
    "Contact": obj(
        {
            "first": STRING,
            "last": STRING,
            "email": STRING,
            "company": NULLABLE_STRING,
            "phone": NULLABLE_STRING,
        }
    ),
    "AccountBody": obj(
        {
            "contact": obj(
                {
                    "first": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 60,
                        "pattern": "^[A-Za-z][A-Za-z ]*$",
                    },
                    "last": {
                        "type": "string",
                        "minLength": 1,
                        "maxLength": 60,
                        "pattern": "^[A-Za-z][A-Za-z ]*$",
                    },
                    "email": {
                        "type": "string",
                        "pattern": "^[a-z0-9]{1,20}@[a-z0-9]{1,20}\\.[a-z]{2,6}$",
                    },
                    "company": NULLABLE_STRING,
                    "phone": NULLABLE_STRING,
                },
                ["first", "last", "email"],
            ),
            "language": {"enum": ["en", "de", "fr", "es", "ja"]},
            "country": {"enum": ["US", "GB", "DE", "FR", "JP"]},
            "lookup": obj({"custom": {"type": "string", "pattern": "^[A-Za-z0-9_-]{4,40}$"}}),
            "address": obj(
                {
                    k: NULLABLE_STRING
                    for k in ("addressLine1", "addressLine2", "city", "postalCode", "region")
                }
            ),
        },
        ["contact"],
    ),
    "Account": obj(
        {
            "id": ID,
            "account": ID,
            "contact": ref("Contact"),
            "address": {"type": "object"},
            "language": STRING,
            "country": NULLABLE_STRING,
            "lookup": obj({"global": ID, "custom": STRING}, ["global"]),
            "url": STRING,
            "payment": obj({"methods": INTEGER, "active": INTEGER}),
            "orders": array(STRING),
            "subscriptions": array(STRING),
            "charges": array({"type": "object"}),
            "subscribed": BOOLEAN,
            **RECORD,
        },
        ["id", "account", "contact", "lookup", "orders", "subscriptions"],
    ),
    "AccountWritten": obj({"account": ID, **RECORD}, ["account", "action", "result"]),
    "AccountList": obj(
        {
            **RECORD,
            **PAGING,
            "accounts": {"type": "array", "items": {"anyOf": [ID, ref("Account")]}},
        },
        ["accounts"],
    ),
    "Authenticated": obj(
        {
            "accounts": array(
                obj({"account": STRING, "url": STRING, **RECORD}, ["account", "result"])
            )
        },
        ["accounts"],
    ),
    "Pricing": obj(
        {
            "interval": {"type": ["string", "null"]},
            "intervalLength": INTEGER,
            "intervalCount": {"type": ["integer", "null"]},
            "trial": INTEGER,
            "price": {"type": "object", "additionalProperties": NUMBER},
        }
    ),
    "Product": obj(
        {
            "product": STRING,
            "display": {"type": "object"},
            "sku": NULLABLE_STRING,
            "pricing": ref("Pricing"),
            **RECORD,
        },
        ["product"],
    ),
    "ProductsBody": obj(
        {
            "products": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "product": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,30}$"},
                        "display": {"type": "object", "additionalProperties": STRING},
                        "pricing": obj(
                            {
                                "interval": {"enum": ["day", "week", "month", "year", "adhoc"]},
                                "intervalLength": {"type": "integer", "minimum": 1, "maximum": 12},
                                "trial": {"type": "integer", "minimum": 0, "maximum": 60},
                                "price": {
                                    "type": "object",
                                    "minProperties": 1,
                                    "propertyNames": {"enum": ["USD", "EUR"]},
                                    "additionalProperties": {
                                        "type": "number",
                                        "minimum": 0,
                                        "maximum": 1000,
                                    },
                                },
                            },
                            ["price"],
                        ),
                    },
                    ["product", "pricing"],
                ),
            }
        },
        ["products"],
    ),
    "ProductRecords": obj(
        {"products": array(obj({"product": {"type": ["string", "null"]}, **RECORD}, ["result"]))},
        ["products"],
    ),
    "ProductList": obj({**RECORD, **PAGING, "products": array(STRING)}, ["products"]),
    "OrderItem": obj(
        {
            "product": STRING,
            "quantity": INTEGER,
            "display": STRING,
            **money("subtotal"),
            **money("discount"),
            "subscription": {"anyOf": [NULLABLE_STRING, {"type": "object"}]},
        },
        ["product", "quantity"],
    ),
    "Order": obj(
        {
            "id": ID,
            "order": ID,
            "reference": {
                "type": "string",
                "pattern": "^[A-Z0-9]+[0-9]{6}-[0-9]{4}-[0-9]{5}[BX]?$",
            },
            "completed": BOOLEAN,
            "live": BOOLEAN,
            "currency": STRING,
            "account": {"anyOf": [STRING, {"type": "object"}]},
            **money("total"),
            **money("tax"),
            **money("subtotal"),
            **dates("changed", nullable=False),
            "items": array(ref("OrderItem")),
            **RECORD,
        },
        ["id", "order", "reference", "account", "items", "total"],
    ),
    "Orders": obj({"orders": array({"type": "object"})}, ["orders"]),
    "OrderLookup": obj(
        {
            **RECORD,
            **PAGING,
            "begin": NULLABLE_STRING,
            "end": NULLABLE_STRING,
            "orders": array(ref("Order")),
        },
        ["orders"],
    ),
    "Subscription": obj(
        {
            "id": ID,
            "subscription": ID,
            "active": BOOLEAN,
            "state": {"enum": ["trial", "active", "overdue", "canceled", "deactivated", "paused"]},
            "account": {"anyOf": [STRING, {"type": "object"}]},
            "product": {"anyOf": [STRING, {"type": "object"}]},
            "quantity": INTEGER,
            "adhoc": BOOLEAN,
            "autoRenew": BOOLEAN,
            "sequence": INTEGER,
            "periods": {"type": ["integer", "null"]},
            "currency": STRING,
            **money("price"),
            **money("subtotal"),
            **dates("next"),
            **dates("end"),
            **dates("begin", nullable=False),
            **dates("canceledDate"),
            **dates("deactivationDate"),
            **RECORD,
        },
        ["id", "subscription", "active", "state", "account", "product", "sequence"],
    ),
    "SubscriptionList": obj(
        {
            **RECORD,
            **PAGING,
            "subscriptions": {"type": "array", "items": {"anyOf": [ID, ref("Subscription")]}},
        },
        ["subscriptions"],
    ),
    "SubscriptionRecords": obj(
        {
            "subscriptions": array(
                obj({"subscription": {"type": ["string", "null"]}, **RECORD}, ["result"])
            )
        },
        ["subscriptions"],
    ),
    "SubscriptionsBody": obj(
        {
            "subscriptions": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "subscription": STRING,
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                        "next": {"type": "string", "pattern": "^20[3-9][0-9]-0[1-9]-1[0-9]$"},
                        "end": {"type": "integer", "enum": [0]},
                        "manualRenew": BOOLEAN,
                        "deactivation": {"type": "null"},
                    },
                    ["subscription"],
                ),
            }
        },
        ["subscriptions"],
    ),
    "Entries": array(
        obj(
            {
                "beginPeriodDate": {"type": "string", "format": "date"},
                "endPeriodDate": {"type": ["string", "null"], "format": "date"},
                "order": ref("Order"),
            },
            ["order"],
        )
    ),
    "Session": obj(
        {
            "id": STRING,
            "currency": STRING,
            "expires": INTEGER,
            "order": NULLABLE_STRING,
            "account": STRING,
            "subtotal": NUMBER,
            "items": array(obj({"product": STRING, "quantity": INTEGER})),
        },
        ["id", "account", "items"],
    ),
    "Returns": obj(
        {"returns": array(obj({"return": STRING, "reference": STRING, **RECORD}, ["result"]))},
        ["returns"],
    ),
    "Event": obj(
        {
            "id": STRING,
            "live": BOOLEAN,
            "processed": BOOLEAN,
            "type": STRING,
            "created": INTEGER,
            "data": {},
        },
        ["id", "type", "created", "data"],
    ),
    "Events": obj(
        {**RECORD, **PAGING, "events": array(ref("Event")), "more": BOOLEAN}, ["events", "more"]
    ),
    "Any": {"type": "object", "additionalProperties": True},
    "SubscriptionOrMany": {
        "anyOf": [
            ref("Subscription"),
            obj(
                {
                    "subscriptions": array(
                        {
                            "anyOf": [
                                ref("Subscription"),
                                obj({"result": {"const": "error"}}, ["result"]),
                            ]
                        }
                    )
                },
                ["subscriptions"],
            ),
        ]
    },
    "OrderOrMany": {"anyOf": [ref("Order"), ref("Orders")]},
    "Plan": obj(
        {
            "product": STRING,
            "display": STRING,
            "billingFrequency": STRING,
            "price": NUMBER,
            "quantity": INTEGER,
            "total": NUMBER,
            "addons": array({"type": "object"}),
        },
        ["product", "quantity", "total"],
    ),
    "Estimate": obj(
        {
            "subscription": STRING,
            "currency": STRING,
            "timezone": STRING,
            "periodStartDate": INTEGER,
            "periodEndDate": INTEGER,
            "currentPlan": ref("Plan"),
            "proposedPlan": ref("Plan"),
            "amountDue": obj(
                {
                    "prorationSubtotal": NUMBER,
                    "totalAmountDue": NUMBER,
                    "nextChargeDate": INTEGER,
                    "nextChargeAmount": NUMBER,
                },
                ["totalAmountDue", "nextChargeDate"],
            ),
        },
        ["subscription", "currentPlan", "proposedPlan", "amountDue"],
    ),
    "History": obj(
        {
            "subscription": STRING,
            "history": array(
                obj(
                    {
                        "type": {"enum": ["base_plan", "add_on"]},
                        "product": STRING,
                        "quantity": INTEGER,
                        "price": NUMBER,
                        **dates("changed", nullable=False),
                    },
                    ["type", "product"],
                )
            ),
            **RECORD,
        },
        ["subscription", "history"],
    ),
    "EventMarked": obj({"event": STRING, "processed": BOOLEAN, **RECORD}, ["event", "processed"]),
    "KeyRotated": obj({"url": STRING, "result": {"const": "success"}}, ["url", "result"]),
    "PauseBody": {
        "anyOf": [
            obj(
                {"pausePeriodCount": {"type": "integer", "minimum": 1, "maximum": 12}},
                ["pausePeriodCount"],
            ),
            {
                "type": "array",
                "minItems": 1,
                "maxItems": 1,
                "items": obj(
                    {"pausePeriodCount": {"type": "integer", "minimum": 1, "maximum": 12}},
                    ["pausePeriodCount"],
                ),
            },
        ]
    },
    "EstimateBody": obj(
        {
            "subscription": STRING,
            "product": STRING,
            "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        ["subscription"],
    ),
    "ReturnsBody": obj(
        {
            "returns": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "order": STRING,
                        "reason": {
                            "enum": [
                                "DUPLICATE_ORDER",
                                "PRODUCT_NOT_RECEIVED",
                                "CUSTOMER_SATISFACTION_GUARANTEE",
                                "OTHER",
                            ]
                        },
                        "note": {"type": "string", "maxLength": 200},
                        "items": {
                            "type": "array",
                            "minItems": 1,
                            "items": obj(
                                {"product": STRING, "quantity": {"type": "integer", "minimum": 1}},
                                ["product"],
                            ),
                        },
                    },
                    ["order"],
                ),
            }
        },
        ["returns"],
    ),
    "SessionBody": obj(
        {
            "account": STRING,
            "currency": {"enum": ["USD", "EUR"]},
            "items": {
                "type": "array",
                "minItems": 1,
                "items": obj(
                    {
                        "product": STRING,
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    ["product"],
                ),
            },
        },
        ["account", "items"],
    ),
    "OrdersBody": {
        "anyOf": [
            obj(
                {
                    "orders": {
                        "type": "array",
                        "minItems": 1,
                        "items": obj(
                            {
                                "order": STRING,
                                "tags": {"type": "object", "additionalProperties": STRING},
                                "items": array(
                                    obj(
                                        {
                                            "product": STRING,
                                            "attributes": {
                                                "type": "object",
                                                "additionalProperties": STRING,
                                            },
                                        },
                                        ["product"],
                                    )
                                ),
                            },
                            ["order"],
                        ),
                    }
                },
                ["orders"],
            ),
            ref("SessionBody"),
        ]
    },
    "SubscriptionUpdateBody": {
        "anyOf": [
            ref("SubscriptionsBody"),
            obj(
                {
                    "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                    "manualRenew": BOOLEAN,
                    "deactivation": {"type": "null"},
                }
            ),
        ]
    },
    "EventMarkBody": obj({"processed": BOOLEAN}, ["processed"]),
    "KeyBody": obj(
        {"url": STRING, "hmacSecret": {"type": "string", "minLength": 1, "maxLength": 100}},
        ["url", "hmacSecret"],
    ),
}


def _params(*names: str, kind: str = "query") -> list[Schema]:
    return [{"name": n, "in": kind, "required": kind == "path", "schema": STRING} for n in names]


def query(name: str, schema: Schema) -> Schema:
    """An optional query parameter with its own schema."""
    return {"name": name, "in": "query", "required": False, "schema": schema}


def whole(minimum: int, maximum: int = 10**12 - 1) -> Schema:
    """A whole number in a range, as the control plane's counts and sequence numbers."""
    return {"type": "integer", "minimum": minimum, "maximum": maximum}


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10**8}},
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10**8}},
]


def op(
    summary: str,
    ok: str | None,
    *,
    tag: str = "FastSpring API",
    params: list[Schema] | None = None,
    body: str | None = None,
    ok_status: str = "200",
    errors: tuple[str, ...] = ("400",),
    links: dict[str, Any] | None = None,
    error_schema: str = "Error",
    batch: bool = False,
) -> Schema:
    """One operation. Every operation can answer 401 (credentials) and, with a body,
    413; FastSpring errors are 400 in the resource's error shape. A batch answers 400
    in its plural record shape when every item failed (`batch`). Any operation answers
    a request the HTTP parser cannot read with a 400 in the `Error` shape."""
    responses: dict[str, Any] = {}
    if ok is not None:
        responses[ok_status] = {
            "description": "success",
            "content": {"application/json": {"schema": ref(ok)}},
        }
        if links:
            responses[ok_status]["links"] = links
    for status in dict.fromkeys(("400", *errors, "401") + (("413",) if body else ())):
        names = error_schema.split("|") if status != "401" else ["Error"]
        if status == "400" and "Error" not in names:
            names = [*names, "Error"]  # an unreadable request (see the docstring)
        if status == "400" and "400" not in errors:
            names = ["Error"]
        schema = ref(names[0]) if len(names) == 1 else {"anyOf": [ref(n) for n in names]}
        if status == "400" and batch and ok is not None:
            schema = {"anyOf": [schema, ref(ok)]}
        if status == "408":
            schema = ref("Any")
        responses[status] = {
            "description": "error",
            "content": {"application/json": {"schema": schema}},
        }
    operation: Schema = {"summary": summary, "tags": [tag], "responses": responses}
    if params:
        operation["parameters"] = params
    if body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": ref(body)}},
        }
    return operation


def _link(operation: str, parameter: str, expression: str) -> Schema:
    return {"operationId": operation, "parameters": {parameter: expression}}


ID_PATH = _params("id", kind="path")
# The Events API's window: `begin`/`end` in epoch milliseconds, or the last `days`
# (at most the 30 days the log keeps; one of `begin` or `days` is required).
EVENT_RANGE: list[Schema] = [
    {"name": "begin", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "end", "in": "query", "schema": {"type": "integer", "minimum": 0}},
    {"name": "days", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 30}},
]
CONTROL = "control plane"


def _paths() -> dict[str, Any]:
    from emulator import contract_groups  # it builds on the helpers above

    account_links = {
        "GetAccount": _link("getAccount", "id", "$response.body#/account"),
        "UpdateAccount": _link("updateAccount", "id", "$response.body#/account"),
        "Authenticate": _link("authenticateAccounts", "ids", "$response.body#/account"),
    }
    order_links = {
        "GetOrder": _link("getOrders", "ids", "$response.body#/id"),
        "GetSubscription": _link("getSubscriptions", "id", "$response.body#/items/0/subscription"),
    }
    paths: dict[str, Any] = {
        "/accounts": {
            "get": op(
                "List account ids, or look one up",
                "AccountList",
                params=_params(*LOOKUP_FILTERS) + PAGE_PARAMS,
            ),
            "post": op(
                "Create an account", "AccountWritten", body="AccountBody", links=account_links
            ),
        },
        "/accounts/{id}": {
            "get": op("Get an account", "Account", params=ID_PATH),
            "post": op("Update an account", "AccountWritten", params=ID_PATH, body="AccountBody"),
        },
        "/accounts/{ids}/authenticate": {
            "get": op(
                "Portal URLs", "Authenticated", params=_params("ids", kind="path"), batch=True
            )
        },
        "/products": {
            "get": op("List product paths", "ProductList"),
            "post": op(
                "Create or update products", "ProductRecords", body="ProductsBody", batch=True
            ),
        },
        "/products/{paths}": {
            "get": op(
                "Get products", "ProductRecords", params=_params("paths", kind="path"), batch=True
            ),
            "delete": op(
                "Delete products",
                "ProductRecords",
                params=_params("paths", kind="path"),
                batch=True,
            ),
        },
        "/subscriptions": {
            "get": op(
                "List or search subscriptions",
                "SubscriptionList",
                params=_params("accountId", "status", "scope", "products", "event", "begin", "end")
                + PAGE_PARAMS,
            ),
            "post": op(
                "Update subscriptions", "SubscriptionRecords", body="SubscriptionsBody", batch=True
            ),
        },
        "/subscriptions/charge": {
            "post": op(
                "Charge managed subscriptions",
                "SubscriptionRecords",
                body="SubscriptionsBody",
                batch=True,
            )
        },
        "/subscriptions/estimate": {
            "post": op("Estimate a plan change", "Estimate", body="EstimateBody")
        },
        "/subscriptions/{id}": {
            "get": op(
                "Get one or several subscriptions",
                "SubscriptionOrMany",
                params=ID_PATH,
                error_schema="Error|SubscriptionRecords",
            ),
            "post": op(
                "Update a subscription",
                "SubscriptionRecords",
                params=ID_PATH,
                body="SubscriptionUpdateBody",
                batch=True,
            ),
            "delete": op(
                "Cancel subscriptions",
                "SubscriptionRecords",
                params=ID_PATH + _params("billingPeriod"),
                batch=True,
            ),
        },
        "/subscriptions/{id}/entries": {
            "get": op("Orders of a subscription, newest first", "Entries", params=ID_PATH)
        },
        "/subscriptions/{id}/pause": {
            "post": op("Schedule a pause", "Subscription", params=ID_PATH, body="PauseBody")
        },
        "/subscriptions/{id}/resume": {"post": op("Resume", "Subscription", params=ID_PATH)},
        "/subscriptions/{id}/convert": {
            "post": op("Convert an expired trial", "Session", params=ID_PATH)
        },
        "/subscriptions/{id}/history": {
            "get": op(
                "Plan history",
                "History",
                params=[
                    *ID_PATH,
                    query("scope", {"enum": ["base_plan", "add_on"]}),
                    query("order", {"enum": ["increasing", "decreasing"]}),
                ],
            )
        },
        "/orders": {
            "get": op(
                "Search orders",
                "OrderLookup",
                params=_params(
                    "begin", "end", "days", "products", "status", "scope", "rebill", "returns"
                )
                + PAGE_PARAMS,
            ),
            "post": op(
                "Update orders, or create and charge one",
                "OrderOrMany",
                body="OrdersBody",
                error_schema="Error|Orders",
            ),
        },
        "/orders/{ids}": {
            "get": op(
                "Get one (bare) or several orders",
                "OrderOrMany",
                params=_params("ids", kind="path"),
                error_schema="Orders",
            )
        },
        "/returns": {"post": op("Refund orders", "Returns", body="ReturnsBody", batch=True)},
        "/returns/{id}": {"get": op("Get returns", "Returns", params=ID_PATH, batch=True)},
        "/sessions": {
            "post": op(
                "Create a checkout session",
                "Session",
                body="SessionBody",
                error_schema="SessionError",
            )
        },
        "/events/unprocessed": {"get": op("Unprocessed events", "Events", params=EVENT_RANGE)},
        "/events/processed": {"get": op("Processed events", "Events", params=EVENT_RANGE)},
        "/events/{id}": {
            "post": op("Mark an event", "EventMarked", params=ID_PATH, body="EventMarkBody")
        },
        "/webhooks/keys": {"post": op("Rotate a webhook secret", "KeyRotated", body="KeyBody")},
    }
    control = {
        "/_emulator/reset": {"post": op("Empty the store", "Any", errors=())},
        "/_emulator/requests": {
            "get": op(
                "The request journal",
                "Any",
                params=[query("limit", whole(0)), query("since", whole(0))],
            )
        },
        "/_emulator/clock": {"get": op("The store's clock", "Any", errors=())},
        "/_emulator/clock/advance": {
            "post": op("Advance the clock", "Any", body="ClockAdvanceBody")
        },
        "/_emulator/clock/freeze": {"post": op("Freeze the clock", "Any", errors=())},
        "/_emulator/clock/unfreeze": {"post": op("Unfreeze the clock", "Any", errors=())},
        "/_emulator/events": {
            "get": op(
                "The event log",
                "Any",
                params=[*_params("type"), query("page", whole(0)), query("limit", whole(0))],
            )
        },
        "/_emulator/orders": {
            "post": op("Complete a checkout", "Order", body="CheckoutBody", links=order_links)
        },
        "/_emulator/sessions/{id}/complete": {
            "post": op("Complete a session", "Order", params=ID_PATH)
        },
        "/_emulator/accounts/{id}/payment": {
            "post": op("Set the payment behaviour", "Any", params=ID_PATH, body="PaymentBody")
        },
        "/_emulator/fixtures": {"post": op("Load a fixture document", "Any", body="Any")},
        "/_emulator/snapshot": {
            "get": op("Export the store", "Any", errors=()),
            "post": op("Restore the store", "Any", body="Any"),
        },
        "/_emulator/webhooks": {
            "get": op("Webhooks", "Any", errors=()),
            "post": op("Add a webhook", "Any", body="WebhookBody"),
        },
        "/_emulator/webhooks/{id}": {"delete": op("Remove a webhook", "Any", params=ID_PATH)},
        "/_emulator/webhooks/deliveries": {
            "get": op(
                "Delivery attempts",
                "Any",
                params=[*_params("webhook", "event"), query("limit", whole(1, 10000))],
            )
        },
        "/_emulator/webhooks/deliveries/{id}/redeliver": {
            "post": op("Redeliver", "Any", params=ID_PATH)
        },
        "/_emulator/webhooks/wait": {
            "post": op(
                "Wait for acknowledged events", "Any", body="WaitBody", errors=("400", "408")
            )
        },
        "/_emulator/faults": {
            "get": op("Fault rules", "Any", errors=()),
            "post": op("Add a fault rule", "Any", body="Any"),
            "delete": op("Remove every rule", "Any", errors=()),
        },
        "/_emulator/faults/{id}": {"delete": op("Remove a rule", "Any", params=ID_PATH)},
        "/_emulator/rate-limit": {
            "get": op("The rate limit", "Any", errors=()),
            "put": op("Set the rate limit", "Any", body="Any"),
            "delete": op("Remove the rate limit", "Any", errors=()),
        },
    }
    paths.update(contract_groups.paths())
    control.update(contract_groups.control_paths())
    for item in control.values():
        for operation in item.values():
            operation["tags"] = [CONTROL]
    paths.update(control)
    paths.update(contract_dashboard.dashboard_paths())
    names = {
        ("/accounts/{id}", "get"): "getAccount",
        ("/accounts/{id}", "post"): "updateAccount",
        ("/accounts/{ids}/authenticate", "get"): "authenticateAccounts",
        ("/orders/{ids}", "get"): "getOrders",
        ("/subscriptions/{id}", "get"): "getSubscriptions",
    }
    for path, item in paths.items():
        for method, operation in item.items():
            operation["operationId"] = names.get((path, method)) or (
                method
                + "".join(part.strip("{}").title() for part in path.split("/") if part)
                .replace("_", "")
                .replace("-", "")
            )
    for (path, method), links in contract_groups.links().items():
        responses = paths[path][method]["responses"]
        success = next(status for status in responses if status.startswith("2"))
        responses[success]["links"] = links
    return paths


def openapi() -> dict[str, Any]:
    from emulator import contract_control, contract_groups

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "fastspring-emulator",
            "version": __version__,
            "description": "FastSpring's REST API as the emulator serves it, and the "
            "emulator's control plane (tag 'control plane').",
        },
        "servers": [{"url": "http://127.0.0.1:8282"}],
        "security": [{"basic": []}],
        "tags": [
            {"name": "FastSpring API"},
            {"name": CONTROL},
            {"name": contract_dashboard.DASHBOARD},
        ],
        "paths": _paths(),
        "components": {
            "schemas": {**SCHEMAS, **contract_groups.SCHEMAS, **contract_control.SCHEMAS},
            "securitySchemes": {"basic": {"type": "http", "scheme": "basic"}},
        },
    }


def main() -> None:
    sys.stdout.buffer.write(
        orjson.dumps(openapi(), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
    )


if __name__ == "__main__":
    main()
