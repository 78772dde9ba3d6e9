"""The columns of the reporting API (`/data/v1`), each computed from the store's records.

A revenue fact is one order item; a subscription fact is one subscription seen over
the report's date range. Every column is a function of its fact. Metric columns
are summed when rows are grouped (or counted as distinct buyers), and ratios are
worked out once a group is complete. Column names follow FastSpring's reporting
reference; what each value means where it is silent is in docs/fidelity.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.domain.accounts import Account
from emulator.domain.formats import DAY_MS, iso_date, round_money, utc
from emulator.domain.orders import Order, OrderItem, payout_rate
from emulator.domain.subscriptions import Subscription

SEGMENT_TAG = "fs_segmentation"
COUNTRY_NAMES = {
    "US": "United States",
    "PR": "Puerto Rico",
    "CA": "Canada",
    "MX": "Mexico",
    "BR": "Brazil",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "DE": "Germany",
    "FR": "France",
    "ES": "Spain",
    "IT": "Italy",
    "NL": "Netherlands",
    "BE": "Belgium",
    "AT": "Austria",
    "FI": "Finland",
    "PT": "Portugal",
    "CH": "Switzerland",
    "SE": "Sweden",
    "DK": "Denmark",
    "NO": "Norway",
    "PL": "Poland",
    "JP": "Japan",
    "KR": "South Korea",
    "CN": "China",
    "IN": "India",
    "AU": "Australia",
    "NZ": "New Zealand",
    "SG": "Singapore",
    "CO": "Colombia",
    "UY": "Uruguay",
    "VE": "Venezuela",
    "AR": "Argentina",
    "CL": "Chile",
}
MONTHS_PER = {"day": 1 / 30.4375, "week": 7 / 30.4375, "month": 1.0, "year": 12.0}


@dataclass(frozen=True, slots=True)
class Scope:
    """What every fact of one report shares: the store and the date range."""

    store_id: str
    store_name: str
    start: int
    end: int  # inclusive, the last millisecond of the end day
    now: int


@dataclass(frozen=True, slots=True)
class RevenueFact:
    scope: Scope
    order: Order
    item: OrderItem
    account: Account
    subscription: Subscription | None


@dataclass(frozen=True, slots=True)
class SubscriptionFact:
    scope: Scope
    sub: Subscription
    account: Account
    country: str | None
    segment: str | None


def segment_of(tags: dict[str, Any]) -> str | None:
    """The order's segment: its `FS_Segmentation` tag, whatever the key's case."""
    found = next((v for k, v in tags.items() if k.lower() == SEGMENT_TAG), None)
    return None if found is None else str(found)


def _day_parts(ms: int) -> dict[str, Any]:
    moment = utc(ms)
    return {
        "transaction_date": iso_date(ms),
        "transaction_day": moment.day,
        "transaction_month": moment.month,
        "transaction_year": moment.year,
        "transaction_time_utc": moment.strftime("%H:%M:%S"),
    }


# --- revenue -----------------------------------------------------------------------------


def _revenue_common(f: RevenueFact) -> dict[str, Any]:
    order, item, sub = f.order, f.item, f.subscription
    amount = round_money(item.subtotal - item.discount, order.currency)
    rate = payout_rate(order.currency)
    path = item.product.removesuffix(".setupFee")
    returned = any(r for r in order.returns)
    return {
        "buyer_id": f.account.id,
        "buyer_email": f.account.email,
        "chargeback_true_false": False,
        "company_id": f.scope.store_id,
        "company_name": f.scope.store_name,
        "country_iso": order.country,
        "countryiso": order.country,
        "country_name": COUNTRY_NAMES.get(order.country or "", order.country),
        "coupon": item.coupon,
        "discount": item.discount,
        "driving_offer_type": None,
        "driving_product_path": None,
        "end_date": iso_date(f.scope.end),
        "enddate": iso_date(f.scope.end),
        "start_date": iso_date(f.scope.start),
        "startdate": iso_date(f.scope.start),
        "syncdate": iso_date(f.scope.now),
        "item_id": f"{order.id}:{order.items.index(item)}",
        "order_id": order.id,
        "product_display_name": item.display,
        "product_id": path,
        "product_name": f"{item.display} ({path})",
        "product_path": path,
        "productpath": path,
        "purchase_type": "recurring" if order.rebill else "first",
        "return_true_false": returned,
        "segment": segment_of(order.tags),
        "store_id": f.scope.store_id,
        "store_name": f.scope.store_name,
        "subscription_period": None if sub is None else sub.interval_unit,
        "subscription_period_end": None,
        "subscription_period_start": None,
        "subscription_start_date": None if sub is None else iso_date(sub.begin),
        "subscription_status": None if sub is None else sub.state,
        "subscription_true_false": sub is not None,
        "transaction_currency": order.currency,
        "transaction_rate": rate,
        **_day_parts(order.created),
        # metrics
        "order_count": 1,
        "product_count": 1,
        "product_units": item.quantity,
        "transaction_item_count": item.quantity,
        "transaction_amount": amount,
        "transaction_amount_in_usd": round_money(amount * rate),
        "income": amount,
        "income_in_usd": round_money(amount * rate),
        "grand_total_in_usd": round_money(amount * rate),
        "tax": 0.0,
        "tax_in_usd": 0.0,
        "tax_fee": 0.0,
        "tax_fee_in_usd": 0.0,
        "fixed_fee": 0.0,
        "fixed_fee_in_usd": 0.0,
        "transaction_fee": 0.0,
        "transaction_fee_in_usd": 0.0,
        "return_fee": 0.0,
        "return_fee_in_usd": 0.0,
        "store_chargeback_fee": 0.0,
        "digital_fulfillment_fee": 0.0,
        "digital_fulfillment_fee_in_usd": 0.0,
        "digital_backup_fulfillment_fee": 0.0,
        "digital_backup_fulfillment_fee_in_usd": 0.0,
        "physical_backup_fulfillment_fee": 0.0,
        "physical_backup_fulfillment_fee_in_usd": 0.0,
    }


REVENUE_METRICS = frozenset(
    {
        "order_count",
        "product_count",
        "product_units",
        "transaction_item_count",
        "transaction_amount",
        "transaction_amount_in_usd",
        "income",
        "income_in_usd",
        "grand_total_in_usd",
        "tax",
        "tax_in_usd",
        "tax_fee",
        "tax_fee_in_usd",
        "fixed_fee",
        "fixed_fee_in_usd",
        "transaction_fee",
        "transaction_fee_in_usd",
        "return_fee",
        "return_fee_in_usd",
        "store_chargeback_fee",
        "digital_fulfillment_fee",
        "digital_fulfillment_fee_in_usd",
        "digital_backup_fulfillment_fee",
        "digital_backup_fulfillment_fee_in_usd",
        "physical_backup_fulfillment_fee",
        "physical_backup_fulfillment_fee_in_usd",
        "discount",
    }
)
REVENUE_COLUMNS = (
    frozenset(
        {
            "buyer_id",
            "buyer_email",
            "chargeback_true_false",
            "company_id",
            "company_name",
            "country_iso",
            "country_name",
            "countryiso",
            "coupon",
            "driving_offer_type",
            "driving_product_path",
            "end_date",
            "enddate",
            "item_id",
            "order_id",
            "product_display_name",
            "product_id",
            "product_name",
            "product_path",
            "productpath",
            "purchase_type",
            "return_true_false",
            "segment",
            "start_date",
            "startdate",
            "store_id",
            "store_name",
            "subscription_period",
            "subscription_period_end",
            "subscription_period_start",
            "subscription_start_date",
            "subscription_status",
            "subscription_true_false",
            "syncdate",
            "transaction_currency",
            "transaction_date",
            "transaction_day",
            "transaction_month",
            "transaction_rate",
            "transaction_time_utc",
            "transaction_year",
        }
    )
    | REVENUE_METRICS
)


def revenue_values(fact: RevenueFact) -> dict[str, Any]:
    return _revenue_common(fact)


# --- subscriptions -------------------------------------------------------------------


def ended_at(sub: Subscription) -> int | None:
    """When the subscription stops being active (None: not scheduled to)."""
    if sub.deactivation_date is not None:
        return sub.deactivation_date + DAY_MS
    if sub.state == "deactivated":
        return (sub.end + DAY_MS) if sub.end is not None else sub.changed
    return None


def active_at(sub: Subscription, at: int) -> bool:
    ends = ended_at(sub)
    return sub.begin <= at and (ends is None or at < ends)


def monthly(sub: Subscription) -> float:
    """The subscription's recurring amount per month."""
    if sub.adhoc or sub.interval_unit is None:
        return 0.0
    months = MONTHS_PER.get(sub.interval_unit, 1.0) * sub.interval_length
    return round_money(sub.net_amount / months) if months else 0.0


def subscription_values(fact: SubscriptionFact) -> dict[str, Any]:
    sub, scope = fact.sub, fact.scope
    start, end = scope.start, scope.end
    month_ago = end - 30 * DAY_MS
    now_active, then_active = active_at(sub, end), active_at(sub, month_ago)
    mrr_now = monthly(sub) if now_active else 0.0
    mrr_then = monthly(sub) if then_active else 0.0
    ends = ended_at(sub)
    began = start <= sub.begin <= end
    lost = ends is not None and start <= ends <= end + 1
    lost_month = ends is not None and month_ago < ends <= end + 1
    buyer = sub.account_id
    return {
        "buyer_email": fact.account.email,
        "buyer_id": buyer,
        "company_id": scope.store_id,
        "company_name": scope.store_name,
        "country_iso": fact.country,
        "country_name": COUNTRY_NAMES.get(fact.country or "", fact.country),
        "coupon": sub.coupon_code,
        "chargeback_true_false": False,
        "churn_type": "voluntary" if sub.canceled_date else ("involuntary" if lost else None),
        "discount": sub.discount,
        "driving_offer_type": None,
        "driving_product_path": None,
        "occurred_date": iso_date(end),
        "order_id": sub.initial_order_id,
        "item_id": f"{sub.initial_order_id}:0",
        "product_display_name": sub.display,
        "product_id": sub.product,
        "product_name": f"{sub.display} ({sub.product})",
        "product_path": sub.product,
        "purchase_type": "first",
        "return_true_false": False,
        "segment": fact.segment,
        "site_id": scope.store_id,
        "store_id": scope.store_id,
        "store_name": scope.store_name,
        "subscription_id": sub.id,
        "subscription_period": sub.interval_unit,
        "subscription_period_start": iso_date(sub.period_start),
        "subscription_period_end": None if sub.next is None else iso_date(sub.next - DAY_MS),
        "subscription_quantity": sub.quantity,
        "subscription_start_date": iso_date(sub.begin),
        "subscription_status": sub.state,
        "subscription_true_false": True,
        "sync_date": iso_date(scope.now),
        "transaction_currency": sub.currency,
        **_day_parts(sub.begin),
        # metrics
        "activations": int(began),
        "cancellations": int(sub.canceled_date is not None and start <= sub.canceled_date <= end),
        "subscriptions": int(now_active),
        "subscribers": buyer if now_active else None,
        "new_subscribers": buyer if began else None,
        "subscriber_loss": int(lost),
        "mrr": mrr_now,
        "arr": round_money(mrr_now * 12),
        "mrr_increase": max(mrr_now - mrr_then, 0.0),
        "mrr_decrease": max(mrr_then - mrr_now, 0.0),
        "mrr_upgrade": max(mrr_now - mrr_then, 0.0) if then_active else 0.0,
        "mrr_downgrade": max(mrr_then - mrr_now, 0.0) if now_active else 0.0,
        "mrr_paused": monthly(sub) if sub.state == "paused" else 0.0,
        "mrr_resumed": 0.0,
        "_mrr_then": mrr_then,
        "_active_then": int(then_active),
        "_lost_month": int(lost_month),
        "_mrr_lost_month": mrr_then if lost_month else 0.0,
    }


SUBSCRIPTION_SUMS = frozenset(
    {
        "activations",
        "cancellations",
        "subscriptions",
        "subscriber_loss",
        "mrr",
        "arr",
        "mrr_increase",
        "mrr_decrease",
        "mrr_upgrade",
        "mrr_downgrade",
        "mrr_paused",
        "mrr_resumed",
        "_mrr_then",
        "_active_then",
        "_lost_month",
        "_mrr_lost_month",
    }
)
SUBSCRIPTION_DISTINCT = frozenset({"subscribers", "new_subscribers"})


def _ratio(top: float, bottom: float) -> float:
    return round(top / bottom, 4) if bottom else 0.0


SUBSCRIPTION_DERIVED: dict[str, Callable[[dict[str, Any]], float]] = {
    "average_mrr": lambda g: round_money(_ratio(g["mrr"], g["subscriptions"])),
    "mrr_growth_rate": lambda g: _ratio(g["mrr"] - g["_mrr_then"], g["_mrr_then"]),
    "customer_churn": lambda g: _ratio(g["_lost_month"], g["_active_then"]),
    "revenue_churn": lambda g: _ratio(g["_mrr_lost_month"], g["_mrr_then"]),
    "lifetime_value": lambda g: round_money(
        _ratio(_ratio(g["mrr"], g["subscriptions"]), _ratio(g["_lost_month"], g["_active_then"]))
    ),
}
SUBSCRIPTION_METRICS = SUBSCRIPTION_SUMS | SUBSCRIPTION_DISTINCT | frozenset(SUBSCRIPTION_DERIVED)
SUBSCRIPTION_COLUMNS = frozenset(
    {
        "buyer_email",
        "buyer_id",
        "company_id",
        "company_name",
        "country_iso",
        "country_name",
        "coupon",
        "chargeback_true_false",
        "churn_type",
        "discount",
        "driving_offer_type",
        "driving_product_path",
        "item_id",
        "occurred_date",
        "order_id",
        "product_display_name",
        "product_id",
        "product_name",
        "product_path",
        "purchase_type",
        "return_true_false",
        "segment",
        "store_id",
        "store_name",
        "subscription_id",
        "subscription_period",
        "subscription_period_end",
        "subscription_period_start",
        "subscription_quantity",
        "subscription_start_date",
        "subscription_status",
        "subscription_true_false",
        "sync_date",
        "transaction_currency",
        "transaction_date",
        "transaction_day",
        "transaction_month",
        "transaction_time_utc",
        "transaction_year",
    }
) | {m for m in SUBSCRIPTION_METRICS if not m.startswith("_")}
