"""The contract of the newer API groups: coupons, product prices and offers, quotes.

Kept apart from `contract.py` to keep both readable; `contract.openapi()` merges
these schemas and paths into the one served document.
"""

from __future__ import annotations

from typing import Any

from emulator.contract import (
    BOOLEAN,
    ID_PATH,
    INTEGER,
    NULLABLE_STRING,
    NUMBER,
    STRING,
    Schema,
    _params,
    array,
    obj,
    op,
    ref,
)

CODE = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"}
AMOUNTS = {
    "type": "object",
    "minProperties": 1,
    "propertyNames": {"enum": ["USD", "EUR"]},
    "additionalProperties": {"type": "number", "minimum": 1, "maximum": 1000},
}
PERCENT_DISCOUNT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "percent"],
    "properties": {
        "type": {"const": "percent"},
        "percent": {"type": "number", "minimum": 1, "maximum": 100},
    },
}
FLAT_DISCOUNT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["type", "amount"],
    "properties": {"type": {"const": "flat"}, "amount": AMOUNTS},
}


def closed(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    """An object that refuses unknown keys, as the Jackson-based services do."""
    return {**obj(properties, required), "additionalProperties": False}


def strings(items: Schema = STRING) -> Schema:
    return {"type": "array", "items": items}


SCHEMAS: dict[str, Schema] = {
    # --- coupons ---
    "CouponBody": closed(
        {
            "coupon": CODE,
            "discount": {"anyOf": [PERCENT_DISCOUNT, FLAT_DISCOUNT]},
            "discountPeriodCount": {"type": "integer", "minimum": 0, "maximum": 365},
            "applyDiscountImmediately": BOOLEAN,
            "combine": BOOLEAN,
            "reason": {"type": "object", "additionalProperties": STRING},
            "limit": {"anyOf": [{"type": "integer", "minimum": 0, "maximum": 1000}, {"const": ""}]},
            "available": closed(
                {
                    "start": {"type": "string", "format": "date"},
                    "end": {"type": "string", "format": "date"},
                }
            ),
            "codes": {"type": "array", "maxItems": 20, "items": CODE},
            "products": strings(),
        },
        ["coupon", "discount"],
    ),
    "CodesBody": closed({"codes": {"type": "array", "maxItems": 20, "items": CODE}}, ["codes"]),
    "CouponRecord": obj(
        {
            "coupon": NULLABLE_STRING,
            "action": STRING,
            "result": {"enum": ["success", "error"]},
            "error": STRING,
        },
        ["result"],
    ),
    "Coupon": obj(
        {
            "coupon": STRING,
            "discount": obj(
                {
                    "hasMultipleDiscounts": BOOLEAN,
                    "discounts": array({"type": "object"}),
                    "type": {"enum": ["percent", "flat"]},
                },
                ["hasMultipleDiscounts", "discounts"],
            ),
            "discountPeriodCount": {"type": ["integer", "null"]},
            "combine": BOOLEAN,
            "reason": {"type": "object"},
            "limit": STRING,
            "available": {"type": "object"},
            "codes": strings(),
            "products": array({"anyOf": [STRING, {"type": "object"}]}),
        },
        ["coupon", "discount", "combine", "limit", "codes", "products"],
    ),
    "CouponAnswer": {
        "anyOf": [
            ref("Coupon"),
            ref("CouponRecord"),
            obj({"coupons": array({"anyOf": [ref("Coupon"), ref("CouponRecord")]})}, ["coupons"]),
        ]
    },
    "CouponIds": obj({"coupons": strings()}, ["coupons"]),
    "CouponCodes": {
        "anyOf": [
            obj({"coupon": STRING, "codes": strings()}, ["coupon", "codes"]),
            ref("CouponRecord"),
        ]
    },
    "CodesAdded": {
        "anyOf": [
            obj(
                {"coupon": STRING, "codes": strings(), "result": {"const": "success"}},
                ["coupon", "codes"],
            ),
            ref("CouponRecord"),
        ]
    },
    "CodesDeleted": {
        "anyOf": [
            obj(
                {
                    "coupon": STRING,
                    "codes deleted": strings(),
                    "action": STRING,
                    "result": {"const": "success"},
                },
                ["coupon", "codes deleted"],
            ),
            ref("CouponRecord"),
        ]
    },
    # --- product prices and offers ---
    "CountryPrice": obj(
        {
            "currency": STRING,
            "price": NUMBER,
            "display": STRING,
            "quantityDiscount": {"type": ["object", "null"]},
            "discountReason": {"type": ["object", "null"]},
            "discountPeriodCount": {"type": ["integer", "null"]},
            "available": {"type": ["object", "null"]},
            "setupFeePrice": {"type": ["number", "null"]},
            "setupFeePriceDisplay": NULLABLE_STRING,
            "setupFeeReason": {"type": ["object", "null"]},
        },
        ["currency", "price", "display", "quantityDiscount"],
    ),
    "ProductPrices": obj(
        {
            "page": INTEGER,
            "limit": INTEGER,
            "nextPage": {"type": ["integer", "null"]},
            "products": array(
                obj(
                    {
                        "action": STRING,
                        "result": {"enum": ["success", "error"]},
                        "product": STRING,
                        "error": {"type": "object"},
                        "pricing": {"type": "object", "additionalProperties": ref("CountryPrice")},
                    },
                    ["action", "result", "product"],
                )
            ),
        },
        ["products"],
    ),
    "Offer": obj(
        {
            "type": {
                "enum": [
                    "addon",
                    "cross-sell",
                    "upsell",
                    "downsell",
                    "downgrade",
                    "crossgrade",
                    "upgrade",
                    "alternatives",
                ]
            },
            "display": {"type": "object", "additionalProperties": STRING},
            "items": strings(),
        },
        ["type", "items"],
    ),
    "ProductOffers": obj(
        {
            "products": array(
                obj(
                    {
                        "action": STRING,
                        "result": {"enum": ["success", "error"]},
                        "product": STRING,
                        "offers": array(ref("Offer")),
                    },
                    ["action", "result", "product"],
                )
            )
        },
        ["products"],
    ),
    "OffersBody": obj(
        {
            "products": obj(
                {
                    "product": STRING,
                    "offers": {
                        "type": "array",
                        "maxItems": 3,
                        "items": closed(
                            {
                                "type": {"enum": ["upsell", "cross-sell", "upgrade"]},
                                "display": {"type": "object", "additionalProperties": STRING},
                                "items": {"type": "array", "maxItems": 0},
                            },
                            ["type"],
                        ),
                    },
                },
                ["product", "offers"],
            )
        },
        ["products"],
    ),
    "OffersWritten": obj(
        {
            "products": {
                "anyOf": [
                    obj(
                        {"product": STRING, "action": STRING, "result": {"const": "success"}},
                        ["product", "action", "result"],
                    ),
                    array(
                        obj(
                            {"product": STRING, "action": STRING, "result": {"const": "success"}},
                            ["product", "action", "result"],
                        )
                    ),
                ]
            }
        },
        ["products"],
    ),
    "OffersError": {
        "anyOf": [
            ref("ProductOffers"),
            ref("Error"),
            obj(
                {
                    "product": STRING,
                    "action": STRING,
                    "result": {"const": "error"},
                    "error": {"type": "object"},
                },
                ["result", "error"],
            ),
        ]
    },
    "ExchangeRates": obj({"rates": {"type": "object", "additionalProperties": NUMBER}}, ["rates"]),
    "ExchangeRatesBody": closed(
        {
            "rates": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": {"enum": ["EUR", "GBP", "JPY"]},
                "additionalProperties": {"type": "number", "minimum": 0.01, "maximum": 1000},
            }
        },
        ["rates"],
    ),
    # --- quotes ---
    "SpringError": obj(
        {
            "status": STRING,
            "timestamp": STRING,
            "id": STRING,
            "message": STRING,
            "details": {"type": "null"},
            "errors": array(
                obj({"errorCode": STRING, "field": STRING, "message": STRING, "rejectedValue": {}})
            ),
        },
        ["status", "timestamp", "id", "message", "errors"],
    ),
    "QuoteBody": obj(
        {
            "name": {"type": "string", "minLength": 1, "maxLength": 60},
            "items": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": obj(
                    {
                        "product": {"type": "string", "maxLength": 255},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                        "unitListPrice": {"type": "number", "minimum": 0, "maximum": 10000},
                    },
                    ["product"],
                ),
            },
            "recipient": obj(
                {
                    "first": {"type": "string", "minLength": 1, "maxLength": 40},
                    "last": {"type": "string", "minLength": 1, "maxLength": 40},
                    "email": {"type": "string", "format": "email"},
                    "company": STRING,
                    "phone": STRING,
                },
                ["first", "last", "email"],
            ),
            "recipientAddress": obj(
                {
                    "country": {"enum": ["US", "DE", "GB"]},
                    "postalCode": STRING,
                    "addressLine1": STRING,
                    "city": STRING,
                    "region": STRING,
                },
                ["country", "postalCode"],
            ),
            "currency": {"enum": ["USD", "EUR"]},
            "expirationDateDays": {"type": "integer", "minimum": 1, "maximum": 90},
            "fulfillmentTerm": {"enum": ["ON_PAYMENT", "ON_QUOTE_ACCEPTANCE"]},
            "netTermsDays": {"type": "integer", "minimum": 0, "maximum": 90},
            "notes": {"type": "string", "maxLength": 200},
            "tags": array(closed({"key": STRING, "value": STRING}, ["key", "value"])),
            "taxId": {"type": "string", "maxLength": 40},
        },
        ["items", "name", "recipient", "recipientAddress"],
    ),
    "QuoteUpdateBody": {
        "anyOf": [
            ref("QuoteBody"),
            closed({"updateQuoteRequest": ref("QuoteBody")}, ["updateQuoteRequest"]),
        ]
    },
    "Quote": obj(
        {
            "id": {"type": "string", "pattern": "^QU[A-Z2-7]{26}$"},
            "name": STRING,
            "status": {"enum": ["OPEN", "AWAITING_PAYMENT", "COMPLETED", "CANCELED", "EXPIRED"]},
            "created": STRING,
            "updated": STRING,
            "expires": STRING,
            "currency": STRING,
            "items": array({"type": "object"}),
            "recipient": {"type": "object"},
            "recipientAddress": {"type": "object"},
            "statusHistory": array(obj({"statusUpdatedTo": STRING, "statusUpdatedOn": STRING})),
            "total": NUMBER,
            "subtotal": NUMBER,
            "discount": NUMBER,
            "tags": array({"type": "object"}),
            "quoteUrl": STRING,
            "orderReference": NULLABLE_STRING,
            "invoiceId": NULLABLE_STRING,
        },
        ["id", "name", "status", "created", "expires", "items", "statusHistory", "total"],
    ),
    "QuoteList": obj(
        {
            "_embedded": obj(
                {"quotes": array({"anyOf": [ref("Quote"), obj({"id": STRING}, ["id"])]})},
                ["quotes"],
            )
        },
        ["_embedded"],
    ),
    "QuotePaid": obj({"quote": ref("Quote"), "order": {"type": "object"}}, ["quote"]),
    # --- checkout sessions v2 ---
    "CheckoutSessionBody": obj(
        {
            "locale": {"enum": ["en", "de", "fr"]},
            "country": {"enum": ["US", "DE", "GB"]},
            "customer": obj(
                {
                    "billToContact": obj(
                        {
                            "email": {"type": "string", "format": "email"},
                            "firstName": {"type": "string", "maxLength": 40},
                            "lastName": {"type": "string", "maxLength": 40},
                        },
                        ["email"],
                    )
                }
            ),
            "cart": obj(
                {
                    "couponCode": {"type": "string", "maxLength": 20},
                    "lineItems": {"type": "array", "maxItems": 3, "items": ref("LineItemBody")},
                }
            ),
            "orderTags": {"type": "object", "additionalProperties": STRING},
        }
    ),
    "LineItemBody": obj(
        {
            "productPath": {"type": "string", "maxLength": 40},
            "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
        },
        ["productPath"],
    ),
    "CustomerBody": obj(
        {
            "billToContact": obj(
                {
                    "email": {"type": "string", "format": "email"},
                    "firstName": {"type": "string", "maxLength": 40},
                    "lastName": {"type": "string", "maxLength": 40},
                },
                ["email"],
            )
        }
    ),
    "LineItem": obj(
        {
            "productPath": STRING,
            "quantity": INTEGER,
            "price": obj(
                {"unitNetPrice": NUMBER, "unitListPrice": NUMBER, "extendedNetTotal": NUMBER}
            ),
            "productType": {"enum": ["ONE_TIME", "SUBSCRIPTION_PLAN"]},
        },
        ["productPath", "quantity", "price", "productType"],
    ),
    "CheckoutSession": obj(
        {
            "id": STRING,
            "created": STRING,
            "expires": STRING,
            "status": {
                "enum": ["OPEN", "EXPIRED", "CANCELLED", "PENDING_ORDER", "COMPLETED", "FAILED"]
            },
            "locale": STRING,
            "country": STRING,
            "currency": STRING,
            "live": BOOLEAN,
            "customer": {"type": "object"},
            "cart": obj(
                {
                    "lineItems": array(ref("LineItem")),
                    "netTotal": NUMBER,
                    "couponHasApplied": BOOLEAN,
                },
                ["lineItems", "netTotal"],
            ),
            "checkoutUrls": obj({"webcheckoutUrl": STRING}, ["webcheckoutUrl"]),
            "warnings": array(obj({"code": STRING, "field": STRING, "message": STRING})),
            "checkoutStatus": array(
                {"enum": ["PRODUCTS_REQUIRED", "READY_FOR_CHECKOUT", "CONCLUDED"]}
            ),
        },
        ["id", "status", "cart", "checkoutUrls", "warnings", "checkoutStatus"],
    ),
    "PaymentMethods": obj(
        {"paymentMethods": array(obj({"id": STRING}, ["id"]))}, ["paymentMethods"]
    ),
    # --- payment invoices ---
    "InvoiceBody": obj(
        {
            "currencyCode": {"enum": ["USD", "EUR"]},
            "contacts": {
                "type": "array",
                "minItems": 2,
                "maxItems": 2,
                "items": obj(
                    {
                        "contactType": {"enum": ["billTo", "deliverTo"]},
                        "contact": obj(
                            {
                                "email": {"type": "string", "format": "email"},
                                "firstName": {"type": "string", "maxLength": 30},
                                "lastName": {"type": "string", "maxLength": 30},
                            },
                            ["email"],
                        ),
                        "address": obj({"country": {"enum": ["US", "DE"]}, "postalCode": STRING}),
                    },
                    ["contactType", "contact"],
                ),
            },
            "invoiceItems": {
                "type": "array",
                "minItems": 1,
                "maxItems": 3,
                "items": obj(
                    {
                        "productPath": {"type": "string", "maxLength": 40},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                        "useCatalogPricing": BOOLEAN,
                    },
                    ["productPath"],
                ),
            },
            "paymentMethod": {"enum": ["CARD", "PAYPAL", "WIRE", "ACH"]},
            "mode": {"enum": ["TEST", "LIVE"]},
        },
        ["contacts", "invoiceItems"],
    ),
    "Invoice": obj(
        {
            "id": {"type": "string", "pattern": "^IN[A-Z2-7]{26}$"},
            "status": {"enum": ["OPEN", "PAID"]},
            "currencyCode": STRING,
            "total": NUMBER,
            "invoiceItems": array({"type": "object"}),
            "paymentInvoiceWebPayLink": STRING,
            "paymentInvoiceWebLink": STRING,
            "paymentInvoicePdfLink": STRING,
            "order": NULLABLE_STRING,
        },
        [
            "id",
            "status",
            "total",
            "paymentInvoiceWebPayLink",
            "paymentInvoiceWebLink",
            "paymentInvoicePdfLink",
        ],
    ),
    "InvoicePaid": obj(
        {"invoice": ref("Invoice"), "order": {"type": "object"}}, ["invoice", "order"]
    ),
    # --- reports ---
    "ReportBody": obj(
        {
            "filter": obj(
                {
                    "startDate": {"type": "string", "format": "date"},
                    "endDate": {"type": "string", "format": "date"},
                    "countryISO": array({"enum": ["US", "DE"]}),
                    "productPaths": array({"type": "string", "maxLength": 20}),
                },
                ["startDate", "endDate"],
            ),
            "reportColumns": {
                "type": "array",
                "maxItems": 4,
                "items": {
                    "enum": ["product_path", "country_iso", "transaction_date", "buyer_email"]
                },
            },
            "groupBy": {
                "type": "array",
                "maxItems": 2,
                "items": {"enum": ["product_path", "country_iso"]},
            },
            "pageCount": {"type": "integer", "minimum": 1, "maximum": 1000},
            "pageNumber": {"type": "integer", "minimum": 0, "maximum": 100},
            "async": BOOLEAN,
            "notificationEmails": array({"type": "string", "format": "email"}),
        },
        ["filter"],
    ),
    "ReportJob": obj(
        {
            "id": {"type": "string", "pattern": "^JOB[A-Z2-7]{26}$"},
            "name": {"enum": ["SubscriptionReport", "RevenueReport"]},
            "status": {"enum": ["PENDING", "PROCESSING", "COMPLETE", "FAILED"]},
            "created": STRING,
            "completeDate": STRING,
            "downloadUrl": STRING,
            "notificationEmails": strings(),
        },
        ["id", "name", "status"],
    ),
    "ReportAnswer": {
        "anyOf": [
            obj(
                {"report": array({"type": "object"}), "request": {"type": "object"}},
                ["report", "request"],
            ),
            ref("ReportJob"),
        ]
    },
    "ReportJobs": array(ref("ReportJob")),
    "UnsubscribeBody": obj({"email": {"type": "string", "format": "email"}}, ["email"]),
    "Unreadable": obj({"message": STRING, "params": array(STRING)}, ["message", "params"]),
}

# Request examples that name the products of the store the contract fuzzing runs
# against (tests/support/data/fuzz-store.yaml), so that its valid cases are accepted
# and reach the operations that need an existing quote, invoice or session.
_CONTACT = {"email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace"}
_REQUEST_EXAMPLES: dict[str, Schema] = {
    "QuoteBody": {
        "name": "Quote for the Analytical Engine team",
        "items": [{"product": "pro-monthly", "quantity": 3}],
        "recipient": {"first": "Ada", "last": "Lovelace", "email": "ada@example.com"},
        "recipientAddress": {"country": "GB", "postalCode": "CB1 1AA"},
    },
    "InvoiceBody": {
        "currencyCode": "USD",
        "contacts": [
            {"contactType": kind, "contact": _CONTACT, "address": {"country": "US"}}
            for kind in ("billTo", "deliverTo")
        ],
        "invoiceItems": [{"productPath": "ebook", "quantity": 2}],
    },
    "CheckoutSessionBody": {
        "country": "US",
        "customer": {"billToContact": _CONTACT},
        "cart": {"lineItems": [{"productPath": "ebook"}]},
    },
    "LineItemBody": {"productPath": "pro-monthly", "quantity": 1},
}
for _name, _example in _REQUEST_EXAMPLES.items():
    SCHEMAS[_name]["examples"] = [_example]


def _link_to(operation: str, **parameters: str) -> Schema:
    return {"operationId": operation, "parameters": parameters}


def links() -> dict[tuple[str, str], dict[str, Schema]]:
    """OpenAPI links from the operations that create a quote, an invoice or a v2
    session to those that use it, for the stateful phase of the contract fuzzing."""
    quote = {"id": "$response.body#/id"}
    invoice = {"id": "$response.body#/id"}
    session = {
        "store": "$request.path.store",
        "checkout": "$request.path.checkout",
        "id": "$response.body#/id",
    }
    v2 = "V2CheckoutsStoreCheckoutSessionsId"
    return {
        ("/quotes", "post"): {
            "GetQuote": _link_to("getQuotesId", **quote),
            "UpdateQuote": _link_to("putQuotesId", **quote),
            "CancelQuote": _link_to("postQuotesIdCancel", **quote),
            "DeleteQuote": _link_to("deleteQuotesId", **quote),
            "InvoiceQuote": _link_to("postEmulatorQuotesIdInvoice", **quote),
            "PayQuote": _link_to("postEmulatorQuotesIdPay", **quote),
        },
        ("/invoices/paymentInvoice", "post"): {
            "GetInvoice": _link_to("getInvoicesId", **invoice),
            "InvoicePage": _link_to("getEmulatorInvoicesIdWeb", **invoice),
            "InvoicePdf": _link_to("getEmulatorInvoicesIdPdf", **invoice),
            "PayPage": _link_to("getEmulatorInvoicesIdPay", **invoice),
            "PayInvoice": _link_to("postEmulatorInvoicesIdPay", **invoice),
        },
        (V2, "post"): {
            "GetSession": _link_to("get" + v2, **session),
            "OverwriteSession": _link_to("put" + v2, **session),
            "PaymentMethods": _link_to(f"get{v2}PaymentMethods", **session),
            "AddItem": _link_to(f"post{v2}CartItems", **session),
            "UpdateItem": _link_to(f"put{v2}CartItemsPath", **session, path="pro-monthly"),
            "RemoveItem": _link_to(f"delete{v2}CartItemsPath", **session, path="ebook"),
            "SetCustomer": _link_to(f"put{v2}Customer", **session),
        },
    }


def _by_id(summary: str, ok: str, body: str | None = None) -> Schema:
    """An operation on one record by id, answering FastSpring's newer error shape."""
    return op(
        summary,
        ok,
        params=ID_PATH,
        body=body,
        errors=("400", "404"),
        error_schema="SpringError",
    )


PLACE = [
    {"name": "country", "in": "query", "schema": {"enum": ["US", "DE", "GB", "JP"]}},
    {"name": "currency", "in": "query", "schema": {"enum": ["USD", "EUR", "GBP"]}},
]
PAGE = [
    {"name": n, "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
    for n in ("page", "limit")
]


V2 = "/v2/checkouts/{store}/{checkout}/sessions"
V2_PARAMS = _params("store", "checkout", kind="path")
V2_SESSION = V2_PARAMS + _params("id", kind="path")


def _v2(
    summary: str,
    ok: str | None,
    params: list[Schema],
    body: str | None = None,
    ok_status: str = "200",
    errors: tuple[str, ...] = ("400", "404"),
) -> Schema:
    operation = op(
        summary,
        ok,
        params=params,
        body=body,
        ok_status=ok_status,
        errors=errors,
        error_schema="SpringError",
    )
    if ok is None:
        operation["responses"][ok_status] = {"description": "success, no body"}
    return operation


def _v2_paths() -> dict[str, Any]:
    item_params = V2_SESSION + _params("path", kind="path")
    return {
        V2: {
            "post": _v2(
                "Create a checkout session",
                "CheckoutSession",
                V2_PARAMS,
                "CheckoutSessionBody",
                "201",
                ("400",),
            )
        },
        V2 + "/{id}": {
            "get": _v2("Get a checkout session", "CheckoutSession", V2_SESSION, errors=("404",)),
            "put": _v2(
                "Overwrite a checkout session", "CheckoutSession", V2_SESSION, "CheckoutSessionBody"
            ),
        },
        V2 + "/{id}/payment-methods": {
            "get": _v2("A session's payment methods", "PaymentMethods", V2_SESSION, errors=("404",))
        },
        V2 + "/{id}/cart/items": {
            "post": _v2("Add a cart item", "LineItem", V2_SESSION, "LineItemBody")
        },
        V2 + "/{id}/cart/items/{path}": {
            "put": _v2("Update cart items", "CheckoutSession", item_params, "LineItemBody"),
            "delete": _v2("Remove a cart item", None, item_params, ok_status="204"),
        },
        V2 + "/{id}/customer": {
            "put": _v2("Replace the customer", "CheckoutSession", V2_SESSION, "CustomerBody")
        },
    }


def _document(summary: str, media: str) -> Schema:
    """A page or file the emulator serves for a link (HTML or PDF)."""
    operation = op(summary, None, params=ID_PATH, errors=("404",), error_schema="SpringError")
    operation["responses"]["200"] = {
        "description": "success",
        "content": {media: {"schema": {"type": "string"}}},
    }
    return operation


def _text(
    summary: str, params: list[Schema] | None = None, errors: tuple[str, ...] = ("400",)
) -> Schema:
    """An operation answering text/plain (a CSV file, a message)."""
    operation = op(summary, None, params=params, errors=errors, error_schema="SpringError")
    operation["responses"]["200"] = {
        "description": "success",
        "content": {"text/plain": {"schema": {"type": "string"}}},
    }
    return operation


def _report_paths() -> dict[str, Any]:
    return {
        "/data/v1/subscription": {
            "post": op(
                "A subscription report",
                "ReportAnswer",
                body="ReportBody",
                error_schema="SpringError",
            )
        },
        "/data/v1/revenue": {
            "post": op(
                "A revenue report", "ReportAnswer", body="ReportBody", error_schema="SpringError"
            )
        },
        "/data/v1/jobs": {"get": op("Report jobs", "ReportJobs", errors=())},
        "/data/v1/jobs/{id}": {
            "get": op("A report job", "ReportJob", params=ID_PATH, error_schema="SpringError")
        },
        "/data/v1/downloads/{id}": {"get": _text("A report job's CSV", ID_PATH)},
        "/data/v1/util/cache": {"get": _text("Reset the report cache", errors=())},
    }


def paths() -> dict[str, Any]:
    return {
        **_v2_paths(),
        **_report_paths(),
        "/invoices/paymentInvoice": {
            "post": op(
                "Create a payment invoice",
                "Invoice",
                body="InvoiceBody",
                error_schema="SpringError",
            )
        },
        "/invoices/{id}": {
            "get": op(
                "Get a payment invoice",
                "Invoice",
                params=ID_PATH,
                errors=("404",),
                error_schema="SpringError",
            )
        },
        "/coupons": {
            "get": op("List coupon ids", "CouponIds", errors=()),
            "post": op(
                "Create or update a coupon",
                "CouponRecord",
                body="CouponBody",
                error_schema="Unreadable",
            ),
        },
        "/coupons/{id}": {
            "get": op("Get coupons", "CouponAnswer", params=ID_PATH + _params("expand"), errors=()),
            "post": op(
                "Add codes to a coupon",
                "CodesAdded",
                params=ID_PATH,
                body="CodesBody",
                error_schema="Unreadable",
            ),
            "delete": op("Delete a coupon", "CouponRecord", params=ID_PATH, errors=()),
        },
        "/products/price": {
            "get": op("Every product's localized prices", "ProductPrices", params=PLACE + PAGE)
        },
        "/products/price/{id}": {
            "get": op(
                "A product's localized prices",
                "ProductPrices",
                params=ID_PATH + PLACE,
                error_schema="ProductPrices|Error",
            )
        },
        "/products/offers/{path}": {
            "get": op(
                "A product's offers",
                "ProductOffers",
                params=_params("path", kind="path") + _params("type"),
                error_schema="ProductOffers|Error",
            ),
            "post": op(
                "Create or update a product's offers",
                "OffersWritten",
                params=_params("path", kind="path"),
                body="OffersBody",
                error_schema="OffersError",
            ),
        },
        "/quotes": {
            "get": op(
                "List quotes",
                "QuoteList",
                params=[
                    {
                        "name": "statuses",
                        "in": "query",
                        "schema": {
                            "type": "array",
                            "items": {
                                "enum": [
                                    "OPEN",
                                    "AWAITING_PAYMENT",
                                    "COMPLETED",
                                    "CANCELED",
                                    "EXPIRED",
                                ]
                            },
                        },
                        "style": "form",
                        "explode": True,
                    },
                    *[
                        {"name": n, "in": "query", "schema": {"type": "string", "format": "date"}}
                        for n in (
                            "createdBegin",
                            "createdEnd",
                            "expiresBegin",
                            "expiresEnd",
                            "expiredBefore",
                        )
                    ],
                    *_params("createdEmail", "searchParam"),
                    {"name": "onlyQuoteId", "in": "query", "schema": BOOLEAN},
                ],
                error_schema="SpringError",
            ),
            "post": op(
                "Create a quote",
                "Quote",
                body="QuoteBody",
                ok_status="201",
                error_schema="SpringError",
            ),
        },
        "/quotes/{id}": {
            "get": op(
                "Get a quote",
                "Quote",
                params=ID_PATH,
                errors=("404",),
                error_schema="SpringError",
            ),
            "put": _by_id("Update a quote", "Quote", body="QuoteUpdateBody"),
            "delete": _by_id("Delete a quote", "Quote"),
        },
        "/quotes/{id}/cancel": {"post": _by_id("Cancel a quote", "Quote")},
        "/coupons/{id}/codes": {
            "get": op("List a coupon's codes", "CouponCodes", params=ID_PATH, errors=()),
            "delete": op("Delete a coupon's codes", "CodesDeleted", params=ID_PATH, errors=()),
        },
    }


def control_paths() -> dict[str, Any]:
    return {
        "/_emulator/quotes/{id}/invoice": {
            "post": _by_id("Accept a quote and ask for an invoice", "QuotePaid")
        },
        "/_emulator/quotes/{id}/pay": {"post": _by_id("Pay a quote as the buyer", "QuotePaid")},
        "/_emulator/invoices/{id}/web": {"get": _document("An invoice's web page", "text/html")},
        "/_emulator/invoices/{id}/pdf": {"get": _document("An invoice's PDF", "application/pdf")},
        "/_emulator/invoices/{id}/pay": {
            "get": _document("An invoice's pay page", "text/html"),
            "post": _by_id("Pay an invoice as the buyer", "InvoicePaid"),
        },
        "/_emulator/data/jobs/{id}/fail": {
            "post": op("Fail a report job", "ReportJob", params=ID_PATH, error_schema="SpringError")
        },
        **{
            f"/_emulator/orders/{{id}}/{step}": {
                "post": op(
                    summary,
                    "Order" if step in ("complete", "approve", "cancel") else "Any",
                    params=ID_PATH,
                )
            }
            for step, summary in (
                ("complete", "Pay a pending order"),
                ("approve", "Approve a pending order"),
                ("cancel", "Cancel a pending order"),
                ("chargeback", "File a chargeback"),
                ("fulfillment-failure", "Fail an order's fulfillment"),
            )
        },
        "/_emulator/sessions/{id}/abandon": {
            "post": op("Abandon a session's cart", "Any", params=ID_PATH)
        },
        "/_emulator/mailing-list/unsubscribe": {
            "post": op("Unsubscribe from the mailing list", "Any", body="UnsubscribeBody")
        },
        "/_emulator/exchange-rates": {
            "get": op("Exchange rates", "ExchangeRates", errors=()),
            "put": op("Set exchange rates", "ExchangeRates", body="ExchangeRatesBody"),
        },
        "/_emulator/coupons": {
            "get": op("Coupons", "Any", errors=()),
            "post": op("Define a coupon", "Coupon", body="CouponBody"),
        },
    }
